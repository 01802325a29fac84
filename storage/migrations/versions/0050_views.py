"""analysts' views: v_events, v_event_sources, v_articles, v_feed_health, v_alerts
(their SQL is in storage/views.py)

Revision ID: 0050
Revises: 0020
Create Date: 2026-12-03 23:50:00
"""

from __future__ import annotations

from alembic import op

from storage.views import create_views, drop_views

revision = "0050"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_views(op.execute)


def downgrade() -> None:
    drop_views(op.execute)
