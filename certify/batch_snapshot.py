"""The snapshot of a certificate for a whole batch of lookups: what it says, immutable.

A batch is searched chunk by chunk over time, each chunk at the registry watermark it
read before searching; the certificate states that range, and the whole batch is
current as of the *earliest* one. It summarises every row (counts, and a line per
criterion of every row with a match) and carries the full per-row results as an
embedded file, whose SHA-256 is part of this snapshot and so of its content hash.

Stored and hashed like a single search's snapshot (``certify.snapshot.canonical_json``,
``content_hash``); ``kind = "batch"`` tells the two apart in the stored form.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from certify.snapshot import (
    SCHEMA_VERSION,
    CertificateFee,
    ClientReference,
    Issuer,
    Lsn,
    Requester,
    Text,
    VnDatetime,
    _Frozen,
    check_number,
)
from query.criteria import CriterionName
from registry.format import PartyType

__all__ = [
    "AttachedFile",
    "BatchCertificateSnapshot",
    "BatchCounts",
    "BatchInfo",
    "CriterionTally",
    "RowLine",
    "SearchedAt",
    "SearchedRange",
    "batch_snapshot_from_json",
]

Count = Annotated[int, Field(ge=0)]
RowNumber = Annotated[int, Field(ge=1)]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class SearchedAt(_Frozen):
    """A registry watermark some rows were searched at."""

    commit_time: VnDatetime
    lsn: Lsn | None = None
    """Unknown for chunks searched before their position was recorded."""


class SearchedRange(_Frozen):
    """The watermarks of the batch's chunks: the earliest is what the batch is current as of."""

    earliest: SearchedAt
    latest: SearchedAt
    chunks: Annotated[int, Field(ge=1)]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.earliest.commit_time > self.latest.commit_time:
            raise ValueError("earliest watermark is later than the latest")
        return self


class BatchInfo(_Frozen):
    id: Text
    file_name: Text
    file_format: Literal["csv", "xlsx", "jsonl"]
    submitted_at: VnDatetime
    finished_at: VnDatetime


class BatchCounts(_Frozen):
    """Rows of the file by outcome. ``searched``: the distinct lookups (duplicates once)."""

    total: Count
    valid: Count
    invalid: Count
    duplicate: Count
    searched: Count
    with_exact: Count
    """Rows with at least one exact match (on any of their criteria)."""
    close_only: Count
    """Rows with close matches but no exact match."""
    no_match: Count
    errors: Count
    """Rows whose search failed (a system error with a reference; not certified)."""

    @model_validator(mode="after")
    def _adds_up(self) -> Self:
        if self.total != self.valid + self.invalid:
            raise ValueError("total must equal valid + invalid")
        if self.searched != self.valid - self.duplicate:
            raise ValueError("searched must equal valid - duplicate")
        if self.valid != self.with_exact + self.close_only + self.no_match + self.errors:
            raise ValueError("valid must equal with_exact + close_only + no_match + errors")
        return self


class CriterionTally(_Frozen):
    """Criteria of one kind searched in the batch (rows with several criteria count each)."""

    criterion: CriterionName
    searched: Count
    with_exact: Count
    close_only: Count
    no_match: Count

    @model_validator(mode="after")
    def _adds_up(self) -> Self:
        if self.searched != self.with_exact + self.close_only + self.no_match:
            raise ValueError("searched must equal with_exact + close_only + no_match")
        return self


class RowLine(_Frozen):
    """One criterion of a row that has a match, as the summary table prints it."""

    row: RowNumber
    criterion: CriterionName
    party_type: PartyType | None = None
    value_as_entered: Text
    exact_count: Count
    close_count: Count
    exact_registrations: tuple[Text, ...] = ()
    """Registration numbers matched exactly, in result order, at most a few."""
    exact_registrations_total: Count = 0
    """How many different registrations matched exactly (all are in the attached file)."""
    duplicate_of: RowNumber | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        listed = len(self.exact_registrations)
        if len(set(self.exact_registrations)) != listed:
            raise ValueError("exact_registrations must be distinct")
        if listed > self.exact_registrations_total or (
                self.exact_registrations_total > self.exact_count):
            raise ValueError("exact_registrations <= exact_registrations_total <= exact_count")
        if self.exact_count and not listed:
            raise ValueError("a line with exact matches lists at least one registration")
        return self


class AttachedFile(_Frozen):
    """The embedded file with every row's full result (the batch's JSON Lines export)."""

    name: Text
    media_type: Text
    size: Count
    sha256: Annotated[str, Field(pattern=_SHA256.pattern)]
    lines: Count


class BatchCertificateSnapshot(_Frozen):
    """Everything a batch certificate says. Immutable; stored as ``canonical_json``."""

    schema_version: Literal[1] = SCHEMA_VERSION
    kind: Literal["batch"] = "batch"
    number: str
    issued_at: VnDatetime
    requester: Requester
    fee: CertificateFee
    search_logic_version: Text
    include_deleted: bool
    batch: BatchInfo
    registry_current_as_of: SearchedRange
    counts: BatchCounts
    by_criterion: tuple[CriterionTally, ...]
    rows_with_matches: tuple[RowLine, ...]
    error_rows: tuple[RowNumber, ...] = ()
    results_file: AttachedFile
    issuer: Issuer = Issuer()
    client_reference: ClientReference = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_number(self.number, self.issued_at)
        if self.registry_current_as_of.latest.commit_time > self.issued_at:
            raise ValueError("registry_current_as_of is later than issued_at")
        if self.batch.finished_at > self.issued_at:
            raise ValueError("the batch finished after the certificate was issued")
        rows = [line.row for line in self.rows_with_matches]
        if rows != sorted(rows):
            raise ValueError("rows_with_matches must be in file order")
        if len(set(rows)) != self.counts.with_exact + self.counts.close_only:
            raise ValueError("rows_with_matches must cover exactly the rows with a match")
        if len(self.error_rows) != self.counts.errors:
            raise ValueError("error_rows must list every row whose search failed")
        if self.results_file.lines != self.counts.total:
            raise ValueError("the results file has one line per row of the batch file")
        return self


def batch_snapshot_from_json(data: bytes | str) -> BatchCertificateSnapshot:
    """Load a stored batch snapshot; ``canonical_json`` of it gives the stored bytes again."""
    return BatchCertificateSnapshot.model_validate_json(data)
