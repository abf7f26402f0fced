"""A batch file row's client reference, carried into the results.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from migrations.sql import run_file

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_file("0009_batch_row_reference.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
