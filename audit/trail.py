"""The audit trail (table ``audit_log``, migration 0002): who searched what and what they
found, for every search and every certificate. Append-only: the database refuses UPDATE,
DELETE and TRUNCATE.

A search's row is written by the usage ledger's writer in the statement that writes its
ledger entry (``api.search_ledger``: one round trip, one commit for the searches that
arrive together); a certificate's row in the transaction that stores the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from accounts import Caller
from query.request import SearchRequest


@dataclass(frozen=True)
class Searched:
    """What a search asked and found, as the audit trail keeps it."""

    criterion: str
    value: str          # as entered
    party_type: str | None
    include_deleted: bool
    exact_count: int
    close_count: int

    @classmethod
    def of(cls, request: SearchRequest, exact_count: int, close_count: int) -> Searched:
        criterion, value = request.criterion
        return cls(criterion, value, request.party_type, request.include_deleted,
                   exact_count, close_count)


def record_certificate(conn: psycopg.Connection[Any], caller: Caller, client: str | None,
                       searched: Searched, number: str) -> None:
    """The certificate's audit row (call in the transaction that stores the certificate)."""
    conn.execute(
        "INSERT INTO audit_log (kind, client, account_id, user_id, key_hash, criterion, value,"
        " party_type, include_deleted, exact_count, close_count, reference)"
        " VALUES ('certificate', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (client, caller.account_id, caller.user_id, caller.key_hash, searched.criterion,
         searched.value, searched.party_type, searched.include_deleted, searched.exact_count,
         searched.close_count, number))
