"""full-text search on articles: SQLite FTS5 external-content table with triggers; PostgreSQL
tsvector column with per-language configurations, trigger and GIN index (storage/search.py)

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-03 23:58:00
"""

from __future__ import annotations

from alembic import op

from storage.search import PG_CONFIG_FUNCTION, pg_config_function_sql

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None

_COLUMNS = "title, summary, body"
_NEW = "new.title, new.summary, new.body"
_OLD = "old.title, old.summary, old.body"

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, summary, body, content='articles', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    f"INSERT INTO articles_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    f"INSERT INTO articles_fts(articles_fts, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.id, {_OLD}); END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body ON articles BEGIN "
    f"INSERT INTO articles_fts(articles_fts, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO articles_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
]

_PG_VECTOR = (
    "setweight(to_tsvector(cfg, coalesce(NEW.title, '')), 'A') || "
    "setweight(to_tsvector(cfg, coalesce(NEW.summary, '')), 'B') || "
    "setweight(to_tsvector(cfg, coalesce(NEW.body, '')), 'C')"
)
_PG_UP = [
    pg_config_function_sql(),
    "ALTER TABLE articles ADD COLUMN search_vector tsvector",
    "CREATE FUNCTION rudprk_articles_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE cfg regconfig; BEGIN "
    f"cfg := {PG_CONFIG_FUNCTION}(coalesce(NEW.language, "
    "(SELECT f.language FROM feeds f WHERE f.id = NEW.feed_id))); "
    f"NEW.search_vector := {_PG_VECTOR}; RETURN NEW; END $$",
    "CREATE TRIGGER articles_search_vector BEFORE INSERT OR UPDATE OF title, summary, body, "
    "language, feed_id ON articles FOR EACH ROW EXECUTE FUNCTION rudprk_articles_search_vector()",
    "UPDATE articles SET title = title",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
]
_PG_DOWN = [
    "DROP INDEX IF EXISTS ix_articles_search_vector",
    "DROP TRIGGER IF EXISTS articles_search_vector ON articles",
    "DROP FUNCTION IF EXISTS rudprk_articles_search_vector()",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
    f"DROP FUNCTION IF EXISTS {PG_CONFIG_FUNCTION}(text)",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _PG_UP if dialect == "postgresql" else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _PG_DOWN if dialect == "postgresql" else _SQLITE_DOWN:
        op.execute(statement)
