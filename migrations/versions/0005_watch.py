"""Watch lists: entries, their candidate keys in reverse, alerts, webhooks, deliveries.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from migrations.sql import run_file

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_file("0005_watch.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
