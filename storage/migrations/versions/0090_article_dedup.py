"""article identity: near-duplicate links (``articles.copy_of_id``), wire credits
(``articles.wire``), feed-entry fingerprints and versions (``articles.entry_hash``,
``articles.version``, ``article_versions``), MinHash signatures and LSH band buckets
(``article_signatures``, ``article_bands``), and ``articles.pruned_at`` (storage/dedup.py)

The columns are added with plain ``ADD COLUMN`` (no table rebuild on SQLite, so the views and
the full-text triggers over ``articles`` stay as they are); SQLite cannot add a foreign key to
an existing table, so ``copy_of_id`` has its foreign key on PostgreSQL only.

Revision ID: 0090
Revises: 0080
Create Date: 2026-12-04 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0090"
down_revision = "0080"
branch_labels = None
depends_on = None


def upgrade() -> None:
    id_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.add_column("articles", sa.Column("copy_of_id", id_type, nullable=True))
    op.add_column("articles", sa.Column("wire", sa.String(length=200), nullable=True))
    op.add_column("articles", sa.Column("entry_hash", sa.String(length=64), nullable=True))
    op.add_column(
        "articles", sa.Column("version", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column("articles", sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(
            "fk_articles_copy_of", "articles", "articles", ["copy_of_id"], ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_articles_copy_of", "articles", ["copy_of_id"])
    op.create_table(
        "article_versions",
        sa.Column("id", id_type, autoincrement=True, nullable=False),
        sa.Column("article_id", id_type, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "version", name="uq_article_versions_version"),
    )
    op.create_index("ix_article_versions_content_hash", "article_versions", ["content_hash"])
    op.create_table(
        "article_signatures",
        sa.Column("article_id", id_type, nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("shingles", sa.LargeBinary(), nullable=True),
        sa.Column("shingle_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.create_table(
        "article_bands",
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", id_type, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("band_key", "article_id", name="pk_article_bands"),
    )
    op.create_index("ix_article_bands_article", "article_bands", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_article_bands_article", table_name="article_bands")
    op.drop_table("article_bands")
    op.drop_table("article_signatures")
    op.drop_index("ix_article_versions_content_hash", table_name="article_versions")
    op.drop_table("article_versions")
    op.drop_index("ix_articles_copy_of", table_name="articles")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_articles_copy_of", "articles", type_="foreignkey")
    for name in ("pruned_at", "version", "entry_hash", "wire", "copy_of_id"):
        op.drop_column("articles", name)
