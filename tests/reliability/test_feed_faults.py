"""Feeds that misbehave on loopback, through a real ingestion pass on each database backend.

Each fault is served next to a sound feed: a server that hangs, resets the connection, cuts the
body short (raw, or inside gzip, or inside the XML), drips it slowly, answers garbage or HTML,
sends an endless or oversized body, mislabels its charset, loops redirects or redirects to
``file:``, answers 429/503 with ``Retry-After`` (also absurd ones), or sends characters XML
forbids. After the faulty pass:

* the sound feed's entries are stored, once;
* the faulty feed has one clear line (one line, naming the problem, not "internal error") and
  nothing was logged with a traceback;
* when the feed is sound again, the next pass stores every one of its entries, once;
* the database passes the integrity check.
"""

from __future__ import annotations

import gzip
import logging
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from faultserver import FaultServer
from httpserver import LoopbackServer, Reply, redirect, sequence
from integrity import assert_integrity
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flows.ingest.harvest import HarvestConfig, HarvestReport, harvest_sync
from storage.feeds import FeedSource, get_feed_by_url, sync_feeds
from storage.models import Article, Feed

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(120)]

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UA = "rudprk-watch/test (+https://example.invalid)"
ENTRIES = 4
MAX_BYTES = 256 * 1024


def feed_body(tag: str, *, codec: str = "utf-8", entries: int = ENTRIES) -> bytes:
    """An RSS document of ``entries`` items whose text is the feed's own (``tag``)."""
    items = "".join(
        f"<item><guid isPermaLink='false'>{tag}-{i}</guid>"
        f"<title>Москва и Пхеньян: {tag} сообщение {i}</title>"
        f"<link>http://127.0.0.1:9/{tag}/{i}.html</link>"
        f"<description>Report {i} of the {tag} desk on the rail accord.</description>"
        f"<pubDate>{format_datetime(NOW - timedelta(hours=i + 1))}</pubDate></item>"
        for i in range(entries)
    )
    return (
        f'<?xml version="1.0" encoding="{codec}"?><rss version="2.0"><channel>'
        f"<title>{tag}</title><link>http://127.0.0.1:9/</link><description>d</description>"
        f"{items}</channel></rss>"
    ).encode(codec)


@dataclass
class Servers:
    http: LoopbackServer
    raw: FaultServer

    def heal(self, url: str, body: bytes) -> None:
        """Make ``url`` serve ``body`` soundly from now on."""
        path = "/" + url.split("/", 3)[3]
        if url.startswith(self.raw.url("")):
            self.raw.faults[path] = ("ok", body)
        else:
            self.http.routes[path] = Reply(body=body)


@dataclass(frozen=True)
class Fault:
    name: str
    error: str  # a regular expression the feed's error line must match (re.search)
    install: Callable[[Servers, bytes], str]  # serve the fault; the feed's URL


def _raw(kind: str) -> Callable[[Servers, bytes], str]:
    def install(servers: Servers, body: bytes) -> str:
        servers.raw.faults[f"/{kind}.xml"] = (kind, body)  # type: ignore[assignment]
        return servers.raw.url(f"/{kind}.xml")

    return install


def _http(reply: Callable[[bytes], Reply]) -> Callable[[Servers, bytes], str]:
    def install(servers: Servers, body: bytes) -> str:
        servers.http.routes["/faulty.xml"] = reply(body)
        return servers.http.url("/faulty.xml")

    return install


def _redirect_loop(servers: Servers, body: bytes) -> str:
    servers.http.routes["/loop-a.xml"] = redirect("/loop-b.xml", 302)
    servers.http.routes["/loop-b.xml"] = redirect("/loop-a.xml", 302)
    return servers.http.url("/loop-a.xml")


def _garbage(body: bytes) -> Reply:
    rng = random.Random(11)
    return Reply(body=bytes(rng.randrange(256) for _ in range(4096)))


