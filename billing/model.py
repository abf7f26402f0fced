"""What a statement of fees says: everything printed on it, stored as canonical JSON beside
its PDF. Immutable once made; the totals are checked against the lines."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from certify.snapshot import Issuer

Vnd = Annotated[int, Field(ge=0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AccountBlock(_Frozen):
    """The customer as the statement names it (as it was when the statement was made)."""

    id: int
    code: str
    name: str
    tax_code: str | None = None
    address: str | None = None
    emails: tuple[str, ...] = ()


class Line(_Frozen):
    """One chargeable use: a line of the usage ledger."""

    ledger_id: int
    at: datetime
    user: str | None  # the user's name (None: a line made before users existed)
    user_email: str | None = None
    kind: str
    criterion: str | None
    reference: str | None
    rows: Annotated[int, Field(ge=0)]
    fee_vnd: Vnd
    #: the customer's own reference (loan or file number) given with the use
    client_reference: str | None = None


class PaymentLine(_Frozen):
    payment_id: int
    received_at: datetime
    reference: str
    amount_vnd: Annotated[int, Field(gt=0)]


class WatchCharge(_Frozen):
    """The month's watch list fee: the values watched at any time in the month
    (``billing.watch_fees``), each at the fee per entry and month."""

    entries: Annotated[int, Field(gt=0)]
    fee_per_entry_vnd: Vnd
    fee_vnd: Vnd

    @model_validator(mode="after")
    def _product(self) -> Self:
        if self.fee_vnd != self.entries * self.fee_per_entry_vnd:
            raise ValueError("fee_vnd must be entries x fee_per_entry_vnd")
        return self


class UserTotal(_Frozen):
    user: str | None
    user_email: str | None
    count: int
    fee_vnd: int


class StatementSnapshot(_Frozen):
    schema_version: int = 1
    number: str
    account: AccountBlock
    period_year: int
    period_month: Annotated[int, Field(ge=1, le=12)]
    issued_at: datetime
    due_on: date
    lines: tuple[Line, ...]
    payments: tuple[PaymentLine, ...]
    brought_forward_vnd: int  # negative: a credit carried over
    charges_vnd: Vnd
    payments_vnd: Vnd
    amount_due_vnd: int  # negative: a credit carried to the next statement
    pay_to: str
    issuer: Issuer = Issuer()
    #: The watch list fee of the month (none: nothing watched, or statements made before
    #: watch fees; the canonical JSON then has no ``watch`` member, as before).
    watch: WatchCharge | None = None

    @property
    def lines_vnd(self) -> int:
        """The fees of the ledger lines (the transactions), without the watch fee."""
        return sum(line.fee_vnd for line in self.lines)

    @model_validator(mode="after")
    def _totals(self) -> Self:
        watch = self.watch.fee_vnd if self.watch is not None else 0
        if self.charges_vnd != self.lines_vnd + watch:
            raise ValueError("charges_vnd must be the sum of the lines' fees and the watch fee")
        if self.payments_vnd != sum(p.amount_vnd for p in self.payments):
            raise ValueError("payments_vnd must be the sum of the payments")
        if self.amount_due_vnd != self.brought_forward_vnd - self.payments_vnd + self.charges_vnd:
            raise ValueError("amount_due_vnd must be brought forward - payments + charges")
        return self

    def by_user(self) -> tuple[UserTotal, ...]:
        """Count and fees per user, in the order users first appear."""
        counts: Counter[tuple[str | None, str | None]] = Counter()
        fees: Counter[tuple[str | None, str | None]] = Counter()
        for line in self.lines:
            who = (line.user, line.user_email)
            counts[who] += 1
            fees[who] += line.fee_vnd
        return tuple(UserTotal(user=u, user_email=e, count=counts[(u, e)], fee_vnd=fees[(u, e)])
                     for u, e in counts)


def canonical_json(snapshot: StatementSnapshot) -> bytes:
    """The stored, hashed form: UTF-8 JSON, keys sorted, no insignificant white space."""
    data = snapshot.model_dump(mode="json")
    if data.get("watch") is None:  # the form of statements made before watch fees
        data.pop("watch", None)
    for line in data.get("lines", ()):
        if line.get("client_reference", "") is None:  # as statements made before had it
            del line["client_reference"]
    return json.dumps(data, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def content_hash(snapshot: StatementSnapshot) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()
