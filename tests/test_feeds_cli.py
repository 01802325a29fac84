"""``rudprk feeds …`` against a loopback feed server and a real database (both backends)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from httpserver import LoopbackServer, Reply, redirect
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from flows.feeds_cli import feeds_app
from flows.ingest.harvest import HarvestConfig, harvest_sync
from storage.feeds import FeedSource, add_feed, disable_feed, get_feed_by_url, list_feeds
from storage.models import Article

FEED = (
    b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Korea Desk</title>"
    b"<link>http://x/</link><description>d</description><language>en</language>"
    b"<item><guid>k1</guid><title>Rail link reopens</title><link>http://x/k1</link></item>"
    b"<item><guid>k2</guid><title>Port talks resume</title><link>http://x/k2</link></item>"
    b"</channel></rss>"
)


def home_page(*feeds: str) -> bytes:
    links = "".join(
        f"<link rel='alternate' type='application/rss+xml' title='Feed {i}' href='{href}'>"
        for i, href in enumerate(feeds)
    )
    return f"<!DOCTYPE html><html><head><title>News</title>{links}</head><body>Hi</body></html>".encode()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        srv.routes["/feed.xml"] = Reply(body=FEED)
        srv.routes["/world.xml"] = Reply(body=FEED.replace(b"Korea Desk", b"World Desk"))
        srv.routes["/"] = Reply(
            body=home_page("/feed.xml", "/world.xml"), content_type="text/html; charset=utf-8"
        )
        yield srv


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("RUDPRK_DATABASE_URL", db_url)
    monkeypatch.setenv("RUDPRK_DATA_DIR", str(tmp_path / "data"))
    yield CliRunner()


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(feeds_app, list(args), catch_exceptions=False)


def test_add_validates_and_lists_the_feed(
    cli_env: CliRunner, server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    url = server.url("/feed.xml")
    result = invoke(cli_env, "add", url, "--language", "en")
    assert result.exit_code == 0, result.output
    assert "Korea Desk" in result.output and "2 entries" in result.output
    with session_factory() as session:
        feed = get_feed_by_url(session, url)
        assert feed is not None and feed.name == "Korea Desk" and feed.language == "en"
    again = invoke(cli_env, "add", url)
    assert again.exit_code == 1 and "already" in again.output
    listing = invoke(cli_env, "list")
    assert listing.exit_code == 0
    assert "Korea Desk" in listing.output and url in listing.output
    assert "1 feed(s)" in listing.output


def test_add_stores_the_url_a_feed_moved_to(
    cli_env: CliRunner, server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    server.routes["/old.xml"] = redirect("/feed.xml", 301)
    result = invoke(cli_env, "add", server.url("/old.xml"))
    assert result.exit_code == 0, result.output
    assert "moved permanently" in result.output
    with session_factory() as session:
        assert [f.url for f in list_feeds(session)] == [server.url("/feed.xml")]


def test_add_refuses_what_is_not_a_feed(cli_env: CliRunner, server: LoopbackServer) -> None:
    result = invoke(cli_env, "add", server.url("/nothing.xml"))
    assert result.exit_code == 1
    assert "404" in result.output


def test_add_autodiscovers_from_a_web_page(
    cli_env: CliRunner, server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    result = invoke(cli_env, "add", server.url("/"), "--choose", "2", "--name", "World")
    assert result.exit_code == 0, result.output
    assert server.url("/feed.xml") in result.output  # the candidates are offered
    with session_factory() as session:
        names = {f.url: f.name for f in list_feeds(session)}
    assert names == {server.url("/world.xml"): "World"}


def test_check_reports_without_storing(
    cli_env: CliRunner, server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    result = invoke(cli_env, "check", server.url("/feed.xml"))
    assert result.exit_code == 0, result.output
    assert "entries:      2" in result.output
    assert "Rail link reopens" in result.output
    page = invoke(cli_env, "check", server.url("/"))
    assert page.exit_code == 1
    assert "not a feed" in page.output and server.url("/world.xml") in page.output
    with session_factory() as session:
        assert list_feeds(session) == []


def test_list_shows_failures_and_enable_clears_a_disabled_feed(
    cli_env: CliRunner, server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    missing = server.url("/gone-missing.xml")
    assert invoke(cli_env, "add", server.url("/feed.xml")).exit_code == 0
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with session_factory.begin() as session:
        add_feed(session, FeedSource(name="Missing", url=missing), now)
    harvest_sync(
        session_factory,
        now=now,
        config=HarvestConfig(user_agent="t", fetch_articles=False, per_host_delay_seconds=0),
    )
    full = invoke(cli_env, "list").output
    # ENTRIES (seen) and ARTICLES (stored) of the feed that worked.
    assert re.search(r"\s2\s+2\s+" + re.escape(server.url("/feed.xml")), full), full
    listing = invoke(cli_env, "list", "--failing")
    assert "Missing" in listing.output and "HTTP 404" in listing.output
    assert "Korea Desk" not in listing.output
    with session_factory.begin() as session:
        feed = get_feed_by_url(session, missing)
        assert feed is not None
        disable_feed(session, feed.id, "gone: HTTP 410 Gone", now)
    assert "off" in invoke(cli_env, "list").output
    result = invoke(cli_env, "enable", missing)
    assert result.exit_code == 0
    with session_factory() as session:
        feed = get_feed_by_url(session, missing)
        assert feed is not None and feed.enabled and feed.error_count == 0
    assert invoke(cli_env, "enable", server.url("/unknown.xml")).exit_code == 1


def test_remove(
    cli_env: CliRunner, server: LoopbackServer, session_factory: sessionmaker[Session]
) -> None:
    url = server.url("/feed.xml")
    invoke(cli_env, "add", url)
    harvest_sync(
        session_factory,
        now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        config=HarvestConfig(user_agent="t", fetch_articles=False, per_host_delay_seconds=0),
    )
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 2
    assert invoke(cli_env, "remove", url).exit_code == 0
    assert invoke(cli_env, "remove", url).exit_code == 1
    with session_factory() as session:
        assert list_feeds(session) == []
        assert session.scalar(select(func.count()).select_from(Article)) == 0


def test_export_then_import_round_trip(
    cli_env: CliRunner,
    server: LoopbackServer,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    invoke(cli_env, "add", server.url("/feed.xml"), "--language", "en")
    invoke(cli_env, "add", server.url("/world.xml"))
    out = tmp_path / "feeds.opml"
    exported = invoke(cli_env, "export", "--output", str(out))
    assert exported.exit_code == 0
    content = out.read_bytes()
    assert server.url("/feed.xml").encode() in content
    invoke(cli_env, "remove", server.url("/world.xml"))
    imported = invoke(cli_env, "import", str(out))
    assert imported.exit_code == 0, imported.output
    assert "imported 1 new feed(s), 1 already present" in imported.output
    with session_factory() as session:
        assert {f.url for f in list_feeds(session)} == {
            server.url("/feed.xml"),
            server.url("/world.xml"),
        }


HOSTILE_OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>mixed</title></head><body>
<outline text="Good" xmlUrl="https://good.test/rss"/>
<outline text="Passwords" xmlUrl="file:///etc/passwd"/>
<outline text="Old FTP" xmlUrl="ftp://ftp.test/feed.xml"/>
<outline text="Script" xmlUrl="javascript:alert(1)"/>
<outline text="Inline" xmlUrl="data:text/xml,&lt;rss/&gt;"/>
<outline text="No host" xmlUrl="http:///feed.xml"/>
</body></opml>
"""


def test_import_refuses_every_non_http_feed_with_one_line_each(
    cli_env: CliRunner, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "mixed.opml"
    path.write_bytes(HOSTILE_OPML)
    result = CliRunner().invoke(feeds_app, ["import", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    refused = [line for line in result.stderr.splitlines() if line.startswith("refused:")]
    assert refused == [
        "refused: Passwords <file:///etc/passwd>: not an http(s) URL (file:)",
        "refused: Old FTP <ftp://ftp.test/feed.xml>: not an http(s) URL (ftp:)",
        "refused: Script <javascript:alert(1)>: not an http(s) URL (javascript:)",
        "refused: Inline <data:text/xml,<rss/>>: not an http(s) URL (data:)",
        "refused: No host <http:///feed.xml>: no host",
    ]
    assert "imported 1 new feed(s), 0 already present, 5 refused" in result.stdout
    with session_factory() as session:
        assert [f.url for f in list_feeds(session)] == ["https://good.test/rss"]


def test_add_refuses_a_non_http_url_before_fetching(cli_env: CliRunner) -> None:
    result = invoke(cli_env, "add", "file:///etc/passwd")
    assert result.exit_code == 1
    assert "cannot add file:///etc/passwd: not an http(s) URL (file:)" in result.output
