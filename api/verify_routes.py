"""Verifying certificates: by number and content hash (the link and QR code printed on
every certificate), or by uploading the PDF.

What an answer may say (docs/certificates.md):

- A number alone answers "give the hash" without looking anything up, and a number with a
  hash that is not the one issued under it answers exactly as a number never issued: the
  number reveals nothing without the hash printed beside it.
- The message is a function of the verdict (:func:`answer`), so the two cannot disagree.
- Anonymous callers are limited per client address and minute (``ratelimit``).
"""

from __future__ import annotations

import hmac
from typing import Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api.certificate_models import Verdict as VerdictBody
from api.deps import ResourcesDep, VerificationLimit
from api.errors import ApiProblemError
from api.heavy import run_heavy
from api.openapi import refusals
from api.resources import Resources
from api.upload_limit import read_one_file
from certify import store
from certify.numbering import is_valid_number
from certify.verify import VerificationResult, verify_pdf

router = APIRouter()

Verdict = Literal["genuine", "not_genuine", "hash_required"]

#: The one place a verdict becomes words.
VERDICT_MESSAGES: dict[Verdict, tuple[str, str]] = {
    "genuine": ("Văn bản chứng nhận hợp lệ, chưa bị thay đổi.",
                "The certificate is genuine and unchanged."),
    "not_genuine": ("Văn bản chứng nhận KHÔNG hợp lệ, đã bị thay đổi, hoặc không có văn bản "
                    "nào đã cấp với số và mã băm này.",
                    "The certificate is NOT genuine, has been changed, or no certificate was "
                    "issued with this number and hash."),
    "hash_required": ("Chưa xác minh được: cần mã băm nội dung (sha256) in trên văn bản.",
                      "NOT verified: the content hash (sha256) printed on the document is "
                      "needed."),
}

NOT_A_NUMBER = ("Không tìm thấy văn bản chứng nhận với số này.",
                "No certificate with this number.")


def _reason(code: str, vi: str, en: str) -> dict[str, str]:
    return {"code": code, "vi": vi, "en": en}


NO_MATCH = _reason("no_match", "Không có văn bản chứng nhận nào đã cấp với số và mã băm này.",
                   "No certificate was issued with this number and this hash.")
HASH_NOT_GIVEN = _reason("hash_not_given",
                         "Hãy nhập mã băm in trên văn bản (tham số sha256).",
                         "Give the hash printed on the document (parameter sha256).")
NOT_ON_RECORD = _reason("not_on_record", "Không có văn bản chứng nhận này trong sổ đã cấp.",
                        "This certificate is not in the register of issued certificates.")


