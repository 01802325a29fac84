"""event record: stage, status, instrument, contingent, figure qualifier and force, date end,
first published (``first_seen_at`` is when the pipeline first saw the event)

Revision ID: 0040
Revises: 0020
Create Date: 2026-12-03 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0040"
down_revision = "0020"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("stage", sa.String(length=32)),
    ("status", sa.String(length=16)),
    ("instrument", sa.String(length=64)),
    ("contingent", sa.String(length=200)),
    ("figure_qualifier", sa.String(length=16)),
    ("unit_force", sa.String(length=64)),
    ("date_end", sa.Date()),
    ("first_published_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name, type_ in _COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    events = sa.table(
        "events",
        sa.column("modality", sa.String()),
        sa.column("status", sa.String()),
        sa.column("first_seen_at", sa.DateTime(timezone=True)),
        sa.column("first_published_at", sa.DateTime(timezone=True)),
    )
    # Events stored before this revision: first_seen_at held the publication time.
    op.execute(
        events.update().values(
            first_published_at=events.c.first_seen_at,
            status=sa.case((events.c.modality == "denied", "denied"), else_="alleged"),
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name, _type in reversed(_COLUMNS):
            batch_op.drop_column(name)
