"""Certified results from the search page: a signed-in user issues one for the search
shown (``POST /tra-cuu/chung-nhan``), sees its number (``/tai-khoan/chung-nhan/{number}``)
and downloads the signed PDF (``….pdf``).

Issuing runs the JSON route's own use case (``api.certificate_routes.issue_certificate``,
after the same check of the account's status as ``PaidServiceDep``): the fee or the
agency's free ground, the freshness wait, the ledger and the audit trail are those of
``POST /v1/certificates``. The PDF is ``certificate_pdf``'s: for the account that asked.
"""

from __future__ import annotations

import anyio.to_thread
import psycopg
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

import accounts
from api import certificate_routes
from api.auth import REGISTRY_DB_DOWN, ensure_paid_service
from api.deps import ResourcesDep
from api.errors import ApiProblemError, InvalidQueryError, ServiceUnavailableError
from api.models import SearchRequest
from certify import store
from certify.numbering import is_valid_number
from certify.render import verification_url
from freshness.errors import FreshnessError
from web import view
from web.pages import page
from web.session import CsrfDep, SignedInDep

router = APIRouter(include_in_schema=False)


def certificate_fee(caller: accounts.Caller, resources: ResourcesDep) -> accounts.Fee:
    """What a certificate costs the caller (shown beside the button)."""
    return accounts.fee_for(caller, "certificate", resources.settings)


def _refused(request: Request, status: int, message: tuple[str, str],
             headers: dict[str, str] | None = None) -> Response:
    return page(request, "refused.html", status=status, headers=headers, message=message,
                retry_after=(headers or {}).get("Retry-After"),
                form={"criterion": "debtor_name", "value": ""},
                title=("Chưa cấp được văn bản chứng nhận",
                       "The certificate could not be issued"))


@router.post("/tra-cuu/chung-nhan", response_class=HTMLResponse)
async def issue(request: Request, resources: ResourcesDep, user: SignedInDep,
                _: CsrfDep) -> Response:
    """Cấp văn bản chứng nhận / issue a certified result of the search shown."""
    form = await request.form()
    chosen, value = str(form.get("criterion") or ""), str(form.get("value") or "")
    if chosen not in view.CHOICE_VALUES:
        chosen = "debtor_name"
    name, party_type = view.choice(chosen)
    try:
        body = SearchRequest.model_validate({name: value, "party_type": party_type})
        caller = await anyio.to_thread.run_sync(ensure_paid_service, user.caller, resources)
        issued = await certificate_routes.issue_certificate(body, request, resources, caller)
    except (ValidationError, InvalidQueryError):
        return RedirectResponse(f"/tra-cuu?criterion={chosen}", status_code=303)
    except ApiProblemError as exc:
        return _refused(request, exc.status, (exc.message_vi, exc.message_en), exc.headers)
    except (ServiceUnavailableError, FreshnessError) as exc:
        return _refused(request, 503, (exc.message_vi, exc.message_en), {"Retry-After": "5"})
    return RedirectResponse(f"/tai-khoan/chung-nhan/{issued['number']}", status_code=303)


def _own(resources: ResourcesDep, number: str, account_id: int | None
         ) -> store.StoredCertificate | None:
    if not is_valid_number(number):
        return None
    try:
        with resources.pool.connection() as conn:
            found = store.load(conn, number)
    except (psycopg.Error, TimeoutError) as exc:
        raise ServiceUnavailableError(*REGISTRY_DB_DOWN) from exc
    return found if found is not None and found.account_id == account_id else None


# before the page's route: ``{number}`` alone would match ``….pdf`` too
@router.get("/tai-khoan/chung-nhan/{number}.pdf")
def certificate_pdf(number: str, resources: ResourcesDep, user: SignedInDep) -> Response:
    """The signed PDF as issued (the account's own only; anyone else: 404)."""
    try:
        return certificate_routes.certificate_pdf(number, resources, user.caller)
    except ApiProblemError:
        return Response(status_code=404)


@router.get("/tai-khoan/chung-nhan/{number}", response_class=HTMLResponse)
def certificate_page(request: Request, number: str, resources: ResourcesDep,
                     user: SignedInDep) -> Response:
    """Một văn bản chứng nhận của tài khoản / one of the account's certificates."""
    found = _own(resources, number, user.caller.account_id)
    if found is None:
        return page(request, "not_found.html", status=404)
    return page(request, "certificate.html", certificate=found,
                verify_url=verification_url(found.number, found.content_hash, ""),
                free_ground=certificate_fee(user.caller, resources).free_ground)
