"""Individuals who grant security: name, sex, birth year, home, identity documents.

A person is a pure function of the random stream it is made from; the generator gives each
person a stream of its own, so a repeat borrower can be rebuilt anywhere in the output with
the same name and identity numbers.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Final

from registry.synthetic import ids, places, vni
from registry.synthetic.names import tables
from registry.synthetic.sampling import Weighted, between
from registry.synthetic.vietnamese import is_name_syllable, restyle_tone

# The year a person switched from the 9-digit CMND to the 12-digit CCCD (chip cards were
# issued en masse in 2021; CMND stopped being valid at the end of 2024).
_CCCD_SINCE: Final = Weighted(
    ((2016, 3), (2017, 4), (2018, 5), (2019, 5), (2020, 8), (2021, 45), (2022, 15),
     (2023, 8), (2024, 7))
)
PASSPORT_SHARE: Final = 0.008
FEMALE_SHARE: Final = 0.42  # of individual grantors (car loans lean male)
BORN_ELSEWHERE: Final = 0.2  # CCCD place code differs from the province of residence

# How a name is declared on a form (kept as declared in the registry).
UPPERCASE_SHARE: Final = 0.15
OTHER_TONE_STYLE_SHARE: Final = 0.01  # "Hoà" where the person's papers say "Hòa"
DECOMPOSED_SHARE: Final = 0.002  # typed on a system that sends NFD
VNI_SHARE: Final = 0.001  # legacy VNI text read as Windows-1252 ("Nguyeãn Vaên Tuù")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    female: bool
    birth_year: int
    address: str
    cccd: str
    cmnd: str | None  # None for people who only ever held a CCCD
    cccd_since: int
    passport: str | None  # set for the few who declare a passport

    def identity(self, year: int) -> tuple[str, str]:
        """(id_type, id_number) as declared in a registration made in ``year``."""
        if self.passport is not None:
            return "passport", self.passport
        if self.cmnd is not None and year < self.cccd_since:
            return "cmnd", self.cmnd
        return "cccd", self.cccd


def make_person(rng: random.Random, year: int, numbering: ids.Numbering, serial: int, *,
                namespace: int = 0, female: bool | None = None, near_age: int | None = None,
                home: tuple[places.Province, str] | None = None,
                name: str | None = None) -> Person:
    """A person aged 20–68 in ``year`` (or about ``near_age``), living at ``home`` if given.

    ``serial`` (unique within ``namespace``) makes the identity numbers unique; a spouse
    shares the serial of the borrower in another namespace (and the other sex, which keeps
    the CCCD apart)."""
    if female is None:
        female = rng.random() < FEMALE_SHARE
    if near_age is None:
        age = int(rng.triangular(20, 68, 34))
    else:
        age = max(19, near_age + between(rng, -6, 7))
    birth_year = year - age
    if home is None:
        province = places.BY_ACTIVITY.pick(rng)
        home = province, places.address(province, rng)
    province, address = home
    birthplace = places.BY_POPULATION.pick(rng) if rng.random() < BORN_ELSEWHERE else province
    first_card_year = birth_year + 14
    since = max(_CCCD_SINCE.pick(rng), first_card_year)
    return Person(
        name=name or tables().full_name(rng, female),
        female=female,
        birth_year=birth_year,
        address=address,
        cccd=ids.cccd(birthplace.cccd, birth_year, female, numbering, serial),
        cmnd=(ids.cmnd(birthplace.cmnd, numbering.digits(serial, 7, namespace))
              if first_card_year < since else None),
        cccd_since=since,
        passport=(ids.passport(rng, numbering.digits(serial, 7, namespace))
                  if rng.random() < PASSPORT_SHARE else None),
    )


def spouse_of(person: Person, rng: random.Random, year: int, numbering: ids.Numbering,
              serial: int) -> Person:
    """A husband or wife at the same address (co-grantor of a household's assets)."""
    home = (places.BY_ACTIVITY.pick(rng), person.address)
    return make_person(rng, year, numbering, serial, namespace=1, female=not person.female,
                       near_age=year - person.birth_year, home=home)


def declared_name(name: str, rng: random.Random) -> str:
    """The name as someone types it on a form: sometimes upper case, another tone style,
    and rarely decomposed Unicode or legacy VNI text (see the shares above)."""
    roll = rng.random()
    if roll < VNI_SHARE:
        legacy = vni.encode(name)
        # Only text that cannot be read as Unicode Vietnamese ("Phan Thò Ly" for "Phan Thị
        # Ly" can): the contract converts legacy text only when it is not valid Unicode.
        return legacy if not all(is_name_syllable(word) for word in legacy.split()) else name
    roll -= VNI_SHARE
    if roll < DECOMPOSED_SHARE:
        return unicodedata.normalize("NFD", name)
    roll -= DECOMPOSED_SHARE
    if roll < OTHER_TONE_STYLE_SHARE:
        return " ".join(restyle_tone(word) or word for word in name.split())
    roll -= OTHER_TONE_STYLE_SHARE
    if roll < UPPERCASE_SHARE:
        return name.upper()
    return name
