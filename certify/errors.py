"""Errors raised by ``certify``: every message in Vietnamese with English alongside."""

from __future__ import annotations


class CertifyError(Exception):
    """Base error; ``vi`` and ``en`` carry the user-visible message."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} ({en})")
        self.vi = vi
        self.en = en


class FontError(CertifyError):
    """The configured font is missing or cannot print Vietnamese."""


class CertificateNumberError(CertifyError, ValueError):
    """Text that is not a valid certificate number."""


class SigningError(CertifyError):
    """The signing key or certificate cannot be used."""
