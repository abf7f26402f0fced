"""A batch file row's client reference, carried into the results.

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
    run_file("0008_batch_row_reference.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
