"""The criteria are defined once (``query.criteria``); everything that lists them agrees."""

from __future__ import annotations

from typing import get_args

from batch.columns import PARTY_TYPE, accepted_headers
from certify.snapshot import CertifiedCriterion
from mappings import packed
from query.candidates import SERIAL_FIELDS
from query.criteria import (
    CRITERIA,
    FIELDS,
    SERIAL_CRITERIA,
    WATCHABLE_CRITERIA,
    criterion_of_field,
)
from query.request import SearchRequest


def test_every_criterion_has_its_registered_field() -> None:
    assert set(FIELDS) == set(CRITERIA)
    for name in CRITERIA:
        spec = FIELDS[name]
        if spec.role == "grantor":
            assert spec.field in packed.GRANTOR_FIELDS
        elif spec.role == "asset":
            assert spec.field in packed.ASSET_FIELDS
        assert criterion_of_field(spec.field) == name
    assert criterion_of_field("asset_type") == "asset_type"


def test_the_request_the_batch_columns_and_the_certificate_read_the_same_criteria() -> None:
    for name in CRITERIA:
        assert SearchRequest.model_validate({name: "ABC123456"}).criterion == (name,
                                                                              "ABC123456")
    # the batch's columns: the criteria, the party type, and the bank's own reference
    assert set(accepted_headers()) == {*CRITERIA, PARTY_TYPE, "client_reference"}
    name = CertifiedCriterion.model_fields["name"].annotation
    assert set(get_args(name)) == set(CRITERIA)
    assert set(SERIAL_FIELDS) == set(SERIAL_CRITERIA) == {"chassis_number", "engine_number",
                                                          "plate_number"}


def test_the_watchable_criteria_are_every_criterion_but_the_registration_number() -> None:
    from api.watch_routes import EntryIn
    from watch.keys import NAMESPACES

    assert tuple(c for c in CRITERIA if c != "registration_number") == WATCHABLE_CRITERIA
    # the watch lists' keys and the HTTP body read them from here
    assert tuple(NAMESPACES) == WATCHABLE_CRITERIA
    assert get_args(EntryIn.model_fields["criterion"].annotation) == WATCHABLE_CRITERIA
