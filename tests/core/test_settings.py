"""Outside ``REGSEARCH_ENV=development`` the settings refuse, at start, what only a
development machine may use: the development CA, trust authentication, default secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from certify.dev_ca import create_dev_ca
from core.settings import Settings, UnsafeSettingsError, check

REPO = Path(__file__).resolve().parent.parent.parent
#: Production settings with everything a production service needs but a signing key.
SAFE: dict[str, Any] = {
    "env": "production",
    "pg_dsn": "postgresql://regsearch:s3cret@db.internal:5432/registry",
    "app_dsn": "host=db.internal dbname=regsearch user=regsearch password=s3cret",
    "redis_url": "redis://:s3cret@redis.internal:6379/0",
    "session_secret": "a long random secret that signs the pages' session cookie",
}


@pytest.fixture(autouse=True)
def _no_password_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGPASSFILE", raising=False)


def _refused(settings: Settings) -> list[str]:
    with pytest.raises(UnsafeSettingsError) as refused:
        check(settings)
    message = str(refused.value.code)
    assert "REGSEARCH_ENV=development" in message
    assert "Cấu hình chỉ dùng cho máy phát triển" in message  # Vietnamese and English
    assert "Settings fit only for a development machine" in message
    return [name for name, _, _ in refused.value.problems]


def test_production_with_the_development_ca_is_refused() -> None:
    assert _refused(Settings(**SAFE)) == ["signing_key_path"]


def test_development_accepts_the_development_ca_and_the_local_stack() -> None:
    check(Settings(env="development"))
    assert Settings(_env_file=None).env == "development"  # the tests' environment


def test_a_real_signing_key_passes_in_production(tmp_path: Path) -> None:
    keys = create_dev_ca(tmp_path / "ca")  # a key pair on disk, as a production one is
    check(Settings(**SAFE, signing_key_path=keys.signer_key,
                   signing_cert_path=keys.signer_cert))


def test_trust_authentication_and_default_secrets_are_refused(tmp_path: Path) -> None:
    keys = create_dev_ca(tmp_path / "ca")
    signed = {**SAFE, "signing_key_path": keys.signer_key, "signing_cert_path": keys.signer_cert}
    assert _refused(Settings(**{**signed, "pg_dsn": "postgresql://regsearch@db/registry",
                                "redis_url": "redis://redis:6379/0",
                                "trusted_proxies": ["*"]})) == [
        "pg_dsn", "redis_url", "trusted_proxies"]
    assert _refused(Settings(**signed, smtp_username="mailer")) == ["smtp_password"]
    unsigned_cookie = {k: v for k, v in signed.items() if k != "session_secret"}
    assert _refused(Settings(**unsigned_cookie)) == ["session_secret"]
    check(Settings(**signed, smtp_username="mailer", smtp_password=SecretStr("x")))
    check(Settings(**{**signed, "app_dsn": "postgresql://regsearch@db/regsearch?sslcert=c.pem"}))


def test_a_command_refuses_to_start_in_production() -> None:
    env = {**os.environ, "REGSEARCH_ENV": "production"}
    done = subprocess.run([sys.executable, "-m", "regsearch.cli", "db", "upgrade"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "signing_key_path" in done.stderr and "REGSEARCH_ENV=development" in done.stderr
    assert "Traceback" not in done.stderr
