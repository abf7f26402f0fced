"""Payments recorded by the registry's staff, in whole đồng, allocated to the oldest
statements; paying the whole debt lifts a suspension for unpaid fees in the same
transaction.

``amount_from`` and ``reference_from`` check what a person typed or an API client sent
and raise ``PaymentProblem`` (bilingual, naming the field) before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import psycopg

from billing import allocation, dunning
from billing.wording import label
from core.settings import Settings

#: PostgreSQL's bigint; no payment comes near it (a trillion đồng is 10^12).
MAX_AMOUNT = 10**15
MAX_REFERENCE = 200
_DIGITS = re.compile(r"[0-9]+")


class PaymentProblem(ValueError):  # noqa: N818 (a problem with the request, as query.problems)
    """Bad input: nothing was written. ``field`` and ``rule`` name what and why."""

    def __init__(self, field: str, rule: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{field}: {message_en}")
        self.field, self.rule = field, rule
        self.message_vi, self.message_en = message_vi, message_en


def _problem(field: str, rule: str, **values: object) -> PaymentProblem:
    text = label("payment", rule).format(**values)
    return PaymentProblem(field, rule, text.vi, text.en)


def amount_from(value: object, field: str = "amount_vnd") -> int:
    """A positive whole number of đồng, from JSON (a number: 250000 or 250000.0) or from
    a command line (digits only; "-5", "0" and "12.5" get the rule they break)."""
    if isinstance(value, bool):
        raise _problem(field, "not_a_number")
    if isinstance(value, str):
        text = value.strip()
        if not _DIGITS.fullmatch(text):
            return _whole(_decimal(text, field), field)
        return _whole(Decimal(text), field)
    if isinstance(value, int):
        return _whole(Decimal(value), field)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _problem(field, "not_a_number")
        return _whole(Decimal(value), field)
    raise _problem(field, "not_a_number")


def amount_from_json(value: object, field: str = "amount_vnd") -> int:
    """As ``amount_from``, for a JSON body: the amount is a number, never a string."""
    if isinstance(value, str):
        raise _problem(field, "not_a_number")
    return amount_from(value, field)


def _decimal(text: str, field: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise _problem(field, "not_a_number") from exc
    if not number.is_finite():
        raise _problem(field, "not_a_number")
    return number


def _whole(number: Decimal, field: str) -> int:
    if number <= 0:
        raise _problem(field, "not_positive")
    if number != number.to_integral_value():
        raise _problem(field, "not_whole_dong")
    if number > MAX_AMOUNT:
        raise _problem(field, "too_large")
    return int(number)


def reference_from(value: object, field: str = "reference") -> str:
    if not isinstance(value, str) or not value.strip():
        raise _problem(field, "reference_missing")
    text = " ".join(value.split())
    if len(text) > MAX_REFERENCE:
        raise _problem(field, "reference_too_long", limit=MAX_REFERENCE)
    return text


@dataclass(frozen=True)
class Recorded:
    payment_id: int
    account_code: str
    amount_vnd: int
    reference: str
    allocated_vnd: int  # of this call's allocation (this payment and any earlier credit)
    outstanding_vnd: int  # the whole debt left on statements
    lifted: bool  # a suspension for unpaid fees ended
    already_recorded: bool  # the reference was recorded before, with the same amount


def account_for_payment(conn: psycopg.Connection[Any], code: str) -> int:
    row = conn.execute("SELECT id, role FROM accounts WHERE code = %s",
                       (code.strip(),)).fetchone()
    if row is None:
        raise _problem("account", "account_unknown", code=code)
    if row[1] != "customer":
        raise _problem("account", "account_not_customer", code=code)
    return int(row[0])


def record(conn: psycopg.Connection[Any], settings: Settings, *, code: str, amount: int,
           reference: str, received_at: datetime, actor: str) -> Recorded:
    """Record a payment (in the caller's transaction), allocate it, lift a suspension for
    fees when nothing is owed any more. The same reference again with the same amount
    returns the payment recorded before; with another amount it is refused."""
    account_id = account_for_payment(conn, code)
    allocation.lock_account(conn, account_id)
    row = conn.execute(
        "INSERT INTO payments (account_id, amount_vnd, reference, received_at, recorded_by)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (account_id, reference) DO NOTHING"
        " RETURNING id", (account_id, amount, reference, received_at, actor)).fetchone()
    again = row is None
    if row is None:
        row = conn.execute("SELECT id, amount_vnd FROM payments WHERE account_id = %s"
                           " AND reference = %s", (account_id, reference)).fetchone()
        assert row is not None
        if int(row[1]) != amount:
            raise _problem("reference", "reference_used", amount=int(row[1]))
    moved = allocation.allocate(conn, account_id, received_at)
    left = allocation.outstanding(conn, account_id)
    lifted = dunning.lift_if_paid(conn, account_id, received_at, reference) if left == 0 else False
    return Recorded(payment_id=int(row[0]), account_code=code.strip(), amount_vnd=amount,
                    reference=reference, allocated_vnd=moved, outstanding_vnd=left,
                    lifted=lifted, already_recorded=again)
