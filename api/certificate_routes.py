"""Certified search results: issue, retrieve, verify."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from api import accounts, freshness
from api.auth import client_address
from api.certificate_models import CertificateIssued, Verdict
from api.deps import OPTIONAL_KEY, AccountDep, CallerDep, ResourcesDep
from api.errors import ApiProblemError
from api.issuing import links, requester_of, snapshot_fee
from api.models import SearchRequest
from api.openapi import binary, refusals
from api.resources import Resources
from api.search_routes import run_search, searchable_plan, whole_registrations
from certify import store
from certify.from_search import build_snapshot
from certify.issue import issue
from certify.numbering import is_valid_number
from certify.render import render_pdf
from certify.snapshot import CertificateSnapshot
from certify.verify import VerificationResult, verify_pdf

router = APIRouter()

NOT_FOUND = ("Không tìm thấy văn bản chứng nhận với số này.",
             "No certificate with this number.")


def _load(resources: Resources, number: str) -> store.StoredCertificate:
    if not is_valid_number(number):
        raise ApiProblemError(404, "certificate_not_found", *NOT_FOUND, field="number")
    with resources.pool.connection() as conn:
        found = store.load(conn, number)
    if found is None:
        raise ApiProblemError(404, "certificate_not_found", *NOT_FOUND, field="number")
    return found


@router.post("/v1/certificates", status_code=201, response_model=None,
             responses={201: {"model": CertificateIssued, "description": "Issued"},
                        **refusals(400, 401, 413, 422, 503)})
def issue_certificate(body: SearchRequest, http: Request, resources: ResourcesDep,
                      caller: AccountDep) -> dict[str, Any]:
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


ACCESS_DENIED = (
    "Văn bản chứng nhận chỉ được tải về bằng khóa API của người đã yêu cầu cấp, hoặc kèm mã "
    "băm nội dung (sha256) in trên văn bản.",
    "A certificate can be downloaded only with the API key of the account that requested "
    "it, or with the content hash (sha256) printed on it.")


def _holds(found: store.StoredCertificate, sha256: str | None) -> bool:
    """Whoever holds the certificate knows its number and the hash printed on it."""
    return sha256 is not None and sha256.strip().lower() == found.content_hash


@router.get("/v1/certificates/{number}.pdf", response_class=Response,
            openapi_extra=OPTIONAL_KEY,
            responses={**binary("application/pdf", description="The signed PDF as issued"),
                       **refusals(401, 403, 404, 422, 429, 503)})
def certificate_pdf(number: str, resources: ResourcesDep, caller: CallerDep,
                    sha256: str | None = None) -> Response:
    """The signed PDF exactly as issued: for the account that requested it, or for whoever
    gives the content hash printed on it (certificate numbers run in sequence, so the
    number alone must not open a bank's search)."""
    found = _load(resources, number)
    owner = caller.account_id is not None and caller.account_id == found.account_id
    if not owner and not _holds(found, sha256):
        raise ApiProblemError(403, "certificate_access_denied", *ACCESS_DENIED,
                              field="sha256")
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


@router.get("/v1/certificates/{number}/verify", response_model=None,
            responses={200: {"model": Verdict, "description": "The verdict"},
                       **refusals(404, 422, 429, 503)})
def verify_certificate(number: str, resources: ResourcesDep,
                       sha256: str | None = None) -> dict[str, Any]:
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


@router.post("/v1/certificates/verify", response_model=None,
             responses={200: {"model": Verdict, "description": "The verdict"},
                        **refusals(400, 413, 422, 429, 503)})
async def verify_uploaded(
        file: Annotated[UploadFile, File(description="The certificate PDF to check")],
        resources: ResourcesDep) -> dict[str, Any]:
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
def verification_page(number: str, resources: ResourcesDep, sha256: str | None = None) -> str:
    """The page the QR code opens: Vietnamese with English alongside."""
    try:
        verdict = verify_certificate(number, resources, sha256)
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
