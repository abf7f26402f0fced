"""What every certificate the API issues says about its requester and fee, and the links
it is reached by: the same for a single search's certificate and a whole batch's."""

from __future__ import annotations

import accounts
from certify.render import verification_url
from certify.snapshot import CertificateFee, Requester
from core.settings import Settings


def requester_of(caller: accounts.Caller) -> Requester:
    """The requester printed on the certificate (an agency with the ground of its request)."""
    return Requester(
        account_id=str(caller.account_id), display_name=caller.name,
        role="agency" if caller.role == "agency" else "customer",
        agency_ground=accounts.AGENCY_KIND_LABELS_VI.get(caller.agency_kind or ""),
    )


def snapshot_fee(fee: accounts.Fee, settings: Settings) -> CertificateFee:
    """The fee as the certificate states it: a free certificate names its legal ground."""
    return CertificateFee(amount_vnd=fee.amount_vnd, free_ground=fee.free_ground or (
        None if fee.amount_vnd else settings.agency_free_ground))


def links(settings: Settings, number: str, digest: str) -> dict[str, str]:
    base = settings.public_base_url.rstrip("/")
    return {"pdf": f"{base}/v1/certificates/{number}.pdf?sha256={digest}",
            "verify": verification_url(number, digest, base),
            "verify_page": verification_url(number, digest, base)}
