"""The requester's client reference on certificates: printed in the details (single search
and whole batch), covered by the content hash, and absent from the stored form when there
is none (so certificates issued before keep their hash)."""

from __future__ import annotations

import json
import unicodedata

from certify.batch_render import render_batch_pdf
from certify.batch_snapshot import BatchCertificateSnapshot
from certify.render import render_pdf
from certify.snapshot import CertificateSnapshot, canonical_json, content_hash
from tests.certify.batch_factories import make_batch_snapshot
from tests.certify.conftest import pdftotext
from tests.certify.factories import make_snapshot

REFERENCE = "HĐTD-2026/00123 (CN Hà Nội)"


def _text(pdf: bytes) -> str:
    return unicodedata.normalize("NFC", " ".join(pdftotext(pdf).split()))


def test_a_certificate_prints_its_reference_and_hashes_it() -> None:
    plain = make_snapshot(1)
    marked = CertificateSnapshot.model_validate(
        {**plain.model_dump(mode="json"), "client_reference": REFERENCE})
    assert content_hash(marked) != content_hash(plain)
    assert json.loads(canonical_json(marked))["client_reference"] == REFERENCE
    assert "client_reference" not in json.loads(canonical_json(plain))
    text = _text(render_pdf(marked))
    assert "Số tham chiếu của khách" in text and "Client's own reference" in text
    assert REFERENCE in text
    assert "Số tham chiếu của khách" not in _text(render_pdf(plain))


def test_a_batch_certificate_prints_the_batchs_reference() -> None:
    snapshot, data = make_batch_snapshot(2)
    marked = BatchCertificateSnapshot.model_validate(
        {**snapshot.model_dump(mode="json"), "client_reference": REFERENCE})
    assert "client_reference" not in json.loads(canonical_json(snapshot))
    text = _text(render_batch_pdf(marked, data))
    assert "Số tham chiếu của khách" in text and REFERENCE in text
