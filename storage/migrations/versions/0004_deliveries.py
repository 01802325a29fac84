"""deliveries: one row per alert and channel carries the delivery state (leases, back-off)

The state columns of ``alerts`` (status, attempts, last_error, sent_at, channel, claimed_at) move
to ``deliveries`` as the ``email`` channel's row. Alerts left ``failed`` or ``sending`` by the
old outbox become due again: a temporary failure no longer ends a delivery.

On SQLite, dropping columns rebuilds ``alerts``, and dropping a parent table with foreign keys
on deletes its children's rows (``ON DELETE CASCADE``): the state is therefore copied aside
first, ``alerts`` rebuilt while nothing references it yet, and ``deliveries`` created after.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

IdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "alert_state_0004",
        sa.Column("alert_id", IdType, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    op.execute(
        "INSERT INTO alert_state_0004 (alert_id, status, attempts, last_error, sent_at, channel,"
        " created_at) SELECT id, status, attempts, last_error, sent_at, channel, created_at"
        " FROM alerts"
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_status")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("channel")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
        batch_op.drop_column("status")

    op.create_table(
        "deliveries",
        sa.Column("id", IdType, autoincrement=True, nullable=False),
        sa.Column("alert_id", IdType, nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transport", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "channel", name="uq_deliveries_alert_channel"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_status_next_attempt", ["status", "next_attempt_at"], unique=False
        )
    op.execute(
        "INSERT INTO deliveries (alert_id, channel, status, attempts, last_error, sent_at,"
        " transport, next_attempt_at, created_at)"
        " SELECT alert_id, 'email',"
        " CASE WHEN status = 'sent' THEN 'sent' ELSE 'pending' END,"
        " attempts, last_error, sent_at, channel,"
        " CASE WHEN status = 'sent' THEN NULL ELSE created_at END, created_at"
        " FROM alert_state_0004"
    )
    op.drop_table("alert_state_0004")


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="pending")
        )
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    # The email channel's row is what the old single-channel outbox knew; a delivery waiting
    # for an operator (failed) or put aside (discarded) becomes the old 'failed'.
    for column, expression in (
        (
            "status",
            "CASE d.status WHEN 'sent' THEN 'sent' WHEN 'pending' THEN 'pending'"
            " WHEN 'sending' THEN 'pending' ELSE 'failed' END",
        ),
        ("attempts", "d.attempts"),
        ("last_error", "d.last_error"),
        ("sent_at", "d.sent_at"),
        ("channel", "d.transport"),
    ):
        op.execute(
            f"UPDATE alerts SET {column} = (SELECT {expression} FROM deliveries d"
            " WHERE d.alert_id = alerts.id AND d.channel = 'email')"
            " WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = alerts.id"
            " AND d.channel = 'email')"
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_status_next_attempt")
    op.drop_table("deliveries")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_status", ["status"], unique=False)
