"""Passes storing articles at once (two cron runs, two Prefect workers): one original per story,
no duplicate, nothing lost — on SQLite and, where it matters most, PostgreSQL."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.articles import NewArticle, store_articles
from storage.engine import create_db_engine, create_session_factory, session_scope
from storage.feeds import FeedSource, sync_feeds
from storage.models import Article

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
ROUNDS = 6
# A made-up vocabulary: each round's story is its own random text, far from the others.
WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ro", "si", "tu") for b in "aeiouyz"]


def story(seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + rng.choice("bdfgkmn") for _ in range(160))


def edited(text: str) -> str:
    words = text.split()
    words[40:48] = ["reworded", "sentence", "in", "the", "second", "copy", "of", "it"]
    return " ".join(words) + " (With AFP)"


def entry(feed_id: int, guid: str, body: str) -> NewArticle:
    return NewArticle(
        feed_id=feed_id,
        guid=guid,
        url=f"https://feed{feed_id}.test/{guid}",
        canonical_url=f"https://feed{feed_id}.test/{guid}",
        title=f"Story {guid}",
        summary=body[:120],
        published_at=NOW,
        body=body,
    )


def run_at_once(factories: list[sessionmaker[Session]], batches: list[list[NewArticle]]) -> None:
    barrier = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def work(factory: sessionmaker[Session], batch: list[NewArticle]) -> None:
        try:
            barrier.wait(timeout=30)
            with session_scope(factory) as session:
                store_articles(session, batch, NOW)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(f, b)) for f, b in zip(factories, batches, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors


@pytest.mark.parametrize("mode", ["same entries", "original and copy"])
def test_concurrent_passes_store_one_original_and_no_duplicate(db_url: str, mode: str) -> None:
    engines = [create_db_engine(db_url) for _ in range(2)]
    factories = [create_session_factory(e) for e in engines]
    try:
        with session_scope(factories[0]) as session:
            feed_a, feed_b = sync_feeds(
                session,
                [FeedSource("A", "http://a.test/rss"), FeedSource("B", "http://b.test/rss")],
                NOW,
            )
        for n in range(ROUNDS):
            text = story(n)
            original = entry(feed_a, f"o{n}", text)
            copy = entry(feed_b, f"c{n}", edited(text))
            if mode == "same entries":  # both passes read both feeds
                batches = [[original, copy], [original, copy]]
            else:  # one pass stores the original while the other stores the copy
                batches = [[original], [copy]]
            run_at_once(factories, batches)
        with session_scope(factories[0]) as session:
            rows = session.execute(
                select(Article.guid, Article.id, Article.copy_of_id).order_by(Article.id)
            ).all()
            assert session.scalar(select(func.count()).select_from(Article)) == 2 * ROUNDS
        by_guid = {guid: (article_id, copy_of) for guid, article_id, copy_of in rows}
        for n in range(ROUNDS):
            first, second = sorted([by_guid[f"o{n}"], by_guid[f"c{n}"]])
            # whichever was stored first is the original; the other is linked to it
            assert first[1] is None and second[1] == first[0], rows
    finally:
        for e in engines:
            e.dispose()
