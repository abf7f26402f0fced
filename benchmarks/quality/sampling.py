"""Sampling for the quality benchmark: seeded reservoirs of registered values per group,
and the queries made from them (``variants_for``)."""


import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from benchmarks.baselines import corpus
from benchmarks.quality.variants import variants_for

#: group → (criterion, party type sent with debtor-name queries)
GROUPS: Final[dict[str, tuple[str, str | None]]] = {
    "name_individual": ("debtor_name", "individual"),
    "name_organization": ("debtor_name", "organization"),
    "id_personal": ("id_number", None),
    "id_tax": ("id_number", None),
    "id_tax_branch": ("id_number", None),
    "chassis": ("chassis_number", None),
    "engine": ("engine_number", None),
    "plate": ("plate_number", None),
    "registration_number": ("registration_number", None),
}


# --- sampling ------------------------------------------------------------------------------

@dataclass
class Sample:
    group: str
    index: int
    value: str
    party_type: str | None


class Reservoirs:
    """One seeded reservoir sample (algorithm R) per group."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.seen: defaultdict[str, int] = defaultdict(int)
        self.samples: defaultdict[str, list[Sample]] = defaultdict(list)

    def offer(self, sample: Sample) -> None:
        group = sample.group
        self.seen[group] += 1
        kept = self.samples[group]
        if len(kept) < self.size:
            kept.append(sample)
            return
        slot = self.rng.randrange(self.seen[group])
        if slot < self.size:
            kept[slot] = sample

    def add(self, index: int, registration: corpus.Registration) -> None:
        for party in registration.grantors:
            if party.name and party.party_type in ("individual", "organization"):
                self.offer(Sample(f"name_{party.party_type}", index, party.name,
                                  party.party_type))
            if party.id_number:
                if party.id_type == "tax_code":
                    digits = sum(ch.isdigit() for ch in party.id_number)
                    group = "id_tax_branch" if digits == 13 else "id_tax"
                else:
                    group = "id_personal"
                self.offer(Sample(group, index, party.id_number, None))
        for group, criterion in (("chassis", "chassis_number"), ("engine", "engine_number"),
                                 ("plate", "plate_number")):
            for value in corpus.serial_values(registration, criterion):
                self.offer(Sample(group, index, value, None))
        self.offer(Sample("registration_number", index, registration.number, None))


# --- queries -------------------------------------------------------------------------------

@dataclass
class Query:
    qid: int
    group: str
    criterion: str
    party_type: str | None
    target: int
    registered: str
    variant_class: str
    expected: str  # exact | close | none
    text: str


def make_queries(reservoirs: Reservoirs, seed: int) -> list[Query]:
    queries: list[Query] = []
    for group, (criterion, party_type) in GROUPS.items():
        for k, sample in enumerate(reservoirs.samples.get(group, [])):
            rng = random.Random(f"{seed}/{group}/{k}")
            for variant in variants_for(criterion, sample.value, party_type, rng):
                queries.append(Query(len(queries), group, criterion, party_type, sample.index,
                                     sample.value, variant.variant_class,
                                     variant.expected_tier or "none", variant.query))
    return queries
