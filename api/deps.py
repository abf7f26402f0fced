"""The dependencies routes take, as ``Annotated`` aliases: a route says
``resources: ResourcesDep, caller: AccountDep`` instead of spelling ``Depends(...)``.

``ApiKey`` is FastAPI's ``APIKeyHeader`` security dependency: it puts the ``X-API-Key``
scheme in the OpenAPI document (``components.securitySchemes``) and on every operation
that reads the key. The key is optional there (``auto_error=False``): without one the
caller is the public, rate-limited; operations that need an account answer 401.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

import accounts
from api import ratelimit
from api.auth import (
    KEY_HEADER,
    caller_of,
    client_address,
    ensure_account,
    ensure_paid_service,
)
from api.errors import ApiProblemError
from api.resources import Resources, get_resources

api_key_header = APIKeyHeader(
    name="X-API-Key", scheme_name="ApiKey", auto_error=False,
    description="Khóa API của tài khoản khách hàng hoặc cơ quan (`regsearch accounts "
                "create`); không có khóa: người dùng công cộng, giới hạn lượt / The API key "
                "of a customer or agency account; without one, the public, rate-limited.")

ResourcesDep = Annotated[Resources, Depends(get_resources)]
ApiKey = Annotated[str | None, Security(api_key_header)]

#: The operations where a key is optional: OpenAPI's "no requirement" besides the key.
OPTIONAL_KEY: dict[str, Any] = {"security": [{}]}


def current_caller(request: Request, resources: ResourcesDep, _key: ApiKey) -> accounts.Caller:
    """The caller (a dependency: FastAPI runs it in its thread pool)."""
    return caller_of(request, resources)


CallerDep = Annotated[accounts.Caller, Depends(current_caller)]


def require_account(caller: CallerDep) -> accounts.Caller:
    """Certificates and batches need an account: customers and agencies."""
    return ensure_account(caller)


AccountDep = Annotated[accounts.Caller, Depends(require_account)]


def require_paid_service(caller: AccountDep, resources: ResourcesDep) -> accounts.Caller:
    """Certificates and batches: an account whose status allows paid services (403 with
    the reason stored with a suspension)."""
    return ensure_paid_service(caller, resources)


PaidServiceDep = Annotated[accounts.Caller, Depends(require_paid_service)]

def limit_verification(request: Request, resources: ResourcesDep) -> None:
    """Anonymous callers: at most ``public_verifications_per_minute`` a minute per client
    address. A valid API key is not limited (an unknown one is refused)."""
    if request.headers.get("x-api-key"):
        caller_of(request, resources)
        return
    limit = resources.settings.public_verifications_per_minute
    ratelimit.enforce(
        resources, "verify:", client_address(request), limit,
        f"Quá {limit} lượt xác minh văn bản chứng nhận mỗi phút cho người dùng không có khóa "
        "API; vui lòng thử lại sau.",
        f"More than {limit} certificate verifications a minute without an API key; "
        "retry later.")


#: Anonymous verifications are rate-limited per client (``limit_verification``).
VerificationLimit = Annotated[None, Depends(limit_verification)]


def require_account_admin(caller: AccountDep) -> accounts.Caller:
    """The administrator (quản trị) of the caller's own account."""
    if not caller.is_account_admin:
        raise ApiProblemError(
            403, "account_admin_required",
            "Chỉ quản trị viên của tài khoản mới được thực hiện thao tác này.",
            "Only an administrator of the account may do this.", field=KEY_HEADER)
    return caller


AccountAdminDep = Annotated[accounts.Caller, Depends(require_account_admin)]


def require_staff(caller: AccountDep) -> accounts.Caller:
    """The registry's own staff (users of its ``admin`` account), not an account's
    administrator."""
    if not caller.is_staff:
        raise ApiProblemError(403, "staff_required",
                              "Chỉ cán bộ của cơ quan đăng ký mới được thực hiện thao tác này.",
                              "Only the registry's staff may do this.", field=KEY_HEADER)
    return caller


StaffDep = Annotated[accounts.Caller, Depends(require_staff)]