def answer(verdict: Verdict, number: str | None, *, result: VerificationResult | None = None,
           found: store.StoredCertificate | None = None,
           reasons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The whole answer for a verdict: its message comes from the verdict alone, and what
    the certificate holds only when the verdict is genuine or the PDF was in hand."""
    vi, en = VERDICT_MESSAGES[verdict]
    shown = result if result is not None else VerificationResult(genuine=False, intact=False)
    return {
        "verdict": verdict,
        "genuine": verdict == "genuine",
        "intact": shown.intact if result is not None else None,
        "number": number,
        "content_hash": shown.content_hash,
        "signer": shown.signer,
        "signed_at": shown.signed_at.isoformat() if shown.signed_at else None,
        "issued_at": found.issued_at.isoformat() if found else None,
        "message_vi": vi,
        "message_en": en,
        "reasons": [r.model_dump() for r in shown.reasons] + (reasons or []),
    }


def _holds(found: store.StoredCertificate, sha256: str) -> bool:
    given = sha256.strip().lower().encode()
    return hmac.compare_digest(given, found.content_hash.encode())


def by_number(resources: Resources, number: str, sha256: str | None) -> dict[str, Any]:
    """The verdict on the certificate issued as ``number`` with content hash ``sha256``."""
    if not is_valid_number(number):
        raise ApiProblemError(404, "certificate_not_found", *NOT_A_NUMBER, field="number")
    if sha256 is None or not sha256.strip():
        return answer("hash_required", number, reasons=[HASH_NOT_GIVEN])
    with resources.pool.connection() as conn:
        found = store.load(conn, number)
    if found is None or not _holds(found, sha256):
        return answer("not_genuine", number, reasons=[NO_MATCH])
    result = verify_pdf(found.pdf, resources.signer().roots, expected_hash=found.content_hash)
    return answer("genuine" if result.genuine else "not_genuine", number, result=result,
                  found=found)


def of_upload(resources: Resources, pdf: bytes) -> dict[str, Any]:
    """The verdict on a PDF someone holds: genuine signature, unchanged, and on record."""
    result = verify_pdf(pdf, resources.signer().roots)
    found = None
    if result.certificate_number and is_valid_number(result.certificate_number):
        with resources.pool.connection() as conn:
            found = store.load(conn, result.certificate_number)
    on_record = found is not None and result.content_hash == found.content_hash
    reasons = [NOT_ON_RECORD] if result.genuine and not on_record else []
    verdict: Verdict = "genuine" if result.genuine and on_record else "not_genuine"
    return answer(verdict, result.certificate_number, result=result,
                  found=found if on_record else None, reasons=reasons)


def wants_json(request: Request, default_json: bool) -> bool:
    """Content negotiation of the verification routes: a browser (``text/html``) gets the
    page, ``application/json`` the verdict, anything else the route's default."""
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return False
    return default_json or "application/json" in accept


def not_a_number(number: str) -> dict[str, Any]:
    """What the page says of a text that is not a certificate number (the JSON answer is
    the 404 ``certificate_not_found``)."""
    return {"verdict": "not_genuine", "genuine": False, "intact": None, "number": number,
            "content_hash": None, "signer": None, "signed_at": None, "issued_at": None,
            "message_vi": NOT_A_NUMBER[0], "message_en": NOT_A_NUMBER[1], "reasons": []}


#: The refusals of a verification by number.
REFUSALS = refusals(401, (404, "Not a certificate number (form or check digit)"), 422,
                    (429, "Too many verifications from this client this minute"), 503)
#: The page's route answers the same verdict as JSON or as the page (content negotiation).
NEGOTIATED: dict[int | str, dict[str, Any]] = {
    200: {"description": "The verdict (JSON) or the verification page (HTML)",
          "content": {"application/json": {}, "text/html": {}}}, **REFUSALS}


@router.get("/v1/certificates/{number}/verify", responses={
    200: {"description": "The verdict", "content": {"application/json": {}}},
    303: {"description": "To a browser (Accept: text/html): the verification page, "
                         "/verify/{number}"}, **REFUSALS})
async def verify_certificate(request: Request, number: str, resources: ResourcesDep,
                             _: VerificationLimit, sha256: str | None = None) -> Response:
    """Is the certificate issued as this number, with this hash, genuine and unchanged?
    JSON; a browser (``Accept: text/html``) is sent to the verification page
    (``/verify/{number}``, served by ``web.verify``)."""
    if not wants_json(request, default_json=True):
        query = f"?{urlencode({'sha256': sha256})}" if sha256 is not None else ""
        return RedirectResponse(f"/verify/{quote(number, safe='')}{query}", status_code=303)
    verdict = await run_heavy(by_number, resources, number, sha256)
    return JSONResponse(verdict)


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}}}}}}}


@router.post("/v1/certificates/verify", openapi_extra=UPLOAD_BODY, response_model=None,
             responses={200: {"model": VerdictBody, "description": "The verdict"},
                        **refusals(400, 401, (413, "Upload larger than verify_max_upload_bytes"),
                                   (422, "No file in the form field 'file'"),
                                   (429, "Too many verifications from this client this "
                                         "minute"), 503)})
async def verify_uploaded(request: Request, resources: ResourcesDep,
                          _: VerificationLimit) -> dict[str, Any]:
    """Check a PDF someone holds (form field ``file``): genuine signature, unchanged, and
    on record. Refused with 413 past ``verify_max_upload_bytes``, before more is read."""
    pdf = await read_one_file(request, "file", resources.settings.verify_max_upload_bytes)
    return await run_heavy(of_upload, resources, pdf)
