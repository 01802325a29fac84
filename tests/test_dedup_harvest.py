"""Edits and copies through a real ingestion pass (loopback HTTP, both backends)."""

from __future__ import annotations

from datetime import timedelta

from httpserver import LoopbackServer, Reply, sequence
from sqlalchemy.orm import Session, sessionmaker
from test_harvest import ITEMS, NOW, add_feeds, articles, config, rss, server

from flows.ingest.harvest import harvest_sync
from storage.articles import article_versions

__all__ = ["server"]  # the loopback server fixture


def test_an_edited_entry_becomes_a_version_and_an_unchanged_one_is_skipped(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    base = server.base_url
    edited = [ITEMS[0], (ITEMS[1][0], ITEMS[1][1] + ", officials say", ITEMS[1][2]), ITEMS[2]]
    server.routes["/feed.xml"] = sequence(
        Reply(body=rss(ITEMS, base=base)),
        Reply(body=rss([*ITEMS, ("a9", "Extra", "An extra item.")], base=base)),
        Reply(body=rss(edited, base=base)),
    )
    add_feeds(session_factory, server.url("/feed.xml"))
    quiet = config(fetch_articles=False)
    assert len(harvest_sync(session_factory, now=NOW, config=quiet).new_article_ids) == 3
    # unchanged entries are dropped before anything else: only the extra one is new
    second = harvest_sync(session_factory, now=NOW + timedelta(hours=1), config=quiet)
    assert len(second.new_article_ids) == 1
    third = harvest_sync(session_factory, now=NOW + timedelta(hours=2), config=quiet)
    assert third.new_article_ids == []
    stored = {a.guid: a for a in articles(session_factory)}
    assert len(stored) == 4
    a2 = stored["a2"]
    assert a2.title.endswith("officials say") and a2.version == 2 and a2.analysed_at is None
    with session_factory() as session:
        versions = article_versions(session, a2.id)
    assert [(v.version, v.changed) for v in versions] == [(1, []), (2, ["title"])]
    assert stored["a1"].version == 1
