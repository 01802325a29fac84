"""LSH stop bands: ``article_stop_bands`` holds the band keys found in more than
``storage.dedup.STOP_BAND_ARTICLES`` stored articles; their rows leave ``article_bands``, so a
lookup never scans a crowded bucket (storage/dedup.py, docs/dedup.md)

Revision ID: 0100
Revises: 0090
Create Date: 2026-12-04 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0090"
branch_labels = None
depends_on = None

# storage.dedup.STOP_BAND_ARTICLES when this revision was written (frozen here on purpose)
STOP_BAND_ARTICLES = 100


def upgrade() -> None:
    op.create_table(
        "article_stop_bands",
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("band_key", name="pk_article_stop_bands"),
    )
    op.execute(
        "INSERT INTO article_stop_bands (band_key, articles) "
        "SELECT band_key, count(*) FROM article_bands GROUP BY band_key "
        f"HAVING count(*) > {STOP_BAND_ARTICLES}"
    )
    op.execute(
        "DELETE FROM article_bands WHERE band_key IN (SELECT band_key FROM article_stop_bands)"
    )


def downgrade() -> None:
    # the rows of the stop bands are gone: lookups after a downgrade miss those buckets only
    op.drop_table("article_stop_bands")
