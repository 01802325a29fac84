"""Full-text search on articles: FTS5 on SQLite, tsvector on PostgreSQL (real databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, inspect, text, update
from sqlalchemy.orm import Session

from storage.keys import sha256_hex
from storage.migrate import downgrade_database, head_revision, upgrade_database
from storage.models import Article, Feed
from storage.search import SearchQueryError, search_articles

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def add_articles(session: Session) -> dict[str, int]:
    fr = Feed(url="https://journal.test/rss", name="Journal", language="fr", created_at=NOW)
    en = Feed(url="https://wire.test/rss", name="Wire", language="en", created_at=NOW)
    session.add_all([fr, en])
    session.flush()
    texts = {
        "koursk": (fr, None, "Des soldats nord-coréens déployés à Koursk", NOW),
        "kursk": (en, None, "North Korean soldiers deployed in Kursk", NOW - timedelta(days=10)),
        "bridge": (en, "en", "Russia and North Korea open a bridge over the Tumen", NOW),
        "accent": (fr, "fr-FR", "Les troupes arrivent à Kóursk selon Séoul", NOW),
    }
    ids = {}
    for key, (feed, language, title, published) in texts.items():
        article = Article(
            feed_id=feed.id,
            guid=key,
            guid_hash=sha256_hex(key),
            url=f"https://{key}.test/",
            title=title,
            summary="",
            language=language,
            published_at=published,
            discovered_at=published,
        )
        session.add(article)
        session.flush()
        ids[key] = article.id
    session.commit()
    return ids


def test_search_finds_spellings_filters_and_follows_edits(engine: Engine, session: Session) -> None:
    ids = add_articles(session)
    hits = search_articles(session, "Koursk")
    # FTS5's tokenizer folds diacritics; PostgreSQL's configurations keep them.
    folded = {ids["accent"]} if engine.dialect.name == "sqlite" else set()
    assert {h.article_id for h in hits} == {ids["koursk"]} | folded
    assert all("[" in h.snippet for h in hits)
    assert {h.article_id for h in search_articles(session, "Kóursk", language="fr-fr")} == {
        ids["accent"]
    }
    assert {h.article_id for h in search_articles(session, "Koursk", language="fr")} == {
        ids["koursk"]
    } | folded
    assert search_articles(session, "Kursk", since=NOW - timedelta(days=1)) == []
    assert [h.article_id for h in search_articles(session, "Kursk")] == [ids["kursk"]]
    # Stemming in the article's language on PostgreSQL; both backends match the word itself.
    assert [h.article_id for h in search_articles(session, "bridge")] == [ids["bridge"]]
    session.execute(
        update(Article).where(Article.id == ids["bridge"]).values(title="A ferry crossing")
    )
    session.commit()
    assert search_articles(session, "bridge") == []
    assert [h.article_id for h in search_articles(session, "ferry")] == [ids["bridge"]]
    session.execute(text("DELETE FROM articles WHERE id = :i"), {"i": ids["kursk"]})
    session.commit()
    assert search_articles(session, "Kursk") == []


def test_user_text_is_never_sql(session: Session) -> None:
    ids = add_articles(session)
    hostile = "Koursk'); DROP TABLE articles; --"
    try:
        search_articles(session, hostile)
    except SearchQueryError as exc:
        assert "\n" not in str(exc)
    session.rollback()
    assert [h.article_id for h in search_articles(session, "Kursk")] == [ids["kursk"]]


def test_a_query_that_does_not_parse_is_one_line(engine: Engine, session: Session) -> None:
    add_articles(session)
    if engine.dialect.name != "sqlite":
        assert search_articles(session, '"unbalanced') == []  # websearch syntax accepts anything
        return
    with pytest.raises(SearchQueryError) as caught:
        search_articles(session, '"unbalanced')
    assert "\n" not in str(caught.value) and "unbalanced" in str(caught.value)
    with pytest.raises(SearchQueryError):
        search_articles(session, "   ")


def test_pg_uses_the_language_configuration(engine: Engine, session: Session) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL text search configurations")
    ids = add_articles(session)
    # English stemming: "bridges" meets "bridge"; French: "soldat" meets "soldats".
    assert [h.article_id for h in search_articles(session, "bridges")] == [ids["bridge"]]
    assert [h.article_id for h in search_articles(session, "soldat", language="fr")] == [
        ids["koursk"]
    ]


def test_the_search_migration_goes_down_and_up(engine: Engine) -> None:
    def present() -> bool:
        if engine.dialect.name == "sqlite":
            return "articles_fts" in inspect(engine).get_table_names()
        return "search_vector" in {c["name"] for c in inspect(engine).get_columns("articles")}

    assert present()
    assert downgrade_database(engine, "0050") == "0050"
    assert not present()
    assert upgrade_database(engine) == head_revision()
    assert present()
