"""End to end on real parts: loopback HTTP feeds → SQL store → detection → loopback SMTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.demo import LoopbackSMTP
from flows.health import ExitCode
from flows.loopback import Document, LoopbackServer
from flows.pipeline import run_pass
from flows.samples import build_documents, load_samples, write_sources
from flows.settings import Settings, load_settings

BAD_FEEDS = {
    "/feeds/html-page.xml": Document(
        b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>",
        "text/html; charset=utf-8",
    ),
    "/feeds/malformed.xml": Document(
        b"<?xml version='1.0'?><rss><channel><title>Broken</title><item><title>x</ti",
        "application/xml",
    ),
}


def expected_alert_titles() -> set[str]:
    _, stories = load_samples()
    return {s.id for s in stories if s.expect == "alert"}


def make_settings(tmp_path: Path, db_url: str, base_url: str, smtp_port: int) -> Settings:
    sources = write_sources(tmp_path / "sources.toml", base_url)  # includes a 404 feed
    with sources.open("a", encoding="utf-8") as fh:
        for path in BAD_FEEDS:
            fh.write(f'\n[[feeds]]\nname = "bad {path}"\nurl = "{base_url}{path}"\n')
    base = load_settings({}, cwd=tmp_path)
    return replace(
        base,
        database_url=db_url,
        sources_path=sources,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        alert_to=("analysts@example.org",),
        timeout_seconds=10.0,
    )


@pytest.fixture
def feed_server() -> LoopbackServer:
    server = LoopbackServer({})
    docs = build_documents(server.base_url, datetime.now(UTC))
    docs.update(BAD_FEEDS)
    server.set_documents(docs)
    with server:
        yield server


def assert_expected_alerts(messages: list, stories_by_kind: dict[str, int]) -> None:
    types = sorted(m["X-Rudprk-Event-Type"] for m in messages)
    assert types == sorted(t for t, n in stories_by_kind.items() for _ in range(n))
    for message in messages:
        assert message["X-Rudprk-Alert-Kind"] == "new"
        assert message["X-Rudprk-Event-Id"].isdigit()
        assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith(">")
        plain = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert plain is not None and html is not None
        text = plain.get_content()
        assert "http://127.0.0.1" in text  # link to the source article


def test_pipeline_end_to_end_then_rerun_sends_nothing(
    tmp_path: Path, db_url: str, feed_server: LoopbackServer
) -> None:
    with LoopbackSMTP() as smtp:
        settings = make_settings(tmp_path, db_url, feed_server.base_url, smtp.port)
        first = run_pass(settings)
        assert first.feeds == 6
        assert first.feeds_failed == 3  # HTML page, 404, malformed XML: reported, others went on
        assert first.articles_new >= 6
        assert first.alerts_sent == 2
        assert first.alerts_pending == 0
        assert_expected_alerts(smtp.messages, {"deployment": 1, "agreement": 1})
        deployment = next(m for m in smtp.messages if m["X-Rudprk-Event-Type"] == "deployment")
        body = deployment.get_body(("plain",)).get_content()
        assert "12" in body and "000" in body  # the figure
        assert "Koursk" in body or "Kursk" in body
        subjects = " ".join(m["Subject"] for m in smtp.messages)
        assert "missile" not in subjects.lower()

        # Every feed fetched again, with changed bytes (new build dates) so that each is parsed.
        docs = build_documents(feed_server.base_url, datetime.now(UTC) + timedelta(minutes=5))
        docs.update(BAD_FEEDS)
        feed_server.set_documents(docs)
        second = run_pass(settings, force=True)
        assert second.feeds == 6
        assert second.entries_seen >= 6
        assert second.articles_new == 0
        assert second.events_new == 0
        assert second.alerts_sent == 0
        assert len(smtp.messages) == 2


def test_alerts_wait_in_outbox_while_smtp_is_down(
    tmp_path: Path, db_url: str, feed_server: LoopbackServer
) -> None:
    from flows.demo import free_port

    dead_port = free_port()
    settings = make_settings(tmp_path, db_url, feed_server.base_url, dead_port)
    first = run_pass(settings)
    assert first.alerts_sent == 0
    assert first.alerts_pending == 2
    assert first.exit_code == ExitCode.ALERTS_UNDELIVERED
    assert [u["state"] for u in first.undelivered] == ["retrying", "retrying"]
    assert first.delivery_error is not None and str(dead_port) in first.delivery_error
    with LoopbackSMTP() as smtp:
        # the next cron pass, 15 minutes later: the back-off (5 minutes) has passed
        later = datetime.now(UTC) + timedelta(minutes=15)
        second = run_pass(replace(settings, smtp_port=smtp.port), now=later)
        assert second.alerts_sent == 2
        assert second.alerts_pending == 0
        assert second.exit_code == ExitCode.OK
        assert_expected_alerts(smtp.messages, {"deployment": 1, "agreement": 1})


def test_without_smtp_host_alerts_are_written_as_eml_files(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    settings = replace(
        make_settings(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", feed_server.base_url, 1),
        smtp_host=None,
    )
    summary = run_pass(settings)
    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert summary.alerts_sent == 2
    assert len(files) == 2
    assert all(b"X-Rudprk-Alert-Kind: new" in f.read_bytes() for f in files)


def test_freshness_window_stores_but_never_alerts_old_entries(
    tmp_path: Path, feed_server: LoopbackServer
) -> None:
    with LoopbackSMTP() as smtp:
        settings = replace(
            make_settings(
                tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", feed_server.base_url, smtp.port
            ),
            freshness_hours=0.5,  # every sample story is at least an hour old
        )
        summary = run_pass(settings)
        assert summary.articles_new >= 6
        assert summary.events_new >= 2
        assert summary.alerts_sent == 0
        assert smtp.messages == []


def test_expected_alerts_match_samples() -> None:
    assert expected_alert_titles() == {"deploy-fr", "agreement-en"}
