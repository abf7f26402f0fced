"""Road vehicles common in Viet Nam: chassis (VIN / frame), engine and plate numbers.

Chassis numbers are 17-character VINs: a world manufacturer identifier of the make's
Vietnamese assembly plant or usual import source (plausible codes, not an authoritative
registry), a model block, a model-year letter and a 6-digit serial. Motorcycle frame numbers
have the same shape ("RLHJC5218HY012345"). Numbers are then written the way they are
declared on forms: usually clean, sometimes with ``*`` / ``#`` from the stamping, spaces,
hyphens, lower case, or a letter O / I typed for 0 / 1 (the registry keeps them as declared).
"""

from __future__ import annotations

import random
from functools import cache
from typing import Final, NamedTuple

from registry.synthetic.sampling import Weighted, between, choice, digits

VIN_LETTERS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
VIN_CHARS: Final = "0123456789" + VIN_LETTERS
MODEL_YEAR: Final = {2010 + k: c for k, c in enumerate("ABCDEFGHJKLMNPRSTV")}


class Model(NamedTuple):
    kind: str  # car, truck, motorcycle
    make: str
    name: str
    wmi: str
    block: str  # positions 4-7 of the VIN
    engine: str  # template: '#' digit, '@' letter
    weight: float
    since: int = 2000  # first year sold
    until: int = 2100  # last year sold new


