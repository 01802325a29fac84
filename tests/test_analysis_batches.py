"""The analysis stage in batches: every page of unanalysed articles, the same records as one by
one, verdicts and detections handed on only when they fit, and the indexes of migration 0070."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

import flows.pipeline as pipeline
from alerts.detection.gate import screen
from flows.pipeline import analyse_pending, detect_if_candidate, detect_stored
from flows.predetect import Predetection, can_fork_detector
from storage.articles import NewArticle, insert_new_articles, record_analyses
from storage.feeds import FeedSource, sync_feeds
from storage.models import Article

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ON_THEME = (
    "North Korea has sent 2,000 more soldiers to Russia's Kursk region, South Korea's "
    "intelligence service said on Monday."
)


def _items(feed_id: int, count: int, on_theme: frozenset[int] = frozenset()) -> list[NewArticle]:
    return [
        NewArticle(
            feed_id=feed_id,
            guid=f"g{i}",
            url=f"https://a.test/{i}",
            canonical_url=f"https://a.test/{i}",
            title=f"Harbour council vote {i}" if i not in on_theme else f"Troops sent, {i}",
            summary=(ON_THEME if i in on_theme else f"The harbour council voted budget {i}."),
            published_at=NOW - timedelta(hours=1),
            language="en",
        )
        for i in range(count)
    ]


def _store(factory: sessionmaker[Session], items: list[NewArticle]) -> list[int]:
    with factory.begin() as session:
        return insert_new_articles(session, items, NOW)


def _feed(factory: sessionmaker[Session]) -> int:
    with factory.begin() as session:
        (feed_id,) = sync_feeds(session, [FeedSource("A", "http://a.test/rss")], NOW)
    return feed_id


def test_every_page_is_analysed_in_one_pass(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages of 3 ids and batches of 2 stand for the 2,000 / 200 of a real pass: before, one
    # query of at most 10,000 ids left the rest of a large back catalogue for the next pass.
    monkeypatch.setattr(pipeline, "ANALYSIS_PAGE", 3)
    monkeypatch.setattr(pipeline, "ANALYSIS_BATCH", 2)
    feed_id = _feed(session_factory)
    ids = _store(session_factory, _items(feed_id, 8))
    report = analyse_pending(session_factory, NOW, 72.0)
    assert report.articles == 8 and report.failed == 0
    with session_factory() as session:
        rows = session.execute(select(Article.analysed_at, Article.relevant)).all()
    assert len(rows) == len(ids) == 8
    assert all(at == NOW and relevant is False for at, relevant in rows)
    assert analyse_pending(session_factory, NOW, 72.0).articles == 0


def test_batched_records_match_one_by_one(session_factory: sessionmaker[Session]) -> None:
    feed_id = _feed(session_factory)
    _store(session_factory, _items(feed_id, 3))
    with session_factory() as session:
        articles = list(session.scalars(select(Article).order_by(Article.id)))
    expected = []
    for article in articles:
        verdict, detection = detect_if_candidate(
            article.summary, article.title, article.language, article.published_at
        )
        expected.append({**detection.to_dict(), "gate": verdict.to_dict()})
    analyse_pending(session_factory, NOW, 72.0)
    with session_factory() as session:
        stored = list(session.scalars(select(Article.detection).order_by(Article.id)))
    assert stored == expected


def test_record_analyses_leaves_analysed_articles(session_factory: sessionmaker[Session]) -> None:
    feed_id = _feed(session_factory)
    first, second = _store(session_factory, _items(feed_id, 2))
    values = {"relevant": False, "relevance_score": 0.0, "detection": {}, "analysed_at": NOW}
    with session_factory.begin() as session:
        record_analyses(session, [(first, values)])
    later = {**values, "analysed_at": NOW + timedelta(hours=1), "language": "fr"}
    with session_factory.begin() as session:
        record_analyses(session, [(first, later), (second, later)])
    with session_factory() as session:
        rows = dict(session.execute(select(Article.id, Article.analysed_at)).all())
        languages = dict(session.execute(select(Article.id, Article.language)).all())
    assert rows == {first: NOW, second: NOW + timedelta(hours=1)}
    assert languages == {first: "en", second: "fr"}


def test_screened_verdict_is_reused_only_for_the_text_it_screened(
    session_factory: sessionmaker[Session],
) -> None:
    feed_id = _feed(session_factory)
    _store(session_factory, _items(feed_id, 1))
    with session_factory() as session:
        (article,) = session.scalars(select(Article))
    own = screen(f"{article.title}\n{article.summary}")
    assert not own.candidate
    # Reused while the article has no body (the analysed text is the screened one), not after.
    reused = detect_stored(article, {(feed_id, article.guid): own})
    assert reused.verdict is own and not reused.detection.relevance.relevant
    article.body = "A page body the harvest did not screen."
    assert detect_stored(article, {(feed_id, article.guid): own}).verdict is not own


@pytest.mark.parametrize("processes", [0, 1], ids=["thread", "process"])
def test_predetection_is_taken_only_when_inputs_match(
    session_factory: sessionmaker[Session], processes: int
) -> None:
    feed_id = _feed(session_factory)
    items = _items(feed_id, 2, on_theme=frozenset({1}))
    _store(session_factory, items)
    with session_factory() as session:
        plain, themed = session.scalars(select(Article).order_by(Article.id))
    with Predetection(processes) as pre:
        assert pre.in_process == (processes == 0 or not can_fork_detector())
        pre.submit(items)
        assert len(pre) == 1  # only the gate's candidate is detected ahead
        pre.drain()
        assert pre.take(plain) is None
        taken = pre.take(themed)
        assert taken is not None
        verdict, detection = taken
        again = detect_if_candidate(
            themed.summary, themed.title, themed.language, themed.published_at
        )
        assert (verdict, detection.to_dict()) == (again[0], again[1].to_dict())
        assert pre.take(themed) is None  # handed over once
        pre.submit(items)
        pre.drain()
        themed.title = "Another title"
        assert pre.take(themed) is None  # stored inputs differ: the analysis detects it


def test_predetection_reuses_the_harvest_verdict_for_an_article_without_a_page(
    session_factory: sessionmaker[Session],
) -> None:
    feed_id = _feed(session_factory)
    (themed,) = _items(feed_id, 1, on_theme=frozenset({0}))
    turned_down = screen("Harbour council vote")
    assert not turned_down.candidate and screen(themed.summary, themed.title).candidate
    with Predetection(0) as pre:
        # The verdict handed on is the one used (here one that disagrees, to show it).
        pre.submit([themed], {(feed_id, themed.guid): turned_down})
        assert len(pre) == 0
        # Not for an article stored with a page: its body is a text the harvest did not screen.
        with_body = replace(themed, body=themed.summary)
        pre.submit([with_body], {(feed_id, themed.guid): turned_down})
        assert len(pre) == 1


def test_unanalysed_query_reads_the_partial_index(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = " ".join(
                str(row[-1])
                for row in conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT id FROM articles WHERE analysed_at IS NULL "
                        "AND id > 0 ORDER BY id LIMIT 10"
                    )
                )
            )
            assert "ix_articles_unanalysed" in plan
            names = {r[1] for r in conn.execute(text("PRAGMA index_list('event_articles')"))}
        else:
            names = set(
                conn.execute(
                    text(
                        "SELECT indexname FROM pg_indexes WHERE tablename = 'event_articles' "
                        "AND schemaname = current_schema()"
                    )
                ).scalars()
            )
            partial = conn.execute(
                text(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_articles_unanalysed' "
                    "AND schemaname = current_schema()"
                )
            ).scalar_one()
            assert "WHERE (analysed_at IS NULL)" in partial
    assert "ix_event_articles_article_id" in names


def test_a_detection_not_started_is_taken_back_by_the_analysis(
    session_factory: sessionmaker[Session],
) -> None:
    if not can_fork_detector():
        pytest.skip("no forked detection process here")
    feed_id = _feed(session_factory)
    items = [
        replace(item, summary=f"{item.summary} Day {i} of the transfers.")
        for i, item in enumerate(_items(feed_id, 30, on_theme=frozenset(range(30))))
    ]
    _store(session_factory, items)
    with session_factory() as session:
        articles = list(session.scalars(select(Article).order_by(Article.id)))
    assert len(articles) == 30
    with Predetection(1) as pre:
        for item in items:
            pre.submit([item])  # 30 tasks: the process runs one at a time, the last waits
        assert pre.take(articles[-1]) is None  # withdrawn: the analysis detects it itself
        pre.drain()  # a withdrawn task does not make the drain fail
        taken = pre.take(articles[0])
        assert taken is not None
        again = detect_if_candidate(
            articles[0].summary, articles[0].title, articles[0].language, articles[0].published_at
        )
        assert taken[1].to_dict() == again[1].to_dict()
