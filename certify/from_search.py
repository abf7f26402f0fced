"""A certificate snapshot from a search outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from certify.snapshot import (
    CertificateFee,
    CertificateSnapshot,
    CertifiedCriterion,
    CertifiedMatch,
    MatchedValue,
    Registration,
    RegistryWatermark,
    Requester,
)
from query.search import Match, SearchOutcome

#: Names the rules the certificate applies; printed on it.
SEARCH_LOGIC_VERSION = "regsearch matching contract v1 (exact and close tiers)"


def _match(found: Match) -> CertifiedMatch:
    """The certificate's frozen record of a search's match (the one place it is built)."""
    index = None if found.role == "registration" else found.position
    registration: dict[str, Any] = found.registration
    return CertifiedMatch(
        tier=found.tier,  # type: ignore[arg-type]
        score=round(found.score, 4),
        reasons=found.reasons,  # type: ignore[arg-type]
        matched=MatchedValue(role=found.role, field=found.field,  # type: ignore[arg-type]
                             value_as_registered=found.value_as_registered, index=index),
        registration=Registration.model_validate(registration),
    )


def build_snapshot(
    *, number: str, issued_at: datetime, current_as_of: datetime, registry_lsn: str,
    criterion: str, value: str, party_type: str | None, id_type: str | None,
    requester: Requester, fee: CertificateFee, outcome: SearchOutcome, include_deleted: bool,
    client_reference: str | None = None,
) -> CertificateSnapshot:
    exact = tuple(_match(m) for m in outcome.exact)
    close = tuple(_match(m) for m in outcome.close)
    return CertificateSnapshot(
        number=number,
        issued_at=issued_at,
        registry_current_as_of=RegistryWatermark(commit_time=current_as_of, lsn=registry_lsn),
        criterion=CertifiedCriterion(
            name=criterion, party_type=party_type,  # type: ignore[arg-type]
            id_type=id_type, value_as_entered=value,  # type: ignore[arg-type]
            value_normalised=outcome.normalised),
        requester=requester,
        fee=fee,
        search_logic_version=SEARCH_LOGIC_VERSION,
        include_deleted=include_deleted,
        exact=exact,
        close=close,
        exact_count=len(exact),
        close_count=len(close) + outcome.close_left_out,
        close_left_out=outcome.close_left_out,
        client_reference=client_reference,
    )
