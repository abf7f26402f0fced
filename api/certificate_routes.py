"""Certified search results: issue, retrieve, verify."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from api import accounts, audit, freshness
from api.audit import Searched
from api.auth import client_address, current_caller, require_account
from api.errors import ApiProblemError
from api.heavy import run_heavy
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
from certify.verify import VerificationResult, verify_pdf
from query.search import SearchOutcome

router = APIRouter()

NOT_FOUND = ("Không tìm thấy văn bản chứng nhận với số này.",
             "No certificate with this number.")


def _load(resources: Resources, number: str) -> store.StoredCertificate:
    if not is_valid_number(number):
        raise ApiProblemError(404, "certificate_not_found", *NOT_FOUND)
    with resources.pool.connection() as conn:
        found = store.load(conn, number)
    if found is None:
        raise ApiProblemError(404, "certificate_not_found", *NOT_FOUND)
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
    current_as_of, registry_lsn = freshness.wait_until_current(resources)
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
            include_deleted=body.include_deleted)

    def render(snapshot: CertificateSnapshot) -> bytes:
        return render_pdf(snapshot, verify_base_url=settings.public_base_url)

    signer = resources.signer()
    with resources.pool.connection() as conn, conn.transaction():
        issued = issue(conn, signer.key, build=build, render=render,
                       account_id=caller.account_id, criterion=criterion,
                       fee_vnd=fee.amount_vnd)
        accounts.record_usage(conn, caller, "certificate", fee, criterion=criterion,
                              reference=issued.number, client=client)
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
        "links": links(settings, number, digest),
    }


@router.post("/v1/certificates", status_code=201)
async def issue_certificate(
    body: SearchRequest, http: Request,
    resources: Resources = Depends(get_resources),
    caller: accounts.Caller = Depends(require_account),
) -> dict[str, Any]:
    """Cấp văn bản chứng nhận kết quả tra cứu / issue a certified search result."""
    body = body.model_copy(update={"close_offset": 0})  # a certificate starts at the top
    found = await anyio.to_thread.run_sync(_find, resources, body)
    # render and sign in the bounded pool: a burst of certificates waits its turn there
    # instead of filling the default thread pool (and the database pool) with PDF work
    return await run_heavy(_issue_found, resources, body, caller, found, client_address(http))


ACCESS_DENIED = (
    "Văn bản chứng nhận chỉ được tải về bằng khóa API của người đã yêu cầu cấp, hoặc kèm mã "
    "băm nội dung (sha256) in trên văn bản.",
    "A certificate can be downloaded only with the API key of the account that requested "
    "it, or with the content hash (sha256) printed on it.")


def _holds(found: store.StoredCertificate, sha256: str | None) -> bool:
    """Whoever holds the certificate knows its number and the hash printed on it."""
    return sha256 is not None and sha256.strip().lower() == found.content_hash


@router.get("/v1/certificates/{number}.pdf")
def certificate_pdf(number: str, sha256: str | None = None,
                    resources: Resources = Depends(get_resources),
                    caller: accounts.Caller = Depends(current_caller)) -> Response:
    """The signed PDF exactly as issued: for the account that requested it, or for whoever
    gives the content hash printed on it (certificate numbers run in sequence, so the
    number alone must not open a bank's search)."""
    found = _load(resources, number)
    owner = caller.account_id is not None and caller.account_id == found.account_id
    if not owner and not _holds(found, sha256):
        raise ApiProblemError(403, "certificate_access_denied", *ACCESS_DENIED)
    return Response(content=found.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})


def _verify_stored(resources: Resources, found: store.StoredCertificate) -> dict[str, Any]:
    result = verify_pdf(found.pdf, resources.signer().roots,
                        expected_hash=found.content_hash)
    return _verdict(result, found)


