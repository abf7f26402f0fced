"""The signing key and trust roots from configuration, or a development CA."""

from __future__ import annotations

from dataclasses import dataclass

from certify.dev_ca import create_dev_ca
from certify.signing import SigningKey, load_signing_key
from certify.verify import TrustRoots, load_trust_roots
from core.settings import Settings


@dataclass(frozen=True)
class Signer:
    key: SigningKey
    roots: TrustRoots


def load_signer(settings: Settings) -> Signer:
    if settings.signing_key_path is not None and settings.signing_cert_path is not None:
        key = load_signing_key(settings.signing_key_path, settings.signing_cert_path,
                               settings.signing_chain_paths)
        roots = load_trust_roots(settings.trust_root_paths)
        return Signer(key, roots)
    paths = create_dev_ca(settings.dev_ca_dir)
    return Signer(load_signing_key(paths.signer_key, paths.signer_cert, paths.chain),
                  load_trust_roots([paths.root_cert, *settings.trust_root_paths]))
