"""Callback URLs and signatures (``core.webhooks``): the rules every callback follows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import webhooks


@pytest.mark.parametrize("url, allow_http, rule", [
    ("https://bank.example/hooks/batch", False, None),
    ("https://bank.example:8443/h?x=1", False, None),
    ("http://127.0.0.1:8261/cb", True, None),
    ("http://bank.example/hook", False, "not_https"),
    ("https://user:secret@bank.example/hook", False, "credentials_in_url"),
    ("https://user@bank.example/hook", True, "credentials_in_url"),
    ("https://@bank.example/hook", False, "credentials_in_url"),
    ("ftp://bank.example/hook", True, "invalid_url"),
    ("javascript:alert(1)", True, "invalid_url"),
    ("file:///etc/passwd", True, "invalid_url"),
    ("https:///nohost", False, "invalid_url"),
    ("https://bank.example/a b", False, "invalid_url"),
    ("https://bank.example/\r\nX-Injected: 1", False, "invalid_url"),
    ("https://bank.example:99999/", False, "invalid_url"),
    ("https://bank.example/" + "a" * 2000, False, "too_long"),
    ("bank.example/hook", False, "invalid_url"),
])
def test_url_rules(url: str, allow_http: bool, rule: str | None) -> None:
    assert webhooks.url_problem(url, allow_http) == rule


@given(st.text(max_size=300))
def test_no_text_passes_that_is_not_plain_https_without_credentials(url: str) -> None:
    if webhooks.url_problem(url, allow_http=False) is None:
        assert url.startswith("https://")
        assert "@" not in url.split("/")[2]
        assert not any(ch.isspace() for ch in url)


@given(st.binary(max_size=500), st.text(min_size=1, max_size=40))
def test_a_signature_verifies_only_its_own_body(body: bytes, secret: str) -> None:
    signature = webhooks.sign(secret, body)
    assert signature.startswith("sha256=")
    assert webhooks.verify(secret, body, signature)
    assert not webhooks.verify(secret, body + b" ", signature)
    assert not webhooks.verify(secret + "x", body, signature)


def test_back_off_doubles() -> None:
    retry = webhooks.Retry(attempts=4, backoff_s=2.0)
    assert [retry.wait_s(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
