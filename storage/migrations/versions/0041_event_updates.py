"""event updates and matching keys: ``event_updates`` (an event's history: a revised figure, a
status or stage change), ``events.parent_event_id`` (the first event of a known instrument a
later stage follows up), blocking keys (place area, claimant side) and the indexes that let
matching narrow candidates in SQL

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-03 23:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    id_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_event_id", id_type, nullable=True))
        batch_op.add_column(sa.Column("place_area", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("claimant_side", sa.String(length=8), nullable=True))
        batch_op.create_foreign_key(
            "fk_events_parent_event", "events", ["parent_event_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_events_type_last_seen", ["event_type", "last_seen_at"])
        batch_op.create_index("ix_events_type_date", ["event_type", "event_date"])
        batch_op.create_index("ix_events_instrument", ["instrument", "last_seen_at"])
    op.create_table(
        "event_updates",
        sa.Column("id", id_type, autoincrement=True, nullable=False),
        sa.Column("event_id", id_type, nullable=False),
        sa.Column("article_id", id_type, nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "fingerprint", name="uq_event_updates_fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("event_updates")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_instrument")
        batch_op.drop_index("ix_events_type_date")
        batch_op.drop_index("ix_events_type_last_seen")
        batch_op.drop_constraint("fk_events_parent_event", type_="foreignkey")
        batch_op.drop_column("claimant_side")
        batch_op.drop_column("place_area")
        batch_op.drop_column("parent_event_id")
