"""Certified search results: issue and retrieve (verifying: ``api.verify_routes``)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

import accounts
import audit
from api.auth import SUSPENDED, client_address
from api.certificate_models import CertificateIssued
from api.deps import OPTIONAL_KEY, CallerDep, PaidServiceDep, ResourcesDep
from api.errors import ApiProblemError
from api.heavy import run_heavy
from api.openapi import binary, refusals
from api.resources import Resources
from api.search_routes import run_search, searchable_plan, whole_registrations
from audit import Searched
from certify import store
from certify.from_search import build_snapshot
from certify.issue import issue
from certify.issuing import links, requester_of, snapshot_fee
from certify.numbering import is_valid_number
from certify.render import render_pdf
from certify.snapshot import CertificateSnapshot
from freshness import guarantee
from query.request import SearchRequest
from query.search import SearchOutcome

router = APIRouter()

NOT_FOUND = ("Không tìm thấy văn bản chứng nhận với số này.",
             "No certificate with this number.")

NO_SUCH_CERTIFICATE = (
    "Không có văn bản chứng nhận với số này mà khóa API hoặc mã băm (sha256) đã cho mở được.",
    "No certificate with this number that the API key or content hash (sha256) given opens.")


def _load(resources: Resources, number: str) -> store.StoredCertificate:
    if not is_valid_number(number):
        raise ApiProblemError(404, "certificate_not_found", *NOT_FOUND, field="number")
    with resources.pool.connection() as conn:
        found = store.load(conn, number)
    if found is None:
        raise ApiProblemError(404, "certificate_not_found", *NO_SUCH_CERTIFICATE,
                              field="number")
    return found


@dataclass(frozen=True)
class _Found:
    """What the certificate will say it found, and the registry position it was found at."""

    outcome: SearchOutcome
    current_as_of: datetime
    registry_lsn: str


def _find(resources: Resources, body: SearchRequest) -> _Found:
    """The search a certificate certifies, once the index holds every earlier commit (I/O:
    Elasticsearch, waiting for the indexer)."""
    candidate_plan = searchable_plan(body)
    current_as_of, registry_lsn = guarantee.wait_until_current(resources.es,
                                                                 resources.settings)
    outcome = run_search(resources, body, candidate_plan)
    shown = whole_registrations(resources, body, outcome, outcome.exact + outcome.close)
    outcome.exact = [m for m in shown if m.tier == "exact"]
    outcome.close = [m for m in shown if m.tier == "close"]
    return _Found(outcome, current_as_of, registry_lsn)


def _issue_found(resources: Resources, body: SearchRequest, caller: accounts.Caller,
                 found: _Found, client: str) -> dict[str, Any]:
    """Number, render, sign and store the certificate, its ledger entry and its audit row in
    one transaction (CPU-heavy: run in the bounded pool, ``api.heavy``)."""
    settings = resources.settings
    criterion, value = body.criterion
    fee = accounts.fee_for(caller, "certificate", settings)

    def build(number: str, issued_at: datetime) -> CertificateSnapshot:
        return build_snapshot(
            number=number, issued_at=issued_at, current_as_of=found.current_as_of,
            registry_lsn=found.registry_lsn, criterion=criterion, value=value,
            party_type=body.party_type, id_type=body.id_type, requester=requester_of(caller),
            fee=snapshot_fee(fee, settings), outcome=found.outcome,
            include_deleted=body.include_deleted, client_reference=body.client_reference)

    def render(snapshot: CertificateSnapshot) -> bytes:
        return render_pdf(snapshot, verify_base_url=settings.public_base_url)

    signer = resources.signer()
    with resources.pool.connection() as conn, conn.transaction():
        issued = issue(conn, signer.key, build=build, render=render,
                       account_id=caller.account_id, user_id=caller.user_id,
                       criterion=criterion, fee_vnd=fee.amount_vnd,
                       client_reference=body.client_reference)
        accounts.record_usage(conn, caller, "certificate", fee, criterion=criterion,
                              reference=issued.number, client=client,
                              client_reference=body.client_reference)
        audit.record_certificate(conn, caller, client, Searched.of(
            body, issued.snapshot.exact_count, issued.snapshot.close_count), issued.number)
    snapshot, number, digest = issued.snapshot, issued.number, issued.content_hash
    return {
        "number": number,
        "issued_at": snapshot.issued_at.isoformat(),
        "registry_current_as_of": snapshot.registry_current_as_of.commit_time.isoformat(),
        "registry_position": found.registry_lsn,
        "exact_count": snapshot.exact_count,
        "close_count": snapshot.close_count,
        "fee_vnd": fee.amount_vnd,
        "free_ground": snapshot.fee.free_ground,
        "content_hash": digest,
        "client_reference": snapshot.client_reference,
        "links": links(settings, number, digest),
    }


@router.post("/v1/certificates", status_code=201, response_model=None,
             responses={201: {"model": CertificateIssued, "description": "Issued"},
                        **refusals(400, 401, SUSPENDED, 413, 422, 503)})
async def issue_certificate(body: SearchRequest, http: Request, resources: ResourcesDep,
                            caller: PaidServiceDep) -> dict[str, Any]:
    """Cấp văn bản chứng nhận kết quả tra cứu / issue a certified search result."""
    body = body.model_copy(update={"close_offset": 0})  # a certificate starts at the top
    found = await anyio.to_thread.run_sync(_find, resources, body)
    # render and sign in the bounded pool: a burst of certificates waits its turn there
    # instead of filling the default thread pool (and the database pool) with PDF work
    return await run_heavy(_issue_found, resources, body, caller, found, client_address(http))



@router.get("/v1/certificates/{number}.pdf", response_class=Response,
            openapi_extra=OPTIONAL_KEY,
            responses={**binary("application/pdf", description="The signed PDF as issued"),
                       **refusals(401, 403, 404, 422, 429, 503)})
def certificate_pdf(number: str, resources: ResourcesDep, caller: CallerDep,
                    sha256: str | None = None) -> Response:
    """The signed PDF exactly as issued: for the account that requested it, or for whoever
    gives the content hash printed on it. Anyone else gets the same 404 whether or not the
    number was issued: the number alone reveals nothing (docs/certificates.md)."""
    found = _load(resources, number)
    owner = caller.account_id is not None and caller.account_id == found.account_id
    if not owner and not (sha256 and hmac.compare_digest(
            sha256.strip().lower().encode(), found.content_hash.encode())):
        raise ApiProblemError(404, "certificate_not_found", *NO_SUCH_CERTIFICATE,
                              field="number")
    return Response(content=found.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})
