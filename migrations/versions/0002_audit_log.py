"""The audit trail of searches and certificates (append-only).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from migrations.sql import run_file

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_file("0002_audit_log.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
