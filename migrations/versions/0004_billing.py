"""Billing: monthly statements of fees, their lines, payments and their allocation, the
statements' e-mail outbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from migrations.sql import run_file

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_file("0004_billing.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
