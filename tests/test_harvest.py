"""One ingestion pass against a real loopback HTTP server, on both database backends."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from httpserver import LoopbackServer, Reply, conditional, redirect, sequence
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.ingest.extract import extract_article
from flows.ingest.fetch import HostGate, build_client
from flows.ingest.harvest import (
    FetchedPage,
    HarvestConfig,
    PassContext,
    fetch_article_page,
    harvest_sync,
    is_private_host,
    start_parse_pool,
)
from flows.ingest.parse import parse_feed
from flows.ingest.robots import RobotsCache
from storage.feeds import FeedSource, enable_feed, get_feed_by_url, sync_feeds
from storage.models import Article, Feed

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UA = "rudprk-watch/test (+https://example.invalid)"


def rss(items: list[tuple[str, str, str]], *, ttl: int | None = None, base: str = "") -> bytes:
    """An RSS 2.0 document; items are (guid, title, description)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel><title>Test feed</title>',
        f"<link>{base}/</link><description>d</description><language>en</language>",
    ]
    if ttl is not None:
        parts.append(f"<ttl>{ttl}</ttl>")
    for i, (guid, title, description) in enumerate(items):
        date = format_datetime(NOW - timedelta(hours=i + 1))
        parts.append(
            f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
            f"<link>{base}/articles/{guid}.html</link><description>{description}</description>"
            f"<pubDate>{date}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


ITEMS = [
    ("a1", "Harbour cranes repaired in Odesa", "Workers finished repairs on two cranes."),
    ("a2", "Pyongyang and Moscow sign rail accord", "A new rail link accord was signed on Monday."),
    ("a3", "Weather turns mild in Brittany", "Temperatures rose above seasonal norms."),
]

ARTICLE_PAGE = (
    "<html lang='en'><head><title>Rail accord</title></head><body><nav>Home News</nav>"
    "<article><h1>Pyongyang and Moscow sign rail accord</h1>"
    + "".join(
        f"<p>Paragraph {i}: the two governments agreed on a schedule for freight trains "
        "across the Tumen river bridge, officials said in a statement.</p>"
        for i in range(6)
    )
    + "</article><footer>Contact us</footer></body></html>"
).encode()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        srv.routes["/robots.txt"] = Reply(
            body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
        )
        yield srv


def config(**overrides: object) -> HarvestConfig:
    values: dict[str, object] = {
        "user_agent": UA,
        "timeout_seconds": 5.0,
        "per_host_delay_seconds": 0.0,
        "retry_base_seconds": 0.01,
        "retry_max_wait_seconds": 0.5,
    }
    values.update(overrides)
    return HarvestConfig(**values)  # type: ignore[arg-type]


def add_feeds(factory: sessionmaker[Session], *urls: str) -> None:
    with factory.begin() as session:
        sync_feeds(session, [FeedSource(name=f"feed {i}", url=u) for i, u in enumerate(urls)], NOW)


def feed_row(factory: sessionmaker[Session], url: str) -> Feed:
    with factory() as session:
        feed = get_feed_by_url(session, url)
        assert feed is not None
        return feed


def articles(factory: sessionmaker[Session]) -> list[Article]:
    with factory() as session:
        return list(session.scalars(select(Article).order_by(Article.id)))


def mentions_accord(text: str) -> bool:
    return "accord" in text.lower()


def test_cold_then_warm_pass_stores_each_entry_once(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    base = server.base_url
    server.routes["/feed.xml"] = conditional(rss(ITEMS, base=base), etag='"v1"')
    server.routes["/articles/a2.html"] = Reply(body=ARTICLE_PAGE, content_type="text/html")
    add_feeds(session_factory, server.url("/feed.xml"))

    report = harvest_sync(session_factory, now=NOW, config=config(), prefilter=mentions_accord)
    assert [f.status for f in report.feeds] == ["ok"]
    assert report.entries_seen == 3
    assert len(report.new_article_ids) == 3
    stored = {a.guid: a for a in articles(session_factory)}
    assert set(stored) == {"a1", "a2", "a3"}
    assert stored["a2"].body_status == "full"
    assert stored["a2"].body is not None and "Tumen river bridge" in stored["a2"].body
    assert stored["a1"].body_status == "not_fetched" and stored["a1"].body is None
    assert stored["a2"].canonical_url == f"{base}/articles/a2.html"
    # Only the relevant entry's page was fetched, with the project's User-Agent.
    assert server.requests_to("/articles/a1.html") == []
    page_requests = server.requests_to("/articles/a2.html")
    assert len(page_requests) == 1 and page_requests[0].header("User-Agent") == UA

    feed = feed_row(session_factory, server.url("/feed.xml"))
    assert feed.etag == '"v1"' and feed.error_count == 0 and feed.last_success_at == NOW
    assert feed.next_check_at is not None and feed.next_check_at > NOW

    later = NOW + timedelta(days=2)
    warm = harvest_sync(session_factory, now=later, config=config(), prefilter=mentions_accord)
    assert [f.status for f in warm.feeds] == ["not_modified"]
    assert warm.new_article_ids == []
    assert server.requests_to("/feed.xml")[-1].header("If-None-Match") == '"v1"'
    assert len(articles(session_factory)) == 3


def test_only_new_entries_are_parsed_into_articles(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    base = server.base_url
    first = rss(ITEMS[:2], base=base)
    second = rss(
        [("a4", "New item about fisheries", "Fishing quotas were discussed."), *ITEMS[:2]],
        base=base,
    )
    server.routes["/feed.xml"] = sequence(Reply(body=first), Reply(body=second))
    add_feeds(session_factory, server.url("/feed.xml"))
    harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    report = harvest_sync(
        session_factory, now=NOW + timedelta(days=1), config=config(fetch_articles=False)
    )
    assert report.feeds[0].status == "ok"
    assert report.feeds[0].entries_seen == 3
    assert len(report.new_article_ids) == 1
    assert [a.guid for a in articles(session_factory)] == ["a1", "a2", "a4"]


def test_unchanged_body_without_validators_is_not_parsed_again(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    server.routes["/feed.xml"] = Reply(body=rss(ITEMS, base=server.base_url))
    add_feeds(session_factory, server.url("/feed.xml"))
    harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    report = harvest_sync(
        session_factory, now=NOW + timedelta(days=1), config=config(fetch_articles=False)
    )
    assert report.feeds[0].status == "unchanged"
    assert report.feeds[0].entries_seen == 0


def test_one_failing_feed_does_not_stop_the_others(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    server.routes["/good.xml"] = Reply(body=rss(ITEMS, base=server.base_url))
    server.routes["/page.html"] = Reply(
        body=b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
        content_type="text/html; charset=utf-8",
    )
    server.routes["/broken.xml"] = Reply(body=b"<rss><channel><title>x</title><item>")
    urls = [server.url(p) for p in ("/good.xml", "/missing.xml", "/page.html", "/broken.xml")]
    add_feeds(session_factory, *urls)
    report = harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    by_url = {f.url: f for f in report.feeds}
    assert by_url[urls[0]].status == "ok" and len(by_url[urls[0]].new_article_ids) == 3
    assert by_url[urls[1]].status == "failed" and "404" in (by_url[urls[1]].error or "")
    assert by_url[urls[2]].status == "failed" and "HTML" in (by_url[urls[2]].error or "")
    assert report.feeds_failed >= 2
    missing = feed_row(session_factory, urls[1])
    assert missing.error_count == 1 and missing.last_error_status == 404
    assert missing.last_error_content_type is not None
    assert missing.last_error_content_type.startswith("text/html")
    page = feed_row(session_factory, urls[2])
    assert page.last_error_status == 200
    assert page.next_check_at is not None and page.next_check_at > NOW


def test_consecutive_failures_back_off_and_are_reported(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    url = server.url("/missing.xml")
    add_feeds(session_factory, url)
    now = NOW
    gaps = []
    for _ in range(4):
        report = harvest_sync(session_factory, now=now, config=config(), feed_urls=[url])
        assert report.feeds[0].status == "failed"
        feed = feed_row(session_factory, url)
        assert feed.next_check_at is not None
        gaps.append(feed.next_check_at - now)
        now = feed.next_check_at
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]
    assert report.feeds[0].error_count == 4
    assert report.failing_feeds == report.feeds
    # A feed that is not due yet is not fetched.
    count = len(server.requests_to("/missing.xml"))
    harvest_sync(session_factory, now=now - timedelta(seconds=1), config=config())
    assert len(server.requests_to("/missing.xml")) == count


def test_gone_feed_is_disabled_until_enabled(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    url = server.url("/gone.xml")
    server.routes["/gone.xml"] = sequence(
        Reply(status=410, body=b"gone", content_type="text/plain"),
        Reply(body=rss(ITEMS, base=server.base_url)),
    )
    add_feeds(session_factory, url)
    report = harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    assert report.feeds[0].status == "disabled"
    feed = feed_row(session_factory, url)
    assert feed.enabled is False and "410" in (feed.disabled_reason or "")
    later = NOW + timedelta(days=3)
    assert harvest_sync(session_factory, now=later, config=config()).feeds == []
    with session_factory.begin() as session:
        assert enable_feed(session, url)
    report = harvest_sync(session_factory, now=later, config=config(fetch_articles=False))
    assert report.feeds[0].status == "ok"
    assert feed_row(session_factory, url).enabled is True


def test_permanent_redirect_updates_the_stored_url(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    old, new = server.url("/old.xml"), server.url("/new.xml")
    server.routes["/old.xml"] = redirect("/new.xml", 301)
    server.routes["/new.xml"] = Reply(body=rss(ITEMS, base=server.base_url))
    server.routes["/temp.xml"] = redirect("/new2.xml", 302)
    server.routes["/new2.xml"] = Reply(body=rss(ITEMS[:1], base=server.base_url + "/x"))
    add_feeds(session_factory, old, server.url("/temp.xml"))
    report = harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    assert {f.status for f in report.feeds} == {"ok"}
    with session_factory() as session:
        assert get_feed_by_url(session, old) is None
        assert get_feed_by_url(session, new) is not None
        assert get_feed_by_url(session, server.url("/temp.xml")) is not None


def test_rate_limited_feed_is_retried_after_retry_after(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    url = server.url("/busy.xml")
    server.routes["/busy.xml"] = sequence(
        Reply(status=429, headers={"Retry-After": "0"}, content_type="text/plain"),
        Reply(status=503, content_type="text/plain"),
        Reply(body=rss(ITEMS, base=server.base_url)),
    )
    add_feeds(session_factory, url)
    report = harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    assert report.feeds[0].status == "ok"
    assert len(server.requests_to("/busy.xml")) == 3


def test_long_retry_after_pushes_the_next_check_out(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    url = server.url("/busy.xml")
    server.routes["/busy.xml"] = Reply(
        status=429, headers={"Retry-After": "7200"}, content_type="text/plain"
    )
    add_feeds(session_factory, url)
    report = harvest_sync(session_factory, now=NOW, config=config())
    assert report.feeds[0].status == "failed"
    # Not retried within the pass: the server asked for two hours.
    assert len(server.requests_to("/busy.xml")) == 1
    feed = feed_row(session_factory, url)
    assert feed.last_error_status == 429
    assert feed.next_check_at is not None
    assert feed.next_check_at >= NOW + timedelta(hours=2) - timedelta(minutes=1)


def test_feed_ttl_sets_the_next_check(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    server.routes["/ttl.xml"] = Reply(body=rss(ITEMS, ttl=180, base=server.base_url))
    server.routes["/cc.xml"] = Reply(
        body=rss(ITEMS[:1], base=server.base_url + "/cc"),
        headers={"Cache-Control": "public, max-age=7200"},
    )
    add_feeds(session_factory, server.url("/ttl.xml"), server.url("/cc.xml"))
    harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    ttl_feed = feed_row(session_factory, server.url("/ttl.xml"))
    cc_feed = feed_row(session_factory, server.url("/cc.xml"))
    assert ttl_feed.ttl_seconds == 180 * 60
    assert ttl_feed.next_check_at is not None and cc_feed.next_check_at is not None
    assert timedelta(hours=2) < ttl_feed.next_check_at - NOW <= timedelta(hours=3)
    assert timedelta(hours=1) < cc_feed.next_check_at - NOW <= timedelta(hours=2)


def test_a_feeds_own_interval_overrides_the_servers_hint(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    server.routes["/fast.xml"] = Reply(
        body=rss(ITEMS[:1], base=server.base_url),
        headers={"Cache-Control": "public, max-age=7200"},
    )
    url = server.url("/fast.xml")
    with session_factory.begin() as session:
        sync_feeds(session, [FeedSource(name="fast", url=url, interval_seconds=30)], NOW)
    harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    feed = feed_row(session_factory, url)
    assert feed.check_interval_seconds == 30
    assert feed.next_check_at == NOW + timedelta(seconds=27)
    # due again half a minute later, not in two hours: a pass then fetches it (a 304 or a 200)
    later = NOW + timedelta(seconds=30)
    report = harvest_sync(session_factory, now=later, config=config(fetch_articles=False))
    assert [f.status for f in report.feeds] != []
    assert len(server.requests_to("/fast.xml")) == 2


def test_robots_txt_and_paywalls_keep_the_summary(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    base = server.base_url
    items = [
        ("p1", "Accord on fisheries", "Summary one about the accord."),
        ("p2", "Accord on railways", "Summary two about the accord."),
        ("p3", "Accord on visas", "Summary three about the accord."),
    ]
    body = rss(items, base=base).replace(b"/articles/p1.html", b"/private/p1.html")
    server.routes["/feed.xml"] = Reply(body=body)
    server.routes["/private/p1.html"] = Reply(body=ARTICLE_PAGE, content_type="text/html")
    server.routes["/articles/p2.html"] = Reply(
        body=(
            b'<html><head><script type=\'application/ld+json\'>{"@type": "NewsArticle", '
            b'"isAccessibleForFree": false}</script></head><body><article><h1>Accord</h1>'
            b"<p>The first lines of the story are free to read for everyone today.</p>"
            b"<p>Subscribe to continue reading.</p></article></body></html>"
        ),
        content_type="text/html",
    )
    add_feeds(session_factory, server.url("/feed.xml"))
    harvest_sync(session_factory, now=NOW, config=config(), prefilter=mentions_accord)
    stored = {a.guid: a for a in articles(session_factory)}
    assert stored["p1"].body_status == "robots"
    assert server.requests_to("/private/p1.html") == []
    assert stored["p2"].body_status == "paywall" and stored["p2"].body is None
    assert stored["p3"].body_status is not None and stored["p3"].body_status.startswith(
        "fetch_error"
    )
    assert all(a.summary for a in stored.values())
    assert len(server.requests_to("/robots.txt")) == 1


def test_charset_from_http_header_and_gzip_bodies(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    title = "Café à Pyongyang – accord signé"
    body = (
        "<rss version='2.0'><channel><title>Presse</title><link>http://x/</link>"
        f"<item><guid>c1</guid><title>{title}</title><link>http://x/c1</link>"
        "<description>Résumé de l’article.</description></item></channel></rss>"
    ).encode("cp1252")
    server.routes["/cp1252.xml"] = Reply(
        body=body, content_type="application/rss+xml; charset=windows-1252", gzip=True
    )
    add_feeds(session_factory, server.url("/cp1252.xml"))
    report = harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    assert report.feeds[0].status == "ok"
    stored = articles(session_factory)
    assert [a.title for a in stored] == [title]
    assert stored[0].summary == "Résumé de l’article."


def test_entries_per_feed_are_capped(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    many = [(f"m{i}", f"Item number {i}", f"Text {i}") for i in range(12)]
    server.routes["/many.xml"] = Reply(body=rss(many, base=server.base_url))
    add_feeds(session_factory, server.url("/many.xml"))
    report = harvest_sync(
        session_factory, now=NOW, config=config(fetch_articles=False, max_entries_per_feed=5)
    )
    assert report.feeds[0].entries_seen == 5
    assert len(articles(session_factory)) == 5


def test_feeds_on_several_hosts_in_one_pass(session_factory: sessionmaker[Session]) -> None:
    servers = [LoopbackServer(host=f"127.0.0.{n}").start() for n in (2, 3, 4)]
    try:
        urls = []
        for n, srv in enumerate(servers):
            for k in range(3):
                items = [(f"h{n}-{k}-{i}", f"Host {n} feed {k} item {i}", "t") for i in range(4)]
                srv.routes[f"/f{k}.xml"] = Reply(body=rss(items, base=srv.base_url))
                urls.append(srv.url(f"/f{k}.xml"))
        add_feeds(session_factory, *urls)
        report = harvest_sync(
            session_factory, now=NOW, config=config(fetch_articles=False, global_concurrency=4)
        )
        assert sorted(f.status for f in report.feeds) == ["ok"] * 9
        assert len(report.new_article_ids) == 36
    finally:
        for srv in servers:
            srv.stop()


def test_large_passes_parse_in_a_forked_process_with_the_same_results(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    server.routes["/a.xml"] = Reply(body=rss(ITEMS, base=server.base_url))
    server.routes["/html.xml"] = Reply(
        body=b"<!DOCTYPE html><html><body>No feed here</body></html>", content_type="text/html"
    )
    add_feeds(session_factory, server.url("/a.xml"), server.url("/html.xml"))
    forced = config(fetch_articles=False, parse_processes=1, parse_processes_min_feeds=1)
    report = harvest_sync(session_factory, now=NOW, config=forced)
    by_url = {f.url: f for f in report.feeds}
    assert by_url[server.url("/a.xml")].status == "ok"
    assert by_url[server.url("/html.xml")].status == "failed"
    assert "HTML" in (by_url[server.url("/html.xml")].error or "")
    assert sorted(a.guid for a in articles(session_factory)) == ["a1", "a2", "a3"]


def test_parse_processes_only_for_large_passes() -> None:
    assert start_parse_pool(config(parse_processes=1, parse_processes_min_feeds=50), 49) is None
    assert start_parse_pool(config(parse_processes=0, parse_processes_min_feeds=1), 500) is None
    pool = start_parse_pool(config(parse_processes=1, parse_processes_min_feeds=1), 1)
    if (os.cpu_count() or 1) < 2:
        assert pool is None
        return
    assert pool is not None
    try:
        assert pool.submit(sum, [1, 2]).result() == 3
    finally:
        pool.shutdown()


def test_last_modified_alone_gives_a_conditional_get(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    stamp = "Mon, 02 Mar 2026 07:00:00 GMT"
    server.routes["/lm.xml"] = conditional(rss(ITEMS, base=server.base_url), last_modified=stamp)
    add_feeds(session_factory, server.url("/lm.xml"))
    harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    assert feed_row(session_factory, server.url("/lm.xml")).last_modified == stamp
    report = harvest_sync(
        session_factory, now=NOW + timedelta(days=1), config=config(fetch_articles=False)
    )
    assert report.feeds[0].status == "not_modified"
    assert server.requests_to("/lm.xml")[-1].header("If-Modified-Since") == stamp


def test_persistent_503_fails_after_retries_and_backs_off(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    server.routes["/down.xml"] = Reply(status=503, content_type="text/html")
    add_feeds(session_factory, server.url("/down.xml"))
    report = harvest_sync(session_factory, now=NOW, config=config(max_retries=2))
    assert report.feeds[0].status == "failed"
    assert len(server.requests_to("/down.xml")) == 3
    feed = feed_row(session_factory, server.url("/down.xml"))
    assert feed.last_error_status == 503 and feed.error_count == 1
    assert feed.next_check_at is not None and feed.next_check_at > NOW


def parse_or_hang(content: bytes, **kwargs: Any) -> Any:
    """parse_feed, except that a body mentioning HANG never finishes (a runaway parse)."""
    if b"HANG" in content:
        time.sleep(600)
    return parse_feed(content, **kwargs)


def test_a_runaway_parse_is_killed_and_the_pass_goes_on(
    server: LoopbackServer,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("parse processes need two cores")
    monkeypatch.setattr("flows.ingest.harvest.parse_feed", parse_or_hang)
    server.routes["/hang.xml"] = Reply(body=rss([("h1", "HANG", "x")], base=server.base_url))
    server.routes["/ok.xml"] = Reply(body=rss(ITEMS, base=server.base_url))
    add_feeds(session_factory, server.url("/hang.xml"), server.url("/ok.xml"))
    forced = config(
        fetch_articles=False,
        parse_processes=1,
        parse_processes_min_feeds=1,
        parse_timeout_seconds=1.0,
    )
    report = harvest_sync(session_factory, now=NOW, config=forced)
    by_url = {f.url: f for f in report.feeds}
    assert by_url[server.url("/hang.xml")].status == "failed"
    assert "timed out" in (by_url[server.url("/hang.xml")].error or "")
    assert by_url[server.url("/ok.xml")].status == "ok"
    assert sorted(a.guid for a in articles(session_factory)) == ["a1", "a2", "a3"]


def extract_or_hang(html: bytes, url: str, **kwargs: Any) -> Any:
    """extract_article, except that a page mentioning HANG never finishes."""
    if b"HANG" in html:
        time.sleep(600)
    return extract_article(html, url, **kwargs)


def test_pages_are_extracted_in_the_parse_process_and_a_runaway_is_stopped(
    server: LoopbackServer,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("parse processes need two cores")
    monkeypatch.setattr("flows.ingest.harvest.extract_article", extract_or_hang)
    base = server.base_url
    server.routes["/feed.xml"] = Reply(body=rss(ITEMS, base=base))
    server.routes["/articles/a2.html"] = Reply(body=ARTICLE_PAGE, content_type="text/html")
    hanging = [("h1", "Rail accord, the page that hangs", "An accord.")]
    server.routes["/hang.xml"] = Reply(body=rss(hanging, base=base))
    server.routes["/articles/h1.html"] = Reply(body=b"<p>HANG</p>", content_type="text/html")
    add_feeds(session_factory, server.url("/feed.xml"), server.url("/hang.xml"))
    forced = config(parse_processes=1, parse_processes_min_feeds=1, parse_timeout_seconds=1.0)
    report = harvest_sync(session_factory, now=NOW, config=forced, prefilter=mentions_accord)
    assert [f.status for f in report.feeds] == ["ok", "ok"]
    stored = {a.guid: a for a in articles(session_factory)}
    assert stored["a2"].body_status == "full" and "Tumen river bridge" in (stored["a2"].body or "")
    # The runaway was stopped: the entry is stored with its summary.
    assert stored["h1"].body_status == "extraction_failed" and stored["h1"].body is None


SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HEADER_LINE = re.compile(rb"^Header:\s*([A-Za-z-]+):\s*(.+?)\s*$", re.MULTILINE)


def corpus_reply(path: Path) -> Reply:
    """Serve a corpus file as a feed server would, with the headers its comment asks for."""
    body = path.read_bytes()
    content_type = {
        ".json": "application/feed+json",
        ".html": "text/html",
        ".htm": "text/html",
        ".txt": "text/plain",
    }.get(path.suffix.lower(), "application/xml")
    headers: dict[str, str] = {}
    for name, value in HEADER_LINE.findall(body[:1000]):
        if name.lower() == b"content-type":
            content_type = value.decode("latin-1")
        else:
            headers[name.decode("latin-1")] = value.decode("latin-1")
    return Reply(body=body, content_type=content_type, headers=headers)


@pytest.mark.shared
def test_every_shared_corpus_file_goes_through_a_pass_without_crashing(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    """Opt-in: the hostile corpus and the real feed snapshots, served over HTTP, in one pass."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared is absent")
    files = sorted(
        p
        for folder in ("hostile", "feeds")
        for p in (SHARED_CORPUS / folder).rglob("*")
        if p.is_file() and p.suffix.lower() not in (".md",) and p.name != "README"
    )
    urls: dict[str, Path] = {}
    for n, path in enumerate(files):
        route = f"/corpus/{n}{path.suffix.lower()}"
        server.routes[route] = corpus_reply(path)
        urls[server.url(route)] = path
    add_feeds(session_factory, *urls)
    report = harvest_sync(
        session_factory, now=NOW, config=config(fetch_articles=False, max_entries_per_feed=500)
    )
    assert len(report.feeds) == len(files)
    for feed in report.feeds:
        path = urls[feed.url]
        assert feed.status in ("ok", "failed"), (path, feed)
        assert not (feed.error or "").startswith("internal error"), (path, feed.error)
        if feed.status == "failed":
            assert feed.error, path
    snapshots = [
        f
        for f in report.feeds
        if urls[f.url].is_relative_to(SHARED_CORPUS / "feeds")
        and "themoscowtimes_rumca-json" not in str(urls[f.url])
    ]
    assert snapshots and all(f.status == "ok" and f.entries_seen > 0 for f in snapshots), [
        (urls[f.url].name, f.error) for f in snapshots if f.status != "ok"
    ]
    # Same bytes on the next pass: nothing is parsed again.
    again = harvest_sync(
        session_factory,
        now=NOW + timedelta(days=2),
        config=config(fetch_articles=False, max_entries_per_feed=500),
        feed_urls=[f.url for f in snapshots],
    )
    assert {f.status for f in again.feeds} == {"unchanged"}


def test_old_entries_keep_their_summary_without_a_page_fetch(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    base = server.base_url
    old_date = format_datetime(NOW - timedelta(days=30))
    body = rss([("n1", "New accord", "Fresh accord news.")], base=base).replace(
        b"</channel>",
        (
            f"<item><guid>o1</guid><title>Old accord</title><link>{base}/articles/o1.html</link>"
            f"<description>An old accord story.</description><pubDate>{old_date}</pubDate></item>"
            "</channel>"
        ).encode(),
    )
    server.routes["/feed.xml"] = Reply(body=body)
    server.routes["/articles/n1.html"] = Reply(body=ARTICLE_PAGE, content_type="text/html")
    server.routes["/articles/o1.html"] = Reply(body=ARTICLE_PAGE, content_type="text/html")
    add_feeds(session_factory, server.url("/feed.xml"))
    harvest_sync(session_factory, now=NOW, config=config(), prefilter=mentions_accord)
    stored = {a.guid: a for a in articles(session_factory)}
    assert stored["n1"].body_status == "full"
    assert stored["o1"].body_status == "not_fetched: old" and stored["o1"].body is None
    assert server.requests_to("/articles/o1.html") == []


def test_feed_ttl_still_applies_after_a_304(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    server.routes["/ttl.xml"] = conditional(rss(ITEMS, ttl=180, base=server.base_url), etag='"t"')
    add_feeds(session_factory, server.url("/ttl.xml"))
    harvest_sync(session_factory, now=NOW, config=config(fetch_articles=False))
    later = NOW + timedelta(hours=4)
    report = harvest_sync(session_factory, now=later, config=config(fetch_articles=False))
    assert report.feeds[0].status == "not_modified"
    feed = feed_row(session_factory, server.url("/ttl.xml"))
    assert feed.next_check_at is not None
    assert timedelta(hours=2) < feed.next_check_at - later <= timedelta(hours=3)


def test_public_feeds_cannot_point_article_fetches_at_private_addresses() -> None:
    assert is_private_host("http://127.0.0.1:8080/a")
    assert is_private_host("http://169.254.169.254/latest/meta-data/")
    assert is_private_host("http://10.1.2.3/x")
    assert is_private_host("http://[::1]/x")
    assert is_private_host("http://localhost/x")
    assert not is_private_host("https://www.lemonde.fr/international/article.html")
    assert not is_private_host("https://93.184.216.34/page")


def test_article_links_to_private_addresses_are_not_fetched_for_public_feeds(
    server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    page = server.url("/articles/a2.html")
    server.routes["/articles/a2.html"] = Reply(body=ARTICLE_PAGE, content_type="text/html")

    async def check() -> tuple[object, object]:
        async with build_client(UA) as client:
            gate = HostGate(per_host_delay=0.0)
            ctx = PassContext(
                session_factory=session_factory,
                now=NOW,
                config=config(),
                prefilter=None,
                client=client,
                gate=gate,
                robots=RobotsCache(client, UA, gate=gate),
                executor=ThreadPoolExecutor(max_workers=1),
            )
            from_public = await fetch_article_page(ctx, page, "https://news.example/feed.xml")
            from_loopback = await fetch_article_page(ctx, page, server.url("/feed.xml"))
            ctx.executor.shutdown()
            return from_public, from_loopback

    from_public, from_loopback = asyncio.run(check())
    assert from_public == "fetch_error: private address"
    assert isinstance(from_loopback, FetchedPage) and b"Tumen" in from_loopback.content
    assert len(server.requests_to("/articles/a2.html")) == 1
