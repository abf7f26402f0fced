"""Fixtures for certificate tests: real fonts, real pdftotext, a real development CA."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from certify.dev_ca import DevCaPaths, create_dev_ca
from certify.render import render_pdf
from certify.snapshot import CertificateSnapshot
from tests.certify.factories import make_snapshot


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: apt-get install -y {package}")
    return path


def pdftotext(pdf: bytes, *, layout: bool = False) -> str:
    """Text of ``pdf`` as poppler extracts it (what a reader's copy-paste gives)."""
    args = [_tool("pdftotext", "poppler-utils"), "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    done = subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@cache
def _rendered(n_exact: int, n_close: int, close_left_out: int) -> tuple[CertificateSnapshot, bytes]:
    snapshot = make_snapshot(n_exact, n_close, close_left_out=close_left_out)
    return snapshot, render_pdf(snapshot)


@pytest.fixture(scope="session")
def rendered() -> Callable[..., tuple[CertificateSnapshot, bytes]]:
    """Render once per session per shape: ``rendered(n_exact, n_close=0, close_left_out=0)``."""

    def get(
        n_exact: int, n_close: int = 0, close_left_out: int = 0
    ) -> tuple[CertificateSnapshot, bytes]:
        return _rendered(n_exact, n_close, close_left_out)

    return get


@pytest.fixture(scope="session")
def dev_ca(tmp_path_factory: pytest.TempPathFactory) -> DevCaPaths:
    return create_dev_ca(tmp_path_factory.mktemp("dev-ca"))


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> DevCaPaths:
    """A second, unrelated authority: its root must not make our signatures trusted."""
    return create_dev_ca(tmp_path_factory.mktemp("other-ca"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]
