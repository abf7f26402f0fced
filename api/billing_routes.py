"""Fees over HTTP: the staff record payments; an account's users read its statements.

``POST /v1/staff/payments`` (a key of the registry's staff account, role ``admin``): a
payment in whole đồng, allocated to the oldest statements; a negative, zero or fractional
amount, or anything else wrong, is a 422 naming the field, and nothing is written.
``GET /v1/account/statements`` and ``…/{number}.pdf``: the caller's account's statements.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
import psycopg
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from accounts.callers import Caller
from api.auth import KEY_HEADER
from api.deps import AccountDep, ResourcesDep
from api.errors import ApiProblemError, InvalidQueryError, ServiceUnavailableError
from api.openapi import binary, refusals
from api.resources import Resources
from billing import payments
from billing.periods import parse_as_of
from billing.wording import label
from query.problems import Problem, problem

router = APIRouter()

FIELDS = ("account", "amount_vnd", "reference", "received_at")
STAFF_ONLY = ("Chỉ nhân viên của Cục (khóa API của tài khoản quản trị) được ghi nhận thanh toán.",
              "Only the registry's staff (an API key of the staff account) record payments.")
DB_DOWN = ("Hệ thống tài khoản tạm thời không sẵn sàng, vui lòng thử lại sau.",
           "The account service is temporarily unavailable; please try again shortly.")
NO_STATEMENT = ("Tài khoản của khóa API này không có thông báo phí với số này.",
                "The account of this API key has no statement with this number.")


def _invalid(exc: payments.PaymentProblem) -> InvalidQueryError:
    return InvalidQueryError(Problem(exc.field, exc.rule, exc.message_vi, exc.message_en))


def _body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise InvalidQueryError(problem("body", "json_object"))
    unknown = [problem(key, "unknown_field") for key in body if key not in FIELDS]
    if unknown:
        raise InvalidQueryError(*unknown)
    return body


def _received_at(value: object) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        if isinstance(value, str):
            return parse_as_of(value)
    except ValueError:
        pass
    text = label("payment", "received_at_invalid")
    raise InvalidQueryError(Problem("received_at", "received_at_invalid", text.vi, text.en))


def _missing_account() -> payments.PaymentProblem:
    found = problem("account", "not_empty")
    return payments.PaymentProblem("account", "not_empty", found.message_vi, found.message_en)


def _record(resources: Resources, body: dict[str, Any], caller: Caller
            ) -> payments.Recorded:
    """Check every field first (nothing written on a problem), then record."""
    try:
        code = body.get("account")
        if not isinstance(code, str) or not code.strip():
            raise _missing_account()
        amount = payments.amount_from_json(body.get("amount_vnd"), "amount_vnd")
        reference = payments.reference_from(body.get("reference"), "reference")
        received_at = _received_at(body.get("received_at"))
        with resources.pool.connection() as conn, conn.transaction():
            return payments.record(conn, resources.settings, code=code, amount=amount,
                                   reference=reference, received_at=received_at,
                                   actor=f"staff account {caller.account_id} ({caller.name})")
    except payments.PaymentProblem as exc:
        raise _invalid(exc) from exc
    except (psycopg.OperationalError, TimeoutError) as exc:
        raise ServiceUnavailableError(*DB_DOWN) from exc


@router.post("/v1/staff/payments", status_code=201, tags=["billing"],
             responses={200: {"description": "Recorded before (same reference and amount)"},
                        **refusals(400, 401, (403, "Not the staff"),
                                   (422, "A field is wrong; nothing written"), 503)})
async def record_payment(request: Request, resources: ResourcesDep,
                         caller: AccountDep) -> JSONResponse:
    """Ghi nhận thanh toán / record a payment (staff)."""
    if not caller.is_staff:
        raise ApiProblemError(403, "staff_only", *STAFF_ONLY, field=KEY_HEADER)
    body = _body(await request.body())
    done = await anyio.to_thread.run_sync(_record, resources, body, caller)
    return JSONResponse(status_code=200 if done.already_recorded else 201, content={
        "payment_id": done.payment_id, "account": done.account_code,
        "amount_vnd": done.amount_vnd, "reference": done.reference,
        "allocated_vnd": done.allocated_vnd, "outstanding_vnd": done.outstanding_vnd,
        "suspension_lifted": done.lifted, "already_recorded": done.already_recorded})


def _statements(resources: Resources, account_id: int) -> list[dict[str, Any]]:
    with resources.pool.connection() as conn:
        rows = conn.execute(
            "SELECT s.number, to_char(s.period_start, 'YYYY-MM'), s.issued_at, s.due_on,"
            " s.brought_forward_vnd, s.charges_vnd, s.payments_vnd, s.amount_due_vnd,"
            " (s.charges_vnd - coalesce((SELECT sum(a.amount_vnd) FROM payment_allocations a"
            " WHERE a.statement_id = s.id), 0))::bigint, s.snapshot FROM statements s"
            " WHERE s.account_id = %s"
            " ORDER BY s.period_start DESC", (account_id,)).fetchall()
    keys = ("number", "period", "issued_at", "due_on", "brought_forward_vnd", "charges_vnd",
            "payments_vnd", "amount_due_vnd", "unpaid_vnd")
    found = []
    for row in rows:
        item = dict(zip(keys, row[:-1], strict=True))
        item["watch"] = json.loads(bytes(row[-1])).get("watch")  # the watch list fee line
        item["issued_at"] = item["issued_at"].isoformat()
        item["due_on"] = item["due_on"].isoformat()
        item["pdf"] = f"/v1/account/statements/{item['number']}.pdf"
        found.append(item)
    return found


@router.get("/v1/account/statements", tags=["billing"], responses=refusals(401, 403, 503))
def list_statements(resources: ResourcesDep, caller: AccountDep) -> dict[str, Any]:
    """Các thông báo phí của tài khoản / the account's statements, newest first."""
    assert caller.account_id is not None
    found = _statements(resources, caller.account_id)
    return {"statements": found, "unpaid_vnd": sum(s["unpaid_vnd"] for s in found)}


@router.get("/v1/account/statements/{number}.pdf", tags=["billing"], response_class=Response,
            responses={**binary("application/pdf", description="The statement as issued"),
                       **refusals(401, 403, (404, "Not this account's"), 422, 503)})
def statement_pdf(number: str, resources: ResourcesDep, caller: AccountDep) -> Response:
    """PDF của một thông báo phí / a statement's PDF (the caller's account only)."""
    with resources.pool.connection() as conn:
        row = conn.execute("SELECT pdf FROM statements WHERE number = %s AND account_id = %s",
                           (number, caller.account_id)).fetchone()
    if row is None:
        raise ApiProblemError(404, "statement_not_found", *NO_STATEMENT, field="number")
    return Response(bytes(row[0]), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})
