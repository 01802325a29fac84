"""analysts' views: v_events, v_event_sources, v_articles, v_feed_health, v_alerts
(their SQL as of this revision is frozen in storage/migrations/snapshots.py)

Revision ID: 0050
Revises: 0020
Create Date: 2026-12-03 23:50:00
"""

from __future__ import annotations

from alembic import op

from storage.migrations.snapshots import VIEWS_0050, create, drop

revision = "0050"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create(op.execute, VIEWS_0050)


def downgrade() -> None:
    drop(op.execute, VIEWS_0050)
