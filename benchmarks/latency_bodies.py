"""The latency benchmark's request bodies: per criterion, a seeded mix sampled from the
corpus file, half the values as registered, half query variants of every class
(``benchmarks.quality.variants``, negatives included), one JSON body a line."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import orjson

from benchmarks.baselines import corpus
from benchmarks.quality.variants import variants_for

STATE: Final = Path(".state")
BODIES: Final = STATE / "latency-bodies"
#: name → (criterion, party type)
CRITERIA: Final[dict[str, tuple[str, str | None]]] = {
    "debtor_name_individual": ("debtor_name", "individual"),
    "debtor_name_organization": ("debtor_name", "organization"),
    "id_number": ("id_number", None),
    "chassis_number": ("chassis_number", None),
    "engine_number": ("engine_number", None),
    "plate_number": ("plate_number", None),
    "registration_number": ("registration_number", None),
}


def _random_registrations(path: Path, rng: random.Random, count: int
                          ) -> Iterator[corpus.Registration]:
    """Registrations at random places in the file (seek to a random byte, take the next
    whole line): no full scan needed."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        for _ in range(count):
            handle.seek(rng.randrange(size))
            handle.readline()
            line = handle.readline()
            if not line:  # past the last line: take the first
                handle.seek(0)
                line = handle.readline()
            yield corpus.parse_line(line)


def _values(name: str, registration: corpus.Registration) -> list[str]:
    criterion, party_type = CRITERIA[name]
    if criterion == "debtor_name":
        return [p.name for p in registration.grantors if p.party_type == party_type and p.name]
    if criterion == "id_number":
        return [p.id_number for p in registration.grantors if p.id_number]
    if criterion == "registration_number":
        return [registration.number]
    return list(corpus.serial_values(registration, criterion))


def make_bodies(path: Path, name: str, count: int, seed: int) -> list[dict[str, Any]]:
    criterion, party_type = CRITERIA[name]
    rng = random.Random(f"{seed}/{name}")
    bodies: list[dict[str, Any]] = []
    for registration in _random_registrations(path, rng, count * 20):
        values = _values(name, registration)
        if not values:
            continue
        value = rng.choice(values)
        query = value
        if rng.random() < 0.5:
            variants = variants_for(criterion, value, party_type, rng)
            if variants:
                query = rng.choice(variants).query
        if any(ord(ch) < 32 for ch in query):
            query = " ".join(query.split())  # the API refuses control characters (tabs)
        body: dict[str, Any] = {criterion: query}
        if party_type is not None:
            body["party_type"] = party_type
        bodies.append(body)
        if len(bodies) >= count:
            break
    return bodies


def bodies_file(path: Path, name: str, count: int, seed: int) -> Path:
    BODIES.mkdir(parents=True, exist_ok=True)
    out = BODIES / f"{path.stem}-{name}-{count}-{seed}.jsonl"  # by corpus: 1M and 10M apart
    if not out.exists():
        lines = [orjson.dumps(b).decode() for b in make_bodies(path, name, count, seed)]
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
