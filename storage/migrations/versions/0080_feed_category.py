"""feed categories: ``feeds.category``, the folder path of an OPML outline (``News/Asia``), kept
by ``rudprk feeds import`` and written back by ``export``

The views stay as they are (the 0050 snapshot of storage/migrations/snapshots.py); a view
column over ``feeds.category`` belongs in a new snapshot and migration.

Revision ID: 0080
Revises: 0070
Create Date: 2026-12-04 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.migrations.snapshots import VIEWS_0050, create, drop

revision = "0080"
down_revision = "0070"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("category", sa.String(length=300), nullable=True))


def downgrade() -> None:
    # SQLite rebuilds the table to drop a column, which the views over it would block
    drop(op.execute, VIEWS_0050)
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("category")
    create(op.execute, VIEWS_0050)
