"""alert decisions: why each new event alerted or not (rule, scores, model), kept with the
alert; recipients per delivery (a rule's own recipients)

Revision ID: 0020
Revises: 0005
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0020"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    id_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "alert_decisions",
        sa.Column("id", id_type, autoincrement=True, nullable=False),
        sa.Column("event_id", id_type, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=True),
        sa.Column("why", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", name="uq_alert_decisions_event"),
    )
    op.create_index("ix_alert_decisions_decided_at", "alert_decisions", ["decided_at"])
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("why", sa.JSON(), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipients", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("recipients")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("why")
    op.drop_index("ix_alert_decisions_decided_at", table_name="alert_decisions")
    op.drop_table("alert_decisions")
