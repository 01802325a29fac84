"""Full-text search over articles (title, summary, body).

SQLite: an FTS5 external-content table ``articles_fts`` kept in step with ``articles`` by
triggers (tokenizer ``unicode61`` with diacritics removed, so "Koursk" and "Kóursk" meet).
PostgreSQL: a ``tsvector`` column ``articles.search_vector`` filled by a trigger with the text
search configuration of the article's language (or its feed's), ``simple`` when PostgreSQL has
no stemmer for it; the query is parsed with the same configuration as each row
(``websearch_to_tsquery``, which accepts any text).

The user's text is only ever a bound parameter. An FTS5 query that does not parse raises
:class:`SearchQueryError` with one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Integer, String, bindparam, column, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from storage.errors import StorageError
from storage.models import UTCDateTime

# ISO 639-1 code → PostgreSQL's built-in text search configuration (``\dF`` in psql); any other
# language is indexed with ``simple`` (lower-cased words, no stemming).
PG_TEXT_SEARCH_CONFIGS: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}

SQLITE_FTS_TABLE = "articles_fts"
PG_CONFIG_FUNCTION = "rudprk_ts_config"


# SQLite errors that are the database's, not the query's (FTS5 reports bad queries in many words).
_SQLITE_FAULTS = ("locked", "busy", "disk", "no such table", "readonly", "corrupt", "memory")


class SearchQueryError(StorageError):
    """The search text is not a valid full-text query."""


def pg_config_function_sql(configs: dict[str, str] | None = None) -> str:
    """``rudprk_ts_config(language)``: the configuration for a language tag such as ``fr-FR``."""
    mapping = PG_TEXT_SEARCH_CONFIGS if configs is None else configs
    for code, name in mapping.items():
        if not (re.fullmatch(r"[a-z]{2,3}", code) and re.fullmatch(r"[a-z_]+", name)):
            raise StorageError(f"bad text search configuration entry: {code!r} → {name!r}")
    cases = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in sorted(mapping.items()))
    return (
        f"CREATE OR REPLACE FUNCTION {PG_CONFIG_FUNCTION}(lang text) RETURNS regconfig "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        f"SELECT (CASE lower(split_part(replace(coalesce(lang, ''), '_', '-'), '-', 1)) {cases} "
        "ELSE 'simple' END)::regconfig $$"
    )


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    title: str
    url: str | None
    language: str | None
    feed_name: str
    published_at: datetime | None
    discovered_at: datetime
    score: float
    snippet: str


# Optional filters: fixed SQL text, chosen by which arguments are given, values bound.
_LANGUAGE_FILTER = (
    "AND (lower(COALESCE(a.language, f.language)) = :lang "
    "OR lower(COALESCE(a.language, f.language)) LIKE :lang_prefix) "
)
_SINCE_FILTER = "AND COALESCE(a.published_at, a.discovered_at) >= :since "

_SQLITE_SEARCH = (
    "SELECT a.id, a.title, COALESCE(a.canonical_url, a.url) AS url, "
    "COALESCE(a.language, f.language) AS language, f.name AS feed_name, a.published_at, "
    "a.discovered_at, -bm25(articles_fts) AS score, "
    "snippet(articles_fts, -1, '[', ']', '…', 12) AS snippet "
    "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
    "JOIN feeds f ON f.id = a.feed_id "
    "WHERE articles_fts MATCH :query {filters}ORDER BY bm25(articles_fts), a.id LIMIT :limit"
)

_PG_SEARCH = (
    "SELECT a.id, a.title, COALESCE(a.canonical_url, a.url) AS url, "
    "COALESCE(a.language, f.language) AS language, f.name AS feed_name, a.published_at, "
    "a.discovered_at, ts_rank(a.search_vector, q.query) AS score, "
    "ts_headline(q.config, a.title || ' ' || COALESCE(a.summary, ''), q.query, "
    "'StartSel=[, StopSel=], MaxWords=18, MinWords=6') AS snippet "
    "FROM articles a JOIN feeds f ON f.id = a.feed_id "
    "CROSS JOIN LATERAL (SELECT c.config, websearch_to_tsquery(c.config, :query) AS query "
    f"FROM (SELECT {PG_CONFIG_FUNCTION}(COALESCE(a.language, f.language)) AS config) c) q "
    "WHERE a.search_vector @@ q.query {filters}ORDER BY score DESC, a.id LIMIT :limit"
)


def search_articles(
    session: Session,
    query: str,
    *,
    language: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """Articles matching ``query``, best first; ``language`` (``fr`` also matches ``fr-CA``)."""
    if not query.strip():
        raise SearchQueryError("the search text is empty")
    dialect = session.get_bind().dialect.name
    sql = _PG_SEARCH if dialect == "postgresql" else _SQLITE_SEARCH
    lang = language.strip().lower() if language else None
    params: dict[str, object] = {"query": query, "limit": limit}
    filters = ""
    if lang:
        filters += _LANGUAGE_FILTER
        params.update(lang=lang, lang_prefix=f"{lang}-%")
    if since is not None:
        filters += _SINCE_FILTER
        params["since"] = since
    stmt = text(sql.format(filters=filters)).columns(
        column("id", Integer),
        column("title", String),
        column("url", String),
        column("language", String),
        column("feed_name", String),
        column("published_at", UTCDateTime),
        column("discovered_at", UTCDateTime),
        column("score", Float),
        column("snippet", String),
    )
    if since is not None:
        stmt = stmt.bindparams(bindparam("since", type_=UTCDateTime()))
    try:
        rows = session.execute(stmt, params).all()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if dialect == "sqlite" and not any(word in reason for word in _SQLITE_FAULTS):
            raise SearchQueryError(f"not a valid search query {query!r}: {reason}") from exc
        raise
    return [
        SearchHit(
            article_id=r.id,
            title=r.title,
            url=r.url,
            language=r.language,
            feed_name=r.feed_name,
            published_at=r.published_at,
            discovered_at=r.discovered_at,
            score=r.score,
            snippet=r.snippet or "",
        )
        for r in rows
    ]
