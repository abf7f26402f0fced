"""Client references on searches, certificates and batches; batch callbacks.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from migrations.sql import run_file

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_file("0007_client_reference.sql")


def downgrade() -> None:
    raise NotImplementedError("the service's schema moves forward only")
