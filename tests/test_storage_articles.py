from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.articles import NewArticle, insert_new_articles, known_guid_hashes
from storage.feeds import FeedSource, sync_feeds
from storage.models import Article

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _article(feed_id: int, guid: str, url: str | None, title: str, summary: str) -> NewArticle:
    return NewArticle(
        feed_id=feed_id,
        guid=guid,
        url=url,
        canonical_url=url,
        title=title,
        summary=summary,
        published_at=NOW,
    )


LONG = "Pyongyang has sent a further contingent of troops to the Kursk region, officials said on Tuesday."


def test_insert_returns_only_new_rows_and_rerun_stores_nothing(session: Session) -> None:
    feed_a, feed_b = sync_feeds(
        session,
        [FeedSource("A", "http://a.test/rss"), FeedSource("B", "http://b.test/rss")],
        NOW,
    )
    items = [
        _article(feed_a, "g1", "https://a.test/1", "One", LONG),
        _article(feed_a, "g2", "https://a.test/2", "Two", LONG + " Two."),
        # same feed + GUID, other URL: duplicate
        _article(feed_a, "g1", "https://a.test/1-bis", "One bis", LONG + " bis"),
        # other feed, same canonical URL: duplicate
        _article(feed_b, "x9", "https://a.test/2", "Two again", LONG + " again"),
        # other feed, other URL, same title + text: duplicate (content hash)
        _article(feed_b, "x10", "https://b.test/copy", "One", LONG),
    ]
    first = insert_new_articles(session, items, NOW)
    assert len(first) == 2
    assert insert_new_articles(session, items, NOW) == []
    session.commit()
    assert session.scalar(select(func.count()).select_from(Article)) == 2
    assert len(known_guid_hashes(session, feed_a, ["g1", "g2", "g3"])) == 2


def test_sync_feeds_keeps_state_and_updates_names(session: Session) -> None:
    added = sync_feeds(session, [FeedSource("A", "http://a.test/rss", "fr")], NOW)
    assert len(added) == 1
    assert sync_feeds(session, [FeedSource("A renamed", "http://a.test/rss", "en")], NOW) == []
    session.commit()
    from storage.feeds import get_feed_by_url

    feed = get_feed_by_url(session, "http://a.test/rss")
    assert feed is not None and feed.name == "A renamed" and feed.language == "en"
