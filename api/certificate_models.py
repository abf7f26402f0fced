"""Response bodies of the certificate routes, for the OpenAPI document.

The routes build their answers as plain values; these models describe them (declared with
``responses=``, not ``response_model=``, so a member added to an answer is never dropped
silently), and ``tests/api/test_openapi_conformance.py`` holds the answers to them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class CertificateLinks(BaseModel):
    pdf: str = Field(description="The signed PDF (with the content hash)")
    verify: str = Field(description="Verification by number and hash")
    verify_page: str = Field(description="The verification page the QR code opens")


class CertificateIssued(BaseModel):
    """A certified search result, issued."""

    number: str
    issued_at: str
    registry_current_as_of: str = Field(
        description="Commit time of the last registry change the result reflects")
    registry_position: str = Field(description="The registry's position (LSN) searched at")
    exact_count: int
    close_count: int
    fee_vnd: int
    free_ground: str | None = Field(description="Legal ground when free of charge")
    content_hash: str = Field(description="SHA-256 of the PDF, printed on it")
    client_reference: str | None = Field(default=None, description="As given, printed on it")
    links: CertificateLinks


class VerificationReason(BaseModel):
    code: str
    vi: str
    en: str


class Verdict(BaseModel):
    """Is a certificate genuine, unchanged and on record?"""

    verdict: Literal["genuine", "not_genuine", "hash_required"] = Field(
        description="The verdict; the messages always say what it says")
    genuine: bool
    intact: bool | None = Field(description="The signed bytes are unchanged")
    number: str | None
    content_hash: str | None
    signer: str | None
    signed_at: str | None
    issued_at: str | None
    message_vi: str
    message_en: str
    reasons: list[VerificationReason]


class BatchCertificateIssued(BaseModel):
    """One certificate for a whole finished batch."""

    number: str
    issued_at: str
    existing: bool = Field(description="Issued before (not charged again)")
    batch_id: str
    file_name: str
    registry_current_as_of: str = Field(description="The earliest of the rows' watermarks")
    registry_searched_at: dict[str, Any]
    rows: dict[str, Any]
    rows_listed: int
    fee_vnd: int
    free_ground: str | None
    content_hash: str
    client_reference: str | None = Field(default=None, description="The batch's, printed")
    results_file: dict[str, Any]
    links: CertificateLinks


class CertificateIssuing(BaseModel):
    """A worker is issuing a big batch's certificate: ask again after ``retry_after_s``."""

    state: str = Field(description="issuing")
    batch_id: str
    requested_at: str
    retry_after_s: int
    links: dict[str, str]
