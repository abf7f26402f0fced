"""Customer accounts as the registry runs them: details, an account code, a status with its
append-only history, users (administrators and users) under an account, and the user who
asked on every key, ledger line, audit row, certificate and batch.

Existing accounts upgrade in place: each gets a code (``KH`` and six digits, in the order
the accounts were made), the status ``active`` (one history row, ``opened``, at its
creation time) and one placeholder administrator with no password (e-mail
``<code>@placeholder.invalid``: it cannot sign in until staff set its e-mail and password,
``regsearch accounts set-user``); the account's existing keys are given to that
administrator. Ledger, audit and certificate rows made before users existed keep
``user_id`` NULL (they are append-only, and nobody knows which person asked).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from migrations.sql import run_file

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_file("0003_accounts_users.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
