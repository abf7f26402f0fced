"""What a use costs (customers pay, agencies do not) and the usage ledger's lines: each
names the account that pays and the user who asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from accounts.callers import Caller
from core.settings import Settings


@dataclass(frozen=True)
class Fee:
    """What a use costs an account, and the legal ground when it is free (the usage
    ledger's line; a certificate prints it as ``certify.snapshot.CertificateFee``)."""

    amount_vnd: int
    free_ground: str | None


def fee_for(caller: Caller, kind: str, settings: Settings, rows: int = 1) -> Fee:
    """What a use costs this caller, and the legal ground when it is free."""
    if caller.role == "agency":
        return Fee(0, settings.agency_free_ground)
    if kind == "certificate":
        return Fee(settings.certificate_fee_vnd, None)
    if kind == "batch":
        return Fee(settings.batch_row_fee_vnd * rows, None)
    if kind == "batch_certificate":
        return Fee(settings.batch_certificate_fee_vnd, None)
    return Fee(0, None)  # uncertified searches are free


def watch_entry_fee(role: str, settings: Settings) -> Fee:
    """What one watched value costs an account of ``role`` a month (agencies: nothing, on
    the same ground as their searches)."""
    if role == "agency":
        return Fee(0, settings.agency_free_ground)
    return Fee(settings.watch_entry_fee_vnd, None)


def record_usage(conn: psycopg.Connection[Any], caller: Caller, kind: str, fee: Fee,
                 criterion: str | None = None, reference: str | None = None, rows: int = 1,
                 client: str | None = None, client_reference: str | None = None) -> None:
    """One line of the usage ledger; ``client`` is the caller's address,
    ``client_reference`` the caller's own reference (loan or file number)."""
    conn.execute(
        "INSERT INTO usage_ledger (account_id, user_id, kind, criterion, reference, rows,"
        " fee_vnd, free_ground, client, client_reference)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (caller.account_id, caller.user_id, kind, criterion, reference, rows, fee.amount_vnd,
         fee.free_ground, client, client_reference))