MODELS: Final = (
    Model("car", "Toyota", "Vios", "RL4", "BT9F", "2NRX######", 8),
    Model("car", "Toyota", "Innova", "RL4", "BK4F", "1TRX######", 4),
    Model("car", "Toyota", "Fortuner", "MHF", "AB3F", "2GDC######", 3),
    Model("car", "Toyota", "Corolla Cross", "MR0", "BA3F", "2ZRX######", 3, since=2020),
    Model("car", "Toyota", "Veloz Cross", "MHK", "AB9F", "2NRY######", 2, since=2022),
    Model("car", "Toyota", "Camry", "MR0", "BB1F", "2ARU######", 1.5),
    Model("car", "Hyundai", "Grand i10", "RLU", "A51C", "G4LA@@######", 5),
    Model("car", "Hyundai", "Accent", "RLU", "B41C", "G4LC@@######", 5),
    Model("car", "Hyundai", "Creta", "RLU", "S31C", "G4FL@@######", 2, since=2022),
    Model("car", "Hyundai", "Tucson", "RLU", "J81B", "G4NA@@######", 2),
    Model("car", "Hyundai", "Santa Fe", "RLU", "S81D", "D4HB@@######", 2),
    Model("car", "Kia", "Morning", "RNY", "A51B", "G4LA@@######", 4),
    Model("car", "Kia", "K3", "RNY", "F41C", "G4FG@@######", 3),
    Model("car", "Kia", "Seltos", "RNY", "P31C", "G4FL@@######", 3, since=2020),
    Model("car", "Kia", "Sonet", "RNY", "Q21C", "G4LE@@######", 2, since=2021),
    Model("car", "Kia", "Carnival", "RNY", "Y81D", "D4HE@@######", 1, since=2021),
    Model("car", "Mazda", "Mazda2", "RLM", "DJ2A", "P5######", 2),
    Model("car", "Mazda", "Mazda3", "RLM", "BP5A", "P5######", 3),
    Model("car", "Mazda", "CX-5", "RLM", "KF2A", "PE######", 4),
    Model("car", "Ford", "Ranger", "MNC", "LMFE", "YN2S@#######", 5),
    Model("car", "Ford", "Everest", "MNC", "UMFF", "YN2S@#######", 2),
    Model("car", "Ford", "Territory", "RL0", "TX2A", "HM15######", 1.5, since=2022),
    Model("car", "Honda", "City", "RLH", "GM68", "L15Z#######", 3),
    Model("car", "Honda", "CR-V", "MRH", "RW18", "L15B#######", 2),
    Model("car", "Honda", "HR-V", "MRH", "RV58", "L15Z#######", 1),
    Model("car", "Mitsubishi", "Xpander", "MK2", "NC1W", "4A91@#####", 5, since=2018),
    Model("car", "Mitsubishi", "Attrage", "MMB", "JNA1", "3A92@#####", 1.5),
    Model("car", "Mitsubishi", "Triton", "MMB", "JNKL", "4N15@#####", 1.5),
    Model("car", "VinFast", "Fadil", "RLL", "V1A2", "LE2#######", 3, since=2019, until=2022),
    Model("car", "VinFast", "Lux A2.0", "RLL", "V2A1", "N20A######", 1, since=2019, until=2022),
    Model("car", "VinFast", "VF e34", "RLL", "VE34", "VFM@########", 1, since=2021, until=2023),
    Model("car", "VinFast", "VF 5", "RLL", "VF5A", "VFM@########", 3, since=2023),
    Model("car", "VinFast", "VF 3", "RLL", "VF3A", "VFM@########", 3, since=2024),
    Model("car", "VinFast", "VF 8", "RLL", "VF8A", "VFM@########", 1.5, since=2022),
    Model("car", "Suzuki", "XL7", "MHY", "NC22", "K15B######", 1.5, since=2020),
    Model("car", "Mercedes-Benz", "C 200", "RLM", "W206", "264920########", 1),
    Model("truck", "Thaco", "Kia K250", "RNY", "K25T", "D4CB@@######", 3),
    Model("truck", "Thaco", "Ollin 350", "RN8", "OL35", "4J28TC######", 2),
    Model("truck", "Hyundai", "Porter H150", "RLU", "HD15", "D4CB@@######", 3),
    Model("truck", "Hyundai", "Mighty EX8", "RLU", "HD80", "D4GA@@######", 1),
    Model("truck", "Isuzu", "QKR 270", "RLF", "QKR7", "4JH1######", 2),
    Model("truck", "Hino", "300 XZU", "RL2", "XZU7", "N04C@@#####", 1.5),
    Model("truck", "Howo", "Sinotruk ZZ3257", "LZZ", "5BSD", "WD615#########", 1),
    Model("motorcycle", "Honda", "Wave Alpha", "RLH", "JA39", "JA39E#######", 6),
    Model("motorcycle", "Honda", "Vision", "RLH", "JK03", "JK03E#######", 6),
    Model("motorcycle", "Honda", "Air Blade", "RLH", "KF50", "KF50E#######", 4),
    Model("motorcycle", "Honda", "Lead", "RLH", "JK12", "JK12E#######", 2),
    Model("motorcycle", "Honda", "SH 160i", "RLH", "KF14", "KF14E#######", 3),
    Model("motorcycle", "Honda", "Winner X", "RLH", "KC26", "KC26E#######", 2),
    Model("motorcycle", "Honda", "Future", "RLH", "JC53", "JC53E#######", 2),
    Model("motorcycle", "Yamaha", "Exciter", "RLC", "UG06", "G3D4E######", 3),
    Model("motorcycle", "Yamaha", "Sirius", "RLC", "S5C6", "5C64######", 3),
    Model("motorcycle", "Yamaha", "Janus", "RLC", "UE23", "E3X1E######", 1.5),
    Model("motorcycle", "Yamaha", "Grande", "RLC", "SE86", "E31TE######", 1.5),
    Model("motorcycle", "Suzuki", "Raider R150", "RLS", "BG4E", "CGA1######", 1),
    Model("motorcycle", "Piaggio", "Vespa Sprint", "RP8", "M811", "M811M#######", 1.5),
    Model("motorcycle", "SYM", "Attila", "RLG", "VTH1", "VMVTH#######", 1),
    Model("motorcycle", "VinFast", "Klara S", "RLL", "KLAS", "VFM@########", 1, since=2019),
    Model("motorcycle", "VinFast", "Feliz S", "RLL", "FELS", "VFM@########", 1, since=2021),
)
_KIND: Final = Weighted((("car", 70), ("motorcycle", 18), ("truck", 12)))
_BY_KIND: Final = {k: tuple(m for m in MODELS if m.kind == k) for k in _KIND.values}
COLOURS: Final = Weighted((("trắng", 25), ("đen", 20), ("bạc", 12), ("xám", 10), ("đỏ", 10),
                           ("xanh", 8), ("nâu", 4), ("vàng", 3), ("ghi", 4), ("đỏ đen", 4)))
_CAR_SERIES: Final = "AAAAEFGHKL"  # private cars; trucks C, vans D, joint ventures LD
_MOTO_SERIES: Final = "ABCDEFGHKLMNPSTUVX"


class Vehicle(NamedTuple):
    model: Model
    model_year: int
    chassis: str
    engine: str
    plate: str | None


@cache
def _template(template: str) -> tuple[tuple[str, str], ...]:
    """Split an engine-number template into runs: ("lit", text), ("#", "6"), ("@", "2")."""
    runs: list[tuple[str, str]] = []
    for c in template:
        kind = c if c in "#@" else "lit"
        if runs and runs[-1][0] == kind:
            previous = runs[-1][1]
            runs[-1] = (kind, previous + c if kind == "lit" else str(int(previous) + 1))
        else:
            runs.append((kind, c if kind == "lit" else "1"))
    return tuple(runs)


