"""Issue a certificate: reserve its number, build its snapshot, render, sign and store it.

The steps every certificate goes through, single search or whole batch, in the
caller's transaction: if anything fails, no number is used up in the register and
nothing is stored (the sequence may skip a number, which is allowed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import psycopg
from pydantic import BaseModel

from certify import store
from certify.signing import SigningKey, sign_with
from certify.snapshot import canonical_json, content_hash

SnapshotT = TypeVar("SnapshotT", bound=BaseModel)


@dataclass(frozen=True)
class Issued(Generic[SnapshotT]):
    number: str
    issued_at: datetime
    snapshot: SnapshotT
    content_hash: str
    pdf: bytes


def issue(
    conn: psycopg.Connection[Any],
    key: SigningKey,
    *,
    build: Callable[[str, datetime], SnapshotT],
    render: Callable[[SnapshotT], bytes],
    account_id: int | None,
    criterion: str,
    user_id: int | None = None,
    fee_vnd: int,
    client_reference: str | None = None,
) -> Issued[SnapshotT]:
    """``build(number, issued_at)`` makes the snapshot, ``render`` its unsigned PDF; the
    signed PDF is stored under the number with the snapshot's canonical form and hash.
    Call inside a transaction on ``conn`` (the service database)."""
    issued_at = datetime.now(UTC)
    seq, number = store.reserve_number(conn, issued_at)
    snapshot = build(number, issued_at)
    digest = content_hash(snapshot)
    unsigned = render(snapshot)
    signed = sign_with(unsigned, key)
    store.insert(conn, seq, store.StoredCertificate(
        number=number, issued_at=issued_at, account_id=account_id, user_id=user_id,
        criterion=criterion,
        snapshot=canonical_json(snapshot), content_hash=digest,
        unsigned_pdf_sha256=store.sha256(unsigned), pdf=signed, fee_vnd=fee_vnd,
        client_reference=client_reference))
    return Issued(number, issued_at, snapshot, digest, signed)
