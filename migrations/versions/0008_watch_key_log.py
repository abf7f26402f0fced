"""Watch lists: the log of entries added, for the follower's key filter.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from migrations.sql import run_file

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_file("0008_watch_key_log.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
