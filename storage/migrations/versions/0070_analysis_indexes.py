"""analysis indexes: a partial index of the articles not analysed yet (the analysis stage's
query reads only those), and an index on event_articles.article_id (an article's events)

Revision ID: 0070
Revises: 0051
Create Date: 2026-12-04 02:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0070"
down_revision = "0051"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_articles_unanalysed",
        "articles",
        ["id"],
        sqlite_where=sa.text("analysed_at IS NULL"),
        postgresql_where=sa.text("analysed_at IS NULL"),
    )
    op.create_index("ix_event_articles_article_id", "event_articles", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_event_articles_article_id", table_name="event_articles")
    op.drop_index("ix_articles_unanalysed", table_name="articles")
