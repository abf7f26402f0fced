"""Certified search results: issue and retrieve (verifying: ``api.verify_routes``)."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api import accounts, freshness
from api.auth import client_address, current_caller, require_account
from api.errors import ApiProblemError
from api.issuing import links, requester_of, snapshot_fee
from api.models import SearchRequest
from api.resources import Resources, get_resources
from api.search_routes import run_search, searchable_plan, whole_registrations
from certify import store
from certify.from_search import build_snapshot
from certify.issue import issue
from certify.numbering import is_valid_number
from certify.render import render_pdf
from certify.snapshot import CertificateSnapshot

router = APIRouter()

NOT_FOUND = ("Không tìm thấy văn bản chứng nhận với số này.",
             "No certificate with this number.")

NO_SUCH_CERTIFICATE = (
    "Không có văn bản chứng nhận với số này mà khóa API hoặc mã băm (sha256) đã cho mở được.",
    "No certificate with this number that the API key or content hash (sha256) given opens.")


def _load(resources: Resources, number: str) -> store.StoredCertificate:
    if not is_valid_number(number):
        raise ApiProblemError(404, "certificate_not_found", *NOT_FOUND)
    with resources.pool.connection() as conn:
        found = store.load(conn, number)
    if found is None:
        raise ApiProblemError(404, "certificate_not_found", *NO_SUCH_CERTIFICATE)
    return found


@router.post("/v1/certificates", status_code=201)
def issue_certificate(
    body: SearchRequest, http: Request,
    resources: Resources = Depends(get_resources),
    caller: accounts.Caller = Depends(require_account),
) -> dict[str, Any]:
    """Cấp văn bản chứng nhận kết quả tra cứu / issue a certified search result."""
    settings = resources.settings
    body = body.model_copy(update={"close_offset": 0})  # a certificate starts at the top
    criterion, value = body.criterion
    candidate_plan = searchable_plan(body)
    current_as_of, registry_lsn = freshness.wait_until_current(resources)
    outcome = run_search(resources, body, candidate_plan)
    shown = whole_registrations(resources, body, outcome, outcome.exact + outcome.close)
    outcome.exact = [m for m in shown if m.tier == "exact"]
    outcome.close = [m for m in shown if m.tier == "close"]
    fee = accounts.fee_for(caller, "certificate", settings)

    def build(number: str, issued_at: datetime) -> CertificateSnapshot:
        return build_snapshot(
            number=number, issued_at=issued_at, current_as_of=current_as_of,
            registry_lsn=registry_lsn, criterion=criterion, value=value,
            party_type=body.party_type, id_type=body.id_type, requester=requester_of(caller),
            fee=snapshot_fee(fee, settings), outcome=outcome,
            include_deleted=body.include_deleted)

    def render(snapshot: CertificateSnapshot) -> bytes:
        return render_pdf(snapshot, verify_base_url=settings.public_base_url)

    signer = resources.signer()
    with resources.pool.connection() as conn, conn.transaction():
        store.ensure_schema(conn)
        issued = issue(conn, signer.key, build=build, render=render,
                       account_id=caller.account_id, criterion=criterion,
                       fee_vnd=fee.amount_vnd)
        accounts.record_usage(conn, caller, "certificate", fee, criterion=criterion,
                              reference=issued.number, client=client_address(http))
    snapshot, number, digest = issued.snapshot, issued.number, issued.content_hash
    return {
        "number": number,
        "issued_at": snapshot.issued_at.isoformat(),
        "registry_current_as_of": snapshot.registry_current_as_of.commit_time.isoformat(),
        "registry_position": registry_lsn,
        "exact_count": snapshot.exact_count,
        "close_count": snapshot.close_count,
        "fee_vnd": fee.amount_vnd,
        "free_ground": snapshot.fee.free_ground,
        "content_hash": digest,
        "links": links(settings, number, digest),
    }


@router.get("/v1/certificates/{number}.pdf")
def certificate_pdf(number: str, sha256: str | None = None,
                    resources: Resources = Depends(get_resources),
                    caller: accounts.Caller = Depends(current_caller)) -> Response:
    """The signed PDF exactly as issued: for the account that requested it, or for whoever
    gives the content hash printed on it. Anyone else gets the same 404 whether or not the
    number was issued: the number alone reveals nothing (docs/certificates.md)."""
    found = _load(resources, number)
    owner = caller.account_id is not None and caller.account_id == found.account_id
    if not owner and not (sha256 and hmac.compare_digest(
            sha256.strip().lower().encode(), found.content_hash.encode())):
        raise ApiProblemError(404, "certificate_not_found", *NO_SUCH_CERTIFICATE)
    return Response(content=found.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})
