"""Customer accounts: accounts, their users and roles, API keys, status and fees.

The modules: ``records`` (accounts' details, code, kind), ``users`` (administrators and
users, passwords through ``passwords``), ``keys`` (API keys, each a user's), ``callers``
(who is calling, by key), ``status`` (active, suspended, closed, with history),
``enforce`` (what a suspended account is refused), ``fees`` (what a use costs; the usage
ledger), ``views`` (what every user of an account may see). The names below are those
the API, the workers and the command use most.
"""

from accounts.callers import PUBLIC, Caller, KeyRejectedError, Role, authenticate, caller_of
from accounts.fees import Fee, fee_for, record_usage
from accounts.keys import issue_key, revoke_key
from accounts.records import create_account
from accounts.validate import AGENCY_KIND_LABELS_VI, AGENCY_KINDS

__all__ = ["AGENCY_KINDS", "AGENCY_KIND_LABELS_VI", "PUBLIC", "Caller", "Fee",
           "KeyRejectedError", "Role", "authenticate", "caller_of", "create_account",
           "fee_for", "issue_key", "record_usage", "revoke_key"]
