"""A local development signing authority: a root CA and one document-signing certificate.

For ``make run`` and tests only. Real deployments point configuration at the
registry's real key and certificate (issued by a licensed Vietnamese CA).
:func:`create_dev_ca` is idempotent: it reuses the files in ``directory`` while
they are complete, consistent and valid for at least another 30 days.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID

ROOT_CERT = "dev-root-ca.pem"
ROOT_KEY = "dev-root-ca.key.pem"
SIGNER_CERT = "dev-signer.pem"
SIGNER_KEY = "dev-signer.key.pem"

_KEY_BITS = 2048
_ROOT_DAYS = 3650
_SIGNER_DAYS = 825
_MIN_REMAINING = timedelta(days=30)


@dataclass(frozen=True)
class DevCaPaths:
    """Files of the development authority (PEM). ``chain`` is what to pass to signing."""

    directory: Path
    root_cert: Path
    root_key: Path
    signer_cert: Path
    signer_key: Path

    @property
    def chain(self) -> tuple[Path, ...]:
        return (self.root_cert,)


def _paths(directory: Path) -> DevCaPaths:
    return DevCaPaths(
        directory=directory,
        root_cert=directory / ROOT_CERT,
        root_key=directory / ROOT_KEY,
        signer_cert=directory / SIGNER_CERT,
        signer_key=directory / SIGNER_KEY,
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Tư pháp (DEV)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)


def _write(path: Path, data: bytes, *, private: bool) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _usable(paths: DevCaPaths, now: datetime) -> bool:
    try:
        root = x509.load_pem_x509_certificate(paths.root_cert.read_bytes())
        signer = x509.load_pem_x509_certificate(paths.signer_cert.read_bytes())
        signer_key = serialization.load_pem_private_key(paths.signer_key.read_bytes(), None)
        serialization.load_pem_private_key(paths.root_key.read_bytes(), None)
    except (OSError, ValueError, TypeError):
        return False
    root_pub = root.public_key()
    if not isinstance(root_pub, rsa.RSAPublicKey) or signer.signature_hash_algorithm is None:
        return False
    try:
        root_pub.verify(
            signer.signature,
            signer.tbs_certificate_bytes,
            PKCS1v15(),
            signer.signature_hash_algorithm,
        )
    except InvalidSignature:
        return False
    same_key = signer_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == signer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fresh = min(root.not_valid_after_utc, signer.not_valid_after_utc) - now > _MIN_REMAINING
    return same_key and fresh


def _create(paths: DevCaPaths, now: datetime) -> None:
    start = now - timedelta(days=1)
    root_key = _new_key()
    root_name = _name("Regsearch DEV Root CA (không dùng thật, not for production)")
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=_ROOT_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(root_ski, critical=False)
        .sign(root_key, hashes.SHA256())
    )
    signer_key = _new_key()
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name("Cục Đăng ký quốc gia giao dịch bảo đảm (DEV)"))
        .issuer_name(root_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=_SIGNER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    paths.directory.mkdir(parents=True, exist_ok=True)
    _write(paths.root_key, _key_pem(root_key), private=True)
    _write(paths.signer_key, _key_pem(signer_key), private=True)
    _write(paths.root_cert, root.public_bytes(serialization.Encoding.PEM), private=False)
    _write(paths.signer_cert, signer.public_bytes(serialization.Encoding.PEM), private=False)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def create_dev_ca(directory: Path | str) -> DevCaPaths:
    """Create (or reuse) the development root CA and signing certificate in ``directory``."""
    paths = _paths(Path(directory))
    with _locked(paths.directory):
        now = datetime.now(UTC)
        if not _usable(paths, now):
            _create(paths, now)
    return paths
