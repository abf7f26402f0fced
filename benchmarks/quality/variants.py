"""Query variants for the matching-quality benchmark, labelled with the tier they must get.

``variants_for(criterion, registered, party_type, rng)`` takes a registered value and
returns queries a searcher might type for it, each with its variant class and the tier the
matching contract (docs/matching-contract.md) promises: ``exact``, ``close`` or ``none``.

This module is an independent check of the engine, so it reads the contract itself and
imports nothing from ``normalizers/`` or ``query/``. Each variant is built to belong to its
class, then checked by small predicates over the contract's normal forms before it is kept:

- an ``exact`` variant must satisfy the exact rule (``name_exact`` etc.);
- a ``close`` variant must not satisfy the exact rule;
- a ``none`` variant must not even be *reachable*: no reading of the contract's close rules,
  taken generously (any single one-edit, order, missing/extra or joined difference on the
  folded forms), may connect it to the registered value.

A variant that fails its check is dropped, never relabelled.
"""

from __future__ import annotations

import random

from benchmarks.quality.forms import (
    CLOSE,
    EXACT,
    NONE,
    Variant,
    canonical,
    id_form,
    n2,
    osa,
    serial_form,
    within_one_edit,
    words,
)
from benchmarks.quality.number_variants import (
    id_reachable,
    id_variants,
    registration_number_variants,
    serial_reachable,
    serial_variants,
)
from benchmarks.quality.organisation_variants import (
    ABBREVIATIONS,
    LEGAL_FORMS,
    organisation_exact,
    organisation_reachable,
    organisation_variants,
    split_organisation,
)
from benchmarks.quality.person_variants import (
    name_exact,
    name_reachable,
    person_variants,
)

__all__ = [
    "ABBREVIATIONS", "CLOSE", "EXACT", "LEGAL_FORMS", "NONE", "Variant", "canonical",
    "id_form", "id_reachable", "id_variants", "n2", "name_exact", "name_reachable",
    "organisation_exact", "organisation_reachable", "organisation_variants", "osa",
    "person_variants", "registration_number_variants", "serial_form", "serial_reachable",
    "serial_variants", "split_organisation", "variants_for", "within_one_edit", "words",
]


def variants_for(criterion: str, registered: str, party_type: str | None,
                 rng: random.Random) -> list[Variant]:
    """Query variants for one registered value under one search criterion.

    ``criterion``: debtor_name, id_number, chassis_number, engine_number, plate_number or
    registration_number. ``party_type`` (individual / organization) selects the name rules;
    None reads a name that opens with a legal form as an organisation.
    """
    if criterion == "debtor_name":
        organisation = party_type == "organization" or (
            party_type is None and split_organisation(registered) is not None)
        if organisation:
            return organisation_variants(registered, rng)
        return person_variants(registered, rng)
    if criterion == "id_number":
        return id_variants(registered, rng)
    if criterion in ("chassis_number", "engine_number", "plate_number"):
        return serial_variants(registered, rng)
    if criterion == "registration_number":
        return registration_number_variants(registered, rng)
    raise ValueError(f"unknown criterion: {criterion}")