def _gzip_cut(body: bytes) -> Reply:
    packed = gzip.compress(body)
    return Reply(body=packed[: len(packed) // 2], raw_encoding="gzip")


def _xml_cut(body: bytes) -> Reply:
    return Reply(body=body[: body.index(b"</item>") + 40])


HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Welcome to our new website</title></head>"
    b"<body><p>The feed has moved.</p></body></html>"
)

FAULTS: tuple[Fault, ...] = (
    Fault("hang", r"^timed out", _raw("hang")),
    Fault("reset", r"^connection error: connection reset or closed", _raw("reset")),
    Fault("cut body", r"^connection error: ", _raw("cut")),
    Fault("not HTTP", r"^connection error: ", _raw("garbage")),
    Fault("truncated gzip", r"^truncated gzip body$", _http(_gzip_cut)),
    Fault("truncated XML", r"^malformed feed \(truncated\)", _http(_xml_cut)),
    Fault("garbage body", r"^not a feed: ", _http(_garbage)),
    Fault(
        "HTML instead of a feed",
        r"^not a feed: HTML page \('Welcome",
        _http(lambda body: Reply(body=HTML_PAGE, content_type="text/html")),
    ),
    Fault(
        "endless body", rf"^body exceeds {MAX_BYTES} bytes$", _http(lambda b: Reply(endless=True))
    ),
    Fault(
        "oversized body",
        rf"^Content-Length \d+ exceeds {MAX_BYTES} bytes$",
        _http(lambda body: Reply(body=body * (MAX_BYTES // len(body) + 1))),
    ),
    Fault("redirect loop", r"^too many redirects$", _redirect_loop),
    Fault(
        "redirect to file:",
        r"^invalid URL: .*unsupported protocol 'file://'",
        _http(lambda b: redirect("file:///etc/passwd", 302)),
    ),
    Fault(
        "slow drip",
        r"^timed out after 1 s \(total\)$",
        _http(lambda body: Reply(body=body, drip_seconds=0.2, chunk_size=64)),
    ),
    Fault(
        "429 with a long Retry-After",
        r"^HTTP 429 Too Many Requests$",
        _http(lambda b: Reply(status=429, headers={"Retry-After": "120"}, body=b"slow down")),
    ),
    Fault(
        "503 on every try",
        r"^HTTP 503 Service Unavailable$",
        _http(lambda b: Reply(status=503, headers={"Retry-After": "0"}, body=b"busy")),
    ),
    Fault("500", r"^HTTP 500 Internal Server Error$", _http(lambda b: Reply(status=500))),
)


@pytest.fixture
def servers() -> Iterator[Servers]:
    with LoopbackServer() as http, FaultServer() as raw:
        http.routes["/robots.txt"] = Reply(
            body=b"User-agent: *\nAllow: /\n", content_type="text/plain"
        )
        yield Servers(http, raw)


def config() -> HarvestConfig:
    return HarvestConfig(
        user_agent=UA,
        timeout_seconds=1.0,
        max_bytes=MAX_BYTES,
        per_host_delay_seconds=0.0,
        fetch_articles=False,
        max_retries=1,
        retry_base_seconds=0.01,
        retry_max_wait_seconds=0.5,
    )


def add_feeds(factory: sessionmaker[Session], *urls: str) -> None:
    with factory.begin() as session:
        sources = [FeedSource(name=f"feed {i}", url=u) for i, u in enumerate(urls)]
        sync_feeds(session, sources, NOW)


def feed_row(factory: sessionmaker[Session], url: str) -> Feed:
    with factory() as session:
        feed = get_feed_by_url(session, url)
        assert feed is not None
        return feed


def stored_guids(factory: sessionmaker[Session], url: str) -> list[str]:
    with factory() as session:
        feed = get_feed_by_url(session, url)
        assert feed is not None
        return list(session.scalars(select(Article.guid).where(Article.feed_id == feed.id)))


def article_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count(Article.id))) or 0)


def run_pass(
    factory: sessionmaker[Session], when: datetime, *, force: bool = True
) -> HarvestReport:
    return harvest_sync(factory, now=when, config=config(), force=force)


def assert_one_clear_line(error: str | None, pattern: str) -> None:
    assert error, "the failure left no error line"
    assert "\n" not in error and "\r" not in error, repr(error)
    assert len(error) <= 300, error
    assert "internal error" not in error and "Traceback" not in error, error
    assert re.search(pattern, error), (pattern, error)


def assert_no_traceback_logged(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None, (record.getMessage(), record.exc_info)
        assert record.getMessage() != "feed crashed"


def expected_guids(tag: str) -> list[str]:
    return sorted(f"{tag}-{i}" for i in range(ENTRIES))


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_a_faulty_feed_loses_nothing_and_says_why_in_one_line(
    fault: Fault,
    servers: Servers,
    db_url: str,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sound = servers.http.url("/sound.xml")
    servers.http.routes["/sound.xml"] = Reply(body=feed_body("sound"))
    faulty_body = feed_body("faulty")
    faulty = fault.install(servers, faulty_body)
    add_feeds(session_factory, sound, faulty)

    with caplog.at_level(logging.WARNING):
        report = run_pass(session_factory, NOW)
    assert_no_traceback_logged(caplog)
    statuses = {f.url: f.status for f in report.feeds}
    assert statuses == {sound: "ok", faulty: "failed"}, statuses
    assert sorted(stored_guids(session_factory, sound)) == expected_guids("sound")
    assert stored_guids(session_factory, faulty) == []
    row = feed_row(session_factory, faulty)
    assert_one_clear_line(row.last_error, fault.error)
    assert row.error_count == 1

    servers.heal(faulty, faulty_body)
    later = NOW + timedelta(hours=1)
    report = run_pass(session_factory, later)
    assert {f.url: f.status for f in report.feeds}[faulty] == "ok"
    assert sorted(stored_guids(session_factory, faulty)) == expected_guids("faulty")
    assert sorted(stored_guids(session_factory, sound)) == expected_guids("sound")
    assert article_count(session_factory) == 2 * ENTRIES
    assert feed_row(session_factory, faulty).error_count == 0
    assert_integrity(db_url)


def test_retry_after_is_honoured_and_nothing_is_lost_after_it(
    servers: Servers, db_url: str, session_factory: sessionmaker[Session]
) -> None:
    body = feed_body("limited")
    servers.http.routes["/limited.xml"] = Reply(
        status=429, headers={"Retry-After": "120"}, body=b"slow down"
    )
    url = servers.http.url("/limited.xml")
    add_feeds(session_factory, url)
    run_pass(session_factory, NOW)
    row = feed_row(session_factory, url)
    assert row.next_check_at is not None and row.next_check_at >= NOW + timedelta(seconds=120)
    servers.http.routes["/limited.xml"] = Reply(body=body)
    asked = len(servers.http.requests_to("/limited.xml"))
    run_pass(session_factory, NOW + timedelta(seconds=60), force=False)
    assert len(servers.http.requests_to("/limited.xml")) == asked  # not before Retry-After
    run_pass(session_factory, NOW + timedelta(hours=1), force=False)
    assert sorted(stored_guids(session_factory, url)) == expected_guids("limited")
    assert_integrity(db_url)


def test_a_short_503_is_retried_within_the_pass(
    servers: Servers, db_url: str, session_factory: sessionmaker[Session]
) -> None:
    servers.http.routes["/busy.xml"] = sequence(
        Reply(status=503, headers={"Retry-After": "0"}, body=b"busy"),
        Reply(body=feed_body("busy")),
    )
    url = servers.http.url("/busy.xml")
    add_feeds(session_factory, url)
    report = run_pass(session_factory, NOW)
    assert [f.status for f in report.feeds] == ["ok"]
    assert sorted(stored_guids(session_factory, url)) == expected_guids("busy")
    assert len(servers.http.requests_to("/busy.xml")) == 2
    assert_integrity(db_url)


@pytest.mark.parametrize(
    ("label", "body"),
    [
        ("utf-8", feed_body("mislabelled", codec="windows-1251")),
        ("iso-8859-1", feed_body("mislabelled", codec="utf-8")),
        ("koi8-r", feed_body("mislabelled", codec="koi8-r")),
        ("no-such-charset", feed_body("mislabelled", codec="utf-8")),
    ],
)
def test_a_wrong_charset_label_keeps_the_text(
    label: str,
    body: bytes,
    servers: Servers,
    db_url: str,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    servers.http.routes["/charset.xml"] = Reply(
        body=body, content_type=f"application/rss+xml; charset={label}"
    )
    url = servers.http.url("/charset.xml")
    add_feeds(session_factory, url)
    with caplog.at_level(logging.WARNING):
        report = run_pass(session_factory, NOW)
    assert_no_traceback_logged(caplog)
    assert [f.status for f in report.feeds] == ["ok"]
    with session_factory() as session:
        titles = sorted(session.scalars(select(Article.title)))
    assert titles == [f"Москва и Пхеньян: mislabelled сообщение {i}" for i in range(ENTRIES)]
    assert_integrity(db_url)


def test_a_feed_that_turns_into_html_keeps_what_was_stored_and_recovers(
    servers: Servers, db_url: str, session_factory: sessionmaker[Session]
) -> None:
    url = servers.http.url("/turns.xml")
    servers.http.routes["/turns.xml"] = Reply(body=feed_body("turns", entries=2))
    add_feeds(session_factory, url)
    run_pass(session_factory, NOW)
    servers.http.routes["/turns.xml"] = Reply(body=HTML_PAGE, content_type="text/html")
    run_pass(session_factory, NOW + timedelta(hours=1))
    assert_one_clear_line(feed_row(session_factory, url).last_error, r"^not a feed: HTML page")
    assert sorted(stored_guids(session_factory, url)) == ["turns-0", "turns-1"]
    servers.http.routes["/turns.xml"] = Reply(body=feed_body("turns"))
    run_pass(session_factory, NOW + timedelta(hours=2))
    assert sorted(stored_guids(session_factory, url)) == expected_guids("turns")
    assert_integrity(db_url)


def test_forbidden_characters_are_stored_on_every_backend(
    servers: Servers, db_url: str, session_factory: sessionmaker[Session]
) -> None:
    """NUL (PostgreSQL refuses it in text) and lone surrogates (no encoding accepts them),
    written as character references or raw control bytes, never reach an INSERT."""
    body = feed_body("controls").replace(
        b"</title><link>http://127.0.0.1:9/controls",
        b"&#0;&#xD800;\x01</title><link>http://127.0.0.1:9/controls",
    )
    servers.http.routes["/controls.xml"] = Reply(body=body)
    url = servers.http.url("/controls.xml")
    add_feeds(session_factory, url)
    report = run_pass(session_factory, NOW)
    assert [f.status for f in report.feeds] == ["ok"], report.feeds
    with session_factory() as session:
        titles = sorted(session.scalars(select(Article.title)))
    assert titles == [f"Москва и Пхеньян: controls сообщение {i}" for i in range(ENTRIES)]
    assert_integrity(db_url)


ABSURD = "99999999999999999999"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=429, headers={"Retry-After": ABSURD}, body=b"go away"),
        Reply(status=503, headers={"Retry-After": ABSURD}, body=b"go away"),
        Reply(body=feed_body("absurd"), headers={"Cache-Control": f"max-age={ABSURD}"}),
        Reply(
            body=feed_body("absurd").replace(b"<channel>", f"<channel><ttl>{ABSURD}</ttl>".encode())
        ),
    ],
    ids=["429 Retry-After", "503 Retry-After", "max-age", "ttl"],
)
def test_absurd_schedule_hints_are_capped_not_crashing(
    reply: Reply,
    servers: Servers,
    db_url: str,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server's Retry-After, max-age or ttl beyond what a date can hold: the feed is checked
    again within the longest interval (a day), the pass goes on."""
    servers.http.routes["/absurd.xml"] = reply
    servers.http.routes["/sound.xml"] = Reply(body=feed_body("sound"))
    url, sound = servers.http.url("/absurd.xml"), servers.http.url("/sound.xml")
    add_feeds(session_factory, url, sound)
    with caplog.at_level(logging.WARNING):
        report = run_pass(session_factory, NOW)
    assert_no_traceback_logged(caplog)
    statuses = {f.url: f.status for f in report.feeds}
    assert statuses[sound] == "ok"
    assert statuses[url] == ("ok" if reply.status == 200 else "failed")
    row = feed_row(session_factory, url)
    assert row.next_check_at is not None
    assert NOW < row.next_check_at <= NOW + timedelta(days=1)
    if reply.status == 200:
        assert sorted(stored_guids(session_factory, url)) == expected_guids("absurd")
    assert_integrity(db_url)


LONG_VALUE = "x" * 5000


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (Reply(body=feed_body("oversized"), headers={"ETag": f'"{LONG_VALUE}"'}), "ok"),
        (Reply(body=feed_body("oversized"), headers={"Last-Modified": LONG_VALUE}), "ok"),
        (Reply(status=500, content_type=f"text/html; charset=utf-8; x={LONG_VALUE}"), "failed"),
    ],
    ids=["ETag", "Last-Modified", "Content-Type of a failure"],
)
def test_oversized_response_headers_fit_the_columns(
    reply: Reply,
    status: str,
    servers: Servers,
    db_url: str,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Header values longer than their columns (PostgreSQL refuses them; SQLite does not check)."""
    servers.http.routes["/headers.xml"] = reply
    url = servers.http.url("/headers.xml")
    add_feeds(session_factory, url)
    with caplog.at_level(logging.WARNING):
        report = run_pass(session_factory, NOW)
    assert_no_traceback_logged(caplog)
    assert [f.status for f in report.feeds] == [status], report.feeds
    if status == "ok":
        assert sorted(stored_guids(session_factory, url)) == expected_guids("oversized")
    assert_integrity(db_url)


def test_a_permanent_redirect_to_an_overlong_url_keeps_the_feed(
    servers: Servers, db_url: str, session_factory: sessionmaker[Session]
) -> None:
    target = "/moved/" + "y" * 3000 + ".xml"
    servers.http.routes["/short.xml"] = redirect(target, 301)
    servers.http.routes[target] = Reply(body=feed_body("moved"))
    url = servers.http.url("/short.xml")
    add_feeds(session_factory, url)
    report = run_pass(session_factory, NOW)
    assert [f.status for f in report.feeds] == ["ok"], report.feeds
    assert feed_row(session_factory, url).url == url  # kept: the new one does not fit
    assert sorted(stored_guids(session_factory, url)) == expected_guids("moved")
    assert_integrity(db_url)
