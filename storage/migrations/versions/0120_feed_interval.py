"""per-feed check interval: ``feeds.check_interval_seconds``, the sources file's ``interval``,
which replaces the server's cache hints when set

The views stay as they are (the 0050 snapshot of storage/migrations/snapshots.py).

Revision ID: 0120
Revises: 0100
Create Date: 2026-12-04 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.migrations.snapshots import VIEWS_0050, create, drop

revision = "0120"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("check_interval_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite rebuilds the table to drop a column, which the views over it would block
    drop(op.execute, VIEWS_0050)
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("check_interval_seconds")
    create(op.execute, VIEWS_0050)