def _fill(template: str, rng: random.Random) -> str:
    out = []
    for kind, value in _template(template):
        if kind == "lit":
            out.append(value)
        elif kind == "#":
            out.append(digits(rng, int(value)))
        else:
            out.extend(choice(rng, VIN_LETTERS) for _ in range(int(value)))
    return "".join(out)


def _plate(rng: random.Random, model: Model, plate_code: int, year: int) -> str:
    if model.kind == "motorcycle":
        series = choice(rng, _MOTO_SERIES) + str(between(rng, 1, 10))
        if rng.random() < 0.1:
            return f"{plate_code}-{series} {digits(rng, 4)}"
        return f"{plate_code}-{series} {digits(rng, 3)}.{digits(rng, 2)}"
    series = "C" if model.kind == "truck" else choice(rng, _CAR_SERIES)
    if rng.random() < 0.01:
        series = "LD"
    if year < 2015 and rng.random() < 0.5:
        return f"{plate_code}{series}-{digits(rng, 4)}"
    return f"{plate_code}{series}-{digits(rng, 3)}.{digits(rng, 2)}"


@cache
def _models_on_sale(kind: str, year: int) -> Weighted[Model]:
    return Weighted((m, m.weight) for m in _BY_KIND[kind] if m.since <= year)


def make_vehicle(rng: random.Random, year: int, plate_code: int,
                 kind: str | None = None) -> Vehicle:
    """A vehicle financed in ``year``: new (no plate yet, 60 %) or used (older, plated)."""
    model = _models_on_sale(kind or _KIND.pick(rng), year).pick(rng)
    new = rng.random() < 0.6
    model_year = year if new else max(model.since, 2010, year - int(rng.expovariate(1 / 4)))
    model_year = min(model_year, model.until)
    chassis = (model.wmi + model.block + choice(rng, VIN_CHARS) + choice(rng, "0123456789X")
               + MODEL_YEAR[model_year] + choice(rng, VIN_LETTERS) + digits(rng, 6))
    plate = None if new and rng.random() < 0.9 else _plate(rng, model, plate_code, model_year)
    return Vehicle(model, model_year, chassis, _fill(model.engine, rng), plate)


def describe(vehicle: Vehicle, rng: random.Random) -> str:
    model = vehicle.model
    noun = {"car": "Xe ô tô con", "truck": "Xe ô tô tải", "motorcycle": "Xe mô tô hai bánh"}
    text = (f"{noun[model.kind]} nhãn hiệu {model.make} {model.name}, "
            f"màu {COLOURS.pick(rng)}, năm sản xuất {vehicle.model_year}")
    if model.kind == "truck":
        text += f", tải trọng {choice(rng, ('990 kg', '1,49 tấn', '2,4 tấn', '3,5 tấn', '8 tấn'))}"
    if vehicle.plate and rng.random() < 0.5:
        text += f", biển số {vehicle.plate}"
    return text


# --- as declared -----------------------------------------------------------------------

def declared_serial(serial: str, rng: random.Random) -> str:
    """A chassis or frame number as typed on a form (shares in the comments)."""
    roll = rng.random()
    if roll < 0.86:
        return serial
    if roll < 0.90:  # stamp delimiters copied from the frame
        return f"*{serial}*"
    if roll < 0.92:
        cut = between(rng, 3, len(serial) - 3)
        return f"{serial[:cut]}#{serial[cut:]}"
    if roll < 0.95:  # grouped for readability
        cut = between(rng, 3, len(serial) - 3)
        return f"{serial[:cut]}{choice(rng, (' ', '-', ' - '))}{serial[cut:]}"
    if roll < 0.97:
        return serial.lower()
    if roll < 0.985 and "0" in serial:
        at = serial.rindex("0")
        return serial[:at] + "O" + serial[at + 1:]
    if "1" in serial:
        at = serial.rindex("1")
        return serial[:at] + "I" + serial[at + 1:]
    return serial


def declared_engine(engine: str, rng: random.Random) -> str:
    roll = rng.random()
    split = next((i for i in range(len(engine) - 1, 0, -1) if not engine[i - 1].isdigit()), 4)
    if roll < 0.18:
        return f"{engine[:split]}-{engine[split:]}"
    if roll < 0.21:
        return f"{engine[:split]} {engine[split:]}"
    if roll < 0.22 and "0" in engine[split:]:
        return engine.replace("0", "O", 1)
    return engine


def declared_plate(plate: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.75:
        return plate
    if roll < 0.85:
        return plate.replace("-", "").replace(".", "").replace(" ", "")
    if roll < 0.93:
        return plate.replace(".", "")
    if roll < 0.97:
        return plate.replace("-", " ")
    return plate.replace("-", " - ")
