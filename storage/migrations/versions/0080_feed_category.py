"""feed categories: ``feeds.category``, the folder path of an OPML outline (``News/Asia``), kept
by ``rudprk feeds import`` and written back by ``export``

The views stay as they are: migration 0050 creates them from the current definitions in
storage/views.py, so a view column over ``feeds.category`` would break 0050 on PostgreSQL.

Revision ID: 0080
Revises: 0070
Create Date: 2026-12-04 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.views import create_views, drop_views

revision = "0080"
down_revision = "0070"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("category", sa.String(length=300), nullable=True))


def downgrade() -> None:
    # SQLite rebuilds the table to drop a column, which the views over it would block
    drop_views(op.execute)
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("category")
    create_views(op.execute)
