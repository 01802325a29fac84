"""installation: one row holding this installation's id, part of every Message-ID

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 09:00:00
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    installation = op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("installation_id"),
    )
    # Created once, here: a rebuilt database gets a new id, so its Message-IDs never collide
    # with the old ones.
    op.bulk_insert(
        installation,
        [{"id": 1, "installation_id": uuid.uuid4().hex, "created_at": datetime.now(UTC)}],
    )


def downgrade() -> None:
    op.drop_table("installation")
