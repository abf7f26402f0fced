"""The service's tables as the ``ensure_schema`` functions made them: accounts, API keys,
the usage ledger, batches and certificates.

Every statement is idempotent (``IF NOT EXISTS``, ``CREATE OR REPLACE``, a trigger made
only when missing), so a database those functions made is upgraded in place.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

from migrations.sql import run_file

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_file("0001_initial.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