def _verdict(result: VerificationResult, found: store.StoredCertificate | None) -> dict[str, Any]:
    on_record = found is not None and result.content_hash == found.content_hash
    genuine = result.genuine and on_record
    reasons = [r.model_dump() for r in result.reasons]
    if result.genuine and not on_record:
        reasons.append({"code": "not_on_record",
                        "vi": "Không có văn bản chứng nhận này trong sổ đã cấp.",
                        "en": "This certificate is not in the register of issued certificates."})
    return {
        "genuine": genuine,
        "intact": result.intact,
        "number": result.certificate_number,
        "content_hash": result.content_hash,
        "signer": result.signer,
        "signed_at": result.signed_at.isoformat() if result.signed_at else None,
        "issued_at": found.issued_at.isoformat() if found else None,
        "message_vi": "Văn bản chứng nhận hợp lệ, chưa bị thay đổi." if genuine else
        "Văn bản chứng nhận KHÔNG hợp lệ hoặc đã bị thay đổi.",
        "message_en": "The certificate is genuine and unchanged." if genuine else
        "The certificate is NOT genuine or has been changed.",
        "reasons": reasons,
    }


@router.get("/v1/certificates/{number}/verify")
def verify_certificate(number: str, sha256: str | None = None,
                       resources: Resources = Depends(get_resources)) -> dict[str, Any]:
    """Is the certificate on record genuine and unchanged (and, given, is this its hash)?"""
    found = _load(resources, number)
    verdict = _verify_stored(resources, found)
    if sha256 is None:
        # the number alone says the certificate exists and is intact, not what it holds
        verdict["content_hash"] = None
        verdict["reasons"].append({
            "code": "hash_not_given",
            "vi": "Hãy so sánh với mã băm in trên văn bản (tham số sha256).",
            "en": "Compare with the hash printed on the document (parameter sha256)."})
    elif not _holds(found, sha256):
        verdict["genuine"] = False
        verdict["content_hash"] = None
        verdict["reasons"].append({"code": "hash_mismatch",
                                   "vi": "Mã băm không khớp với văn bản đã cấp.",
                                   "en": "The hash does not match the certificate issued."})
    return verdict


@router.post("/v1/certificates/verify")
async def verify_uploaded(file: UploadFile = File(...),
                          resources: Resources = Depends(get_resources)) -> dict[str, Any]:
    """Check a PDF someone holds: genuine signature, unchanged, and on record."""
    from certify.verify import async_verify_pdf

    pdf = await file.read()
    result = await async_verify_pdf(pdf, resources.signer().roots)
    found = None
    if result.certificate_number and is_valid_number(result.certificate_number):
        with resources.pool.connection() as conn:
            found = store.load(conn, result.certificate_number)
    return _verdict(result, found)


@router.get("/verify/{number}", response_class=HTMLResponse, include_in_schema=False)
def verification_page(number: str, sha256: str | None = None,
                      resources: Resources = Depends(get_resources)) -> str:
    """The page the QR code opens: Vietnamese with English alongside."""
    try:
        verdict = verify_certificate(number, sha256, resources)
    except ApiProblemError:
        verdict = {"genuine": False, "message_vi": NOT_FOUND[0], "message_en": NOT_FOUND[1],
                   "reasons": [], "issued_at": None, "content_hash": None}
    colour = "#0a6b2d" if verdict["genuine"] else "#a30000"
    rows = "".join(f"<li>{html.escape(r['vi'])} <i>({html.escape(r['en'])})</i></li>"
                   for r in verdict["reasons"])
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Xác minh văn bản chứng nhận / Certificate verification</title></head>
<body style="font-family: DejaVu Sans, sans-serif; max-width: 46em; margin: 2em auto">
<h1>Xác minh văn bản chứng nhận kết quả tra cứu</h1>
<p><i>Certified search result verification</i></p>
<p>Số / Number: <b>{html.escape(number)}</b></p>
<p style="color:{colour}; font-size: 1.3em"><b>{html.escape(verdict["message_vi"])}</b><br>
<i>{html.escape(verdict["message_en"])}</i></p>
<p>Thời điểm cấp / Issued at: {html.escape(str(verdict.get("issued_at") or "—"))}<br>
Mã băm nội dung / Content hash:
<code>{html.escape(str(verdict.get("content_hash") or "—"))}</code></p>
<ul>{rows}</ul>
</body></html>"""
