"""The account's fees as pages: transactions (``/tai-khoan/giao-dich``, a month at a time)
and statements (``/tai-khoan/thong-bao-phi``, each PDF as issued). Each calls the JSON
route's own function with the signed-in caller (``api.account_routes.transactions``,
``api.billing_routes.list_statements`` and ``statement_pdf``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api import account_routes, billing_routes
from api.deps import ResourcesDep
from api.errors import ApiProblemError
from web.pages import page
from web.session import SignedInDep

router = APIRouter(include_in_schema=False)
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def month_bounds(month: str, now: datetime) -> tuple[str, datetime, datetime]:
    """``YYYY-MM`` (Vietnam's calendar; anything else: this month) → the month shown and
    its first instant and the next month's."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=VN_TZ)
    except ValueError:
        local = now.astimezone(VN_TZ)
        start = datetime(local.year, local.month, 1, tzinfo=VN_TZ)
    if not 2000 <= start.year <= 9998:
        local = now.astimezone(VN_TZ)
        start = datetime(local.year, local.month, 1, tzinfo=VN_TZ)
    end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start.strftime("%Y-%m"), start, end


def _shifted(month: datetime, by: int) -> str:
    index = month.year * 12 + month.month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@router.get("/tai-khoan/giao-dich", response_class=HTMLResponse)
def transactions_page(request: Request, resources: ResourcesDep, user: SignedInDep,
                      thang: str = "") -> Response:
    """Giao dịch / the month's charged lines, each naming the user who asked."""
    shown, start, end = month_bounds(thang, datetime.now(VN_TZ))
    lines = account_routes.transactions(resources, user.caller, start=start, end=end)
    return page(request, "transactions.html", lines=lines, month=shown,
                previous=_shifted(start, -1), next=_shifted(start, 1),
                total=sum(int(line["fee_vnd"] or 0) for line in lines))


@router.get("/tai-khoan/thong-bao-phi", response_class=HTMLResponse)
def statements_page(request: Request, resources: ResourcesDep, user: SignedInDep) -> Response:
    """Thông báo phí / the account's statements, newest first."""
    return page(request, "statements.html",
                found=billing_routes.list_statements(resources, user.caller))


@router.get("/tai-khoan/thong-bao-phi/{number}.pdf")
def statement_pdf(number: str, resources: ResourcesDep, user: SignedInDep) -> Response:
    """A statement's PDF as issued (the account's own only; anyone else: 404)."""
    try:
        return billing_routes.statement_pdf(number, resources, user.caller)
    except ApiProblemError:
        return Response(status_code=404)
