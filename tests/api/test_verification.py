"""Verifying certificates against the real services: the message says what the verdict
says, numbers reveal nothing without the hash, the QR link opens the page, and uploads are
bounded and rate-limited."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import wait_until

pytestmark = pytest.mark.services

NOT_GENUINE_VI = "KHÔNG"
GENUINE_VI = "Văn bản chứng nhận hợp lệ, chưa bị thay đổi."


@pytest.fixture(autouse=True)
def fresh_limits(settings: Any) -> None:
    """Each test starts with no verifications counted this minute."""
    import redis

    client = redis.Redis.from_url(settings.redis_url)
    for key in client.scan_iter("regsearch:ratelimit:verify:*"):
        client.delete(key)


def _client(**overrides: Any) -> TestClient:
    from core.settings import Settings
    from server.app import create_app

    return TestClient(create_app(Settings(**overrides)))


@pytest.fixture()
def issued(api_client: TestClient, settings: Any) -> dict[str, Any]:
    """One certificate issued through the API, with its PDF."""
    import accounts

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        bank = accounts.create_account(conn, "Ngân hàng TMCP Thử nghiệm", "customer")
        key = accounts.issue_key(conn, bank)
    commit(REGISTRATION)
    wait_until(lambda: numbers(api_client, {"debtor_name": "Nguyen Thi Nhu Quynh"}),
               what="searchable")
    response = api_client.post("/v1/certificates", json={"debtor_name": "Nguyen Thi Nhu Quynh"},
                               headers={"x-api-key": key})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    body["key"] = key
    body["pdf"] = api_client.get(f"/v1/certificates/{body['number']}.pdf",
                                 headers={"x-api-key": key}).content
    return body


def _pages_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_a_wrong_hash_reads_not_genuine(issued: dict[str, Any]) -> None:
    number = issued["number"]
    with _client(public_verifications_per_minute=1000) as client:
        for url in (f"/v1/certificates/{number}/verify", f"/verify/{number}"):
            wrong = client.get(url, params={"sha256": "00"},
                               headers={"accept": "application/json"}).json()
            assert wrong["genuine"] is False and wrong["verdict"] == "not_genuine"
            assert NOT_GENUINE_VI in wrong["message_vi"] and "NOT" in wrong["message_en"]
            assert "hợp lệ, chưa bị thay đổi" not in wrong["message_vi"]
        page = client.get(f"/verify/{number}", params={"sha256": "00"}).text
        assert NOT_GENUINE_VI in page and GENUINE_VI not in page
        right = client.get(f"/verify/{number}", params={"sha256": issued["content_hash"]},
                           headers={"accept": "application/json"}).json()
        assert right["genuine"] is True and right["message_vi"] == GENUINE_VI


def test_the_message_is_a_function_of_the_verdict() -> None:
    from api.verify_routes import VERDICT_MESSAGES, answer

    for verdict, (vi, en) in VERDICT_MESSAGES.items():
        said = answer(verdict, "CN-2026-00000001-4")
        assert (said["message_vi"], said["message_en"]) == (vi, en)
        assert said["genuine"] is (verdict == "genuine")


def _guess_numbers(issued_number: str) -> list[str]:
    from certify.numbering import new_number, parse_number

    real = parse_number(issued_number)
    return [new_number(seq, real.year) for seq in range(1, 101)]


def test_guessing_numbers_reveals_nothing(issued: dict[str, Any]) -> None:
    """100 guesses, the issued number among them: every answer is the same but for the
    number it repeats."""
    guesses = _guess_numbers(issued["number"])
    assert issued["number"] in guesses
    with _client(public_verifications_per_minute=1000, public_searches_per_minute=1000) as c:
        seen: dict[str, set[str]] = {"json": set(), "json_nohash": set(), "page": set(),
                                     "pdf": set()}
        for guess in guesses:
            def same(text: str, guess: str = guess) -> str:
                return text.replace(guess, "{n}")

            for sha in ("00", "0" * 64):
                json_answer = c.get(f"/v1/certificates/{guess}/verify", params={"sha256": sha})
                seen["json"].add(f"{json_answer.status_code} {same(json_answer.text)}")
            no_hash = c.get(f"/v1/certificates/{guess}/verify")
            seen["json_nohash"].add(f"{no_hash.status_code} {same(no_hash.text)}")
            page = c.get(f"/verify/{guess}", params={"sha256": "0" * 64})
            seen["page"].add(f"{page.status_code} {same(page.text)}")
            pdf = c.get(f"/v1/certificates/{guess}.pdf", params={"sha256": "0" * 64})
            seen["pdf"].add(f"{pdf.status_code} {same(pdf.text)}")
        for kind, answers in seen.items():
            assert len(answers) == 1, (kind, answers)
        assert "issued_at\":null" in next(iter(seen["json"])).replace(" ", "")


def test_verification_is_rate_limited_per_client(app_database: str) -> None:
    with _client(public_verifications_per_minute=3) as client:
        answers = [client.get("/v1/certificates/CN-2026-00000001-4/verify",
                              params={"sha256": "00"}) for _ in range(5)]
    refused = answers[-1]
    assert refused.status_code == 429, [a.status_code for a in answers]
    error = refused.json()["error"]
    assert error["code"] == "rate_limited" and "xác minh" in error["message_vi"]
    assert "verifications" in error["message_en"] and refused.headers["retry-after"]


def test_the_qr_link_opens_the_page_and_answers_json_on_request(
        issued: dict[str, Any], tmp_path: Path, settings: Any) -> None:
    number, digest = issued["number"], issued["content_hash"]
    page_path = f"/verify/{number}?sha256={digest}"
    assert issued["links"]["verify"].endswith(page_path)
    text = _pages_text(issued["pdf"], tmp_path).replace("\n", "")
    assert page_path in text  # the printed link
    assert f"/v1/certificates/{number}/verify" not in text
    uris = _link_uris(issued["pdf"])
    qr = _decoded_qr(issued["pdf"], tmp_path)
    for url in [*uris, *qr]:
        assert url.endswith(page_path), url
    with _client(public_verifications_per_minute=1000) as client:
        html = client.get(page_path)
        assert html.headers["content-type"].startswith("text/html")
        assert GENUINE_VI in html.text
        as_json = client.get(page_path, headers={"accept": "application/json"})
        assert as_json.headers["content-type"].startswith("application/json")
        assert as_json.json()["genuine"] is True
        assert as_json.json()["content_hash"] == digest


def _link_uris(pdf: bytes) -> list[str]:
    """The URI link annotations of the PDF (empty when it has none)."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    found = []
    for index in range(reader.root["/Pages"]["/Count"]):
        page = reader.find_page_for_modification(index)[0].get_object()  # type: ignore[no-untyped-call]
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


