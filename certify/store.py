"""Issued certificates: stored once, never changed or deleted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from certify.numbering import new_number
from certify.snapshot import VN_TZ


@dataclass(frozen=True)
class StoredCertificate:
    number: str
    issued_at: datetime
    account_id: int | None
    criterion: str
    snapshot: bytes
    content_hash: str
    unsigned_pdf_sha256: str
    pdf: bytes
    fee_vnd: int
    #: the user of the account who asked for it (None: before accounts had users)
    user_id: int | None = None
    #: the requester's own reference (loan or file number), printed on it
    client_reference: str | None = None


def reserve_number(conn: psycopg.Connection[Any], issued_at: datetime) -> tuple[int, str]:
    """The next sequence number and the certificate number for ``issued_at`` (Vietnam year)."""
    row = conn.execute("SELECT nextval('certificate_seq')").fetchone()
    assert row is not None
    seq = int(row[0])
    return seq, new_number(seq, issued_at.astimezone(VN_TZ).year)


def insert(conn: psycopg.Connection[Any], seq: int, cert: StoredCertificate) -> None:
    conn.execute(
        "INSERT INTO certificates (number, seq, issued_at, account_id, criterion, snapshot,"
        " content_hash, unsigned_pdf_sha256, pdf, fee_vnd, user_id, client_reference)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (cert.number, seq, cert.issued_at, cert.account_id, cert.criterion, cert.snapshot,
         cert.content_hash, cert.unsigned_pdf_sha256, cert.pdf, cert.fee_vnd, cert.user_id,
         cert.client_reference))


def load(conn: psycopg.Connection[Any], number: str) -> StoredCertificate | None:
    row = conn.execute(
        "SELECT number, issued_at, account_id, criterion, snapshot, content_hash,"
        " unsigned_pdf_sha256, pdf, fee_vnd FROM certificates WHERE number = %s",
        (number,)).fetchone()
    if row is None:
        return None
    return StoredCertificate(str(row[0]), row[1], row[2], str(row[3]), bytes(row[4]),
                             str(row[5]), str(row[6]), bytes(row[7]), int(row[8]))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
