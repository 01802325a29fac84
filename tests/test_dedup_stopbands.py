"""Stop bands (storage/dedup.py, migration 0100): a band key held by more than
``STOP_BAND_ARTICLES`` stored articles loses its rows and stops counting, a real copy is still
found through its other bands, and copies of one story fill no bucket."""

from __future__ import annotations

import pytest
from dedup_texts import OTHER_STORY, WIRE_STORY
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session
from test_dedup import FOLLOW_UP, LIGHT_COPY, NOW, TITLE, feeds, item

import storage.dedup as dedup
from storage.articles import store_articles
from storage.dedup import find_original, fingerprint, text_of
from storage.engine import create_db_engine
from storage.migrate import downgrade_database, upgrade_database
from storage.models import Article, ArticleBand, ArticleStopBand, Feed


def _keys(session: Session, article_id: int) -> set[int]:
    return set(
        session.scalars(select(ArticleBand.band_key).where(ArticleBand.article_id == article_id))
    )


def _bands(body: str, title: str = TITLE) -> set[int]:
    fp = fingerprint(text_of(title, "", body))
    assert fp is not None
    return set(fp.bands)


def test_a_crowded_bucket_becomes_a_stop_band_and_a_copy_is_still_found(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with a limit of one article, a key shared by two different stories is a stop band
    monkeypatch.setattr(dedup, "STOP_BAND_ARTICLES", 1)
    shared = _bands(WIRE_STORY) & _bands(FOLLOW_UP)
    assert shared  # the follow-up reuses three paragraphs: some bands in common
    a, b, c = feeds(session)
    (original,) = store_articles(session, [item(a, "o", WIRE_STORY)], NOW).new_ids
    (follow_up,) = store_articles(session, [item(b, "f", FOLLOW_UP)], NOW).new_ids
    stops = dict(session.execute(select(ArticleStopBand.band_key, ArticleStopBand.articles)).all())
    assert stops == {key: 2 for key in shared}
    assert not (_keys(session, original) | _keys(session, follow_up)) & shared
    assert len(_keys(session, original)) == 40 - len(shared)
    # a new article with a stop band writes no row for it
    copy = store_articles(session, [item(c, "c", LIGHT_COPY, title=TITLE + " (AFP)")], NOW)
    assert copy.copies == {copy.new_ids[0]: original}
    assert not _keys(session, copy.new_ids[0]) & shared
    fp = fingerprint(text_of(TITLE, "", LIGHT_COPY))
    assert fp is not None and find_original(session, fp) == original
    other = fingerprint(text_of("Flights", "", OTHER_STORY))
    assert other is not None and find_original(session, other) is None


def test_copies_of_one_story_fill_no_bucket(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # syndication: many copies of one story must not turn its bands into stop bands
    monkeypatch.setattr(dedup, "STOP_BAND_ARTICLES", 1)
    ids = feeds(session, 6)
    (original,) = store_articles(session, [item(ids[0], "o", WIRE_STORY)], NOW).new_ids
    held = _keys(session, original)
    for n, feed_id in enumerate(ids[1:], start=1):
        body = WIRE_STORY + f"\n(Copy {n}, with AFP)"
        report = store_articles(session, [item(feed_id, f"c{n}", body)], NOW)
        (copy_id,) = report.new_ids
        assert report.copies == {copy_id: original}
        assert not _keys(session, copy_id) & held  # the original's keys are not written again
    assert session.scalars(select(ArticleStopBand)).first() is None
    assert _keys(session, original) == held


def test_migration_0100_moves_the_crowded_buckets_of_a_store(db_url: str) -> None:
    engine = create_db_engine(db_url)
    downgrade_database(engine, "0090")
    limit = 100  # frozen in the revision
    with engine.begin() as conn:
        conn.execute(
            insert(Feed), [{"id": 1, "url": "http://x.test/rss", "name": "x", "created_at": NOW}]
        )
        conn.execute(
            insert(Article),
            [
                {"id": i, "feed_id": 1, "guid": str(i), "guid_hash": str(i), "discovered_at": NOW}
                for i in range(1, limit + 3)
            ],
        )
        rows = [{"band_key": 7, "article_id": i} for i in range(1, limit + 2)]  # 101 articles
        rows += [{"band_key": 8, "article_id": i} for i in range(1, limit + 1)]  # 100: kept
        bands = ArticleBand.__table__
        assert isinstance(bands, Table)
        conn.execute(insert(bands), rows)
    upgrade_database(engine)
    with engine.connect() as conn:
        stops = conn.execute(select(ArticleStopBand.band_key, ArticleStopBand.articles)).all()
        kept = conn.execute(select(ArticleBand.band_key).distinct()).scalars().all()
    engine.dispose()
    assert [tuple(r) for r in stops] == [(7, limit + 1)]
    assert kept == [8]