def _decoded_qr(pdf: bytes, tmp_path: Path) -> list[str]:
    """The QR codes on the first page, decoded."""
    import zxingcpp
    from PIL import Image

    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1",
                    str(tmp_path / "c.pdf"), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    codes = [code.text for code in zxingcpp.read_barcodes(Image.open(image))]
    assert codes, "no QR code found on the first page"
    return codes


def _signed_pdf(settings: Any) -> bytes:
    from certify.render import render_pdf
    from certify.signer import load_signer
    from certify.signing import sign_with
    from tests.certify.factories import make_snapshot

    return sign_with(render_pdf(make_snapshot(3)), load_signer(settings).key)


def test_a_large_upload_is_refused_before_it_is_read(app_database: str) -> None:
    """Driven at the ASGI level, as a server would: the app is offered a 64 MiB upload in
    1 MiB pieces and must answer 413 having taken only what the limit allows."""
    head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.pdf\"\r\n"
            b"Content-Type: application/pdf\r\n\r\n")
    pieces = [head, *[b"\0" * (1 << 20)] * 64, b"\r\n--b--\r\n"]
    taken = 0

    async def receive() -> dict[str, Any]:
        nonlocal taken
        taken += 1
        return {"type": "http.request", "body": pieces[taken - 1],
                "more_body": taken < len(pieces)}

    def scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                "method": "POST", "scheme": "http", "path": "/v1/certificates/verify",
                "raw_path": b"/v1/certificates/verify", "query_string": b"", "root_path": "",
                "headers": [(b"host", b"testserver"),
                            (b"content-type", b"multipart/form-data; boundary=b"), *headers],
                "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}

    def drive(client: TestClient, headers: list[tuple[bytes, bytes]]) -> list[Any]:
        sent: list[Any] = []

        async def send(message: Any) -> None:
            sent.append(message)

        client.portal.call(client.app, scope(headers), receive, send)  # type: ignore[union-attr]
        return sent

    with _client(verify_max_upload_bytes=1 << 20) as client:
        declared = drive(client, [(b"content-length", str(64 << 20).encode())])
        assert declared[0]["status"] == 413 and taken == 0  # refused before reading a byte
        streamed = drive(client, [])  # no length declared: counted as it arrives
    assert streamed[0]["status"] == 413
    assert taken <= 3, f"read {taken - 1} MiB of a 64 MiB upload"
    error = json.loads(b"".join(m.get("body", b"") for m in streamed[1:]))["error"]
    assert error["code"] == "file_too_large"
    assert "quá lớn" in error["message_vi"] and "too large" in error["message_en"]


def test_anonymous_uploads_are_rate_limited(app_database: str, settings: Any) -> None:
    pdf = _signed_pdf(settings)
    with _client(public_verifications_per_minute=2) as client:
        codes = [client.post("/v1/certificates/verify",
                             files={"file": ("c.pdf", pdf, "application/pdf")}).status_code
                 for _ in range(4)]
    assert codes[:2] == [200, 200] and codes[-1] == 429


def test_healthz_answers_while_four_clients_upload(app_database: str, settings: Any) -> None:
    pdf = _signed_pdf(settings)
    with _client(public_verifications_per_minute=10_000) as client:
        stop = threading.Event()
        verdicts: list[bool] = []

        def upload() -> None:
            while not stop.is_set():
                answer = client.post("/v1/certificates/verify",
                                     files={"file": ("c.pdf", pdf, "application/pdf")})
                verdicts.append(answer.json()["intact"])

        uploaders = [threading.Thread(target=upload) for _ in range(4)]
        for thread in uploaders:
            thread.start()
        try:
            wait_until(lambda: len(verdicts) >= 4, deadline_s=60, what="uploads verified")
            health = [client.get("/healthz").status_code for _ in range(5)]
        finally:
            stop.set()
            for thread in uploaders:
                thread.join(timeout=60)
    assert health == [200] * 5 and all(verdicts)
