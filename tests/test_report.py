"""The HTML report: the renderer on hand-made rows (escaping, self-containment, chart geometry),
the rows read from a real database (SQLite, and PostgreSQL when configured) and ``rudprk report``
itself. The page in a real browser is tests/test_report_chromium.py."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from seeding import EVENTS, NOW, seed_alerts
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from flows.cli import app
from flows.report import (
    _nice_ceiling,
    agreements_by_stage,
    deployment_timeline,
    render_report,
    safe_href,
    sources_per_event,
)
from storage.models import EventUpdate
from storage.queries import Row
from storage.report import Change, ReportData, Update, load_report
from storage.views import V_ALERTS, V_EVENT_SOURCES, V_EVENTS, V_FEED_HEALTH

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _row(columns: tuple[str, ...], **values: Any) -> Row:
    unknown = set(values) - set(columns)
    assert not unknown, unknown
    return {name: values.get(name) for name in columns}


def event_row(event_id: int, **values: Any) -> Row:
    defaults: dict[str, Any] = {
        "id": event_id,
        "event_type": "deployment",
        "modality": "new",
        "status": "alleged",
        "summary": f"event {event_id}",
        "sources": 1,
        "articles": 1,
        "first_seen_at": NOW - timedelta(days=event_id),
    }
    return _row(V_EVENTS.column_names, **{**defaults, **values})


def source_row(event_id: int, article_id: int, **values: Any) -> Row:
    defaults: dict[str, Any] = {
        "event_id": event_id,
        "article_id": article_id,
        "role": "origin",
        "feed_name": "Wire",
        "title": f"story {article_id}",
        "url": f"https://wire.test/{article_id}",
        "language": "en",
        "published_at": NOW,
    }
    return _row(V_EVENT_SOURCES.column_names, **{**defaults, **values})


def feed_row(feed_id: int, **values: Any) -> Row:
    defaults: dict[str, Any] = {
        "id": feed_id,
        "name": f"feed {feed_id}",
        "url": f"https://feed{feed_id}.test/rss",
        "enabled": True,
        "error_count": 0,
        "articles": 0,
    }
    return _row((*V_FEED_HEALTH.column_names, "category"), **{**defaults, **values})


def alert_row(alert_id: int, **values: Any) -> Row:
    defaults: dict[str, Any] = {
        "alert_id": alert_id,
        "event_id": 1,
        "kind": "new",
        "created_at": NOW,
        "channel": "email",
        "status": "sent",
        "attempts": 1,
        "sent_at": NOW,
    }
    return _row(V_ALERTS.column_names, **{**defaults, **values})


def hostile_data() -> ReportData:
    events = [
        event_row(1, summary=HOSTILE, figure_low=12000, figure_high=12000, place="Kursk"),
        event_row(2, event_type="agreement", stage="signature", summary="Bridge protocol"),
    ]
    sources = {
        1: [
            source_row(1, 10, title=HOSTILE, url="javascript:alert(1)"),
            source_row(1, 11, role="report", title="A copy", url="https://news.test/a?b=1&c=2"),
        ]
    }
    updates = {
        1: [
            Update(
                NOW, 11, (Change("status", "alleged", "confirmed"), Change("place", None, HOSTILE))
            )
        ]
    }
    feeds = [
        feed_row(1, name=HOSTILE, url="data:text/html,<b>x</b>", error_count=3, last_error=HOSTILE),
        feed_row(
            2, name="Quiet", enabled=False, disabled_reason="410 Gone", category="Korea/Wires"
        ),
    ]
    alerts = [
        alert_row(1, event_summary=HOSTILE, last_error="</td></tr></table><b>oops</b>"),
        alert_row(1, channel="slack", status="retrying", sent_at=None),  # its second channel
        alert_row(2, event_id=2, status="pending", sent_at=None),
    ]
    return ReportData(None, events, sources, updates, feeds, alerts)


def test_untrusted_text_is_escaped_and_only_http_links_are_links() -> None:
    page = render_report(hostile_data(), NOW)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "</td></tr></table><b>" not in page and "&lt;/td&gt;&lt;/tr&gt;" in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert "javascript:alert(1)" not in hrefs and not any(h.startswith("data:") for h in hrefs)
    assert "https://news.test/a?b=1&amp;c=2" in page  # an attribute, escaped
    assert all(h.startswith(("https://", "#event-")) for h in hrefs), hrefs
    # the refused URLs stay readable as text
    assert "javascript:alert(1)" in page and "data:text/html,&lt;b&gt;x&lt;/b&gt;" in page


def test_the_page_is_self_contained() -> None:
    page = render_report(hostile_data(), NOW)
    assert 'http-equiv="Content-Security-Policy" content="default-src \'none\';' in page
    assert not re.search(r"<(link|script|iframe|object|embed|img)\b", page, re.IGNORECASE)
    assert not re.search(r"\bsrc\s*=|url\(|@import", page.replace("src=x", ""))


def test_the_page_shows_sources_history_feeds_and_alerts() -> None:
    page = render_report(hostile_data(), NOW)
    assert 'id="event-1"' in page and 'id="event-2"' in page
    assert page.count('class="source"') == 2
    assert "status alleged → confirmed; place - → &lt;script&gt;" in page
    assert '<tr class="feed failing">' in page and '<tr class="feed off">' in page
    assert "410 Gone" in page and "<td>Korea/Wires</td>" in page
    assert "agreement (signed)" in page
    assert '<a href="#event-1">#1</a>' in page  # the alert links to its event
    assert "<strong>1</strong>alerts sent" in page and "<strong>2</strong>alerts waiting" in page
    assert page.count('<tr class="alert ') == 3  # a row per delivery


def test_an_empty_period_renders_without_charts() -> None:
    page = render_report(ReportData(NOW - timedelta(days=7), [], {}, {}, [], []), NOW)
    assert "No deployment with a figure in the period." in page
    assert "No events in the period." in page and "<svg" not in page
    assert "events first seen since 2026-11-13 12:00 UTC" in page


def test_the_timeline_places_deployments_by_date_and_figure() -> None:
    rows = [
        event_row(1, figure_low=1000, figure_high=6000, event_date=date(2026, 11, 1)),
        event_row(2, figure_low=12000, figure_high=12000, event_date=date(2026, 11, 11)),
        event_row(3, figure_low=None, figure_high=None),  # no figure: not drawn
        event_row(4, event_type="agreement", figure_low=5, figure_high=5),
    ]
    timeline = deployment_timeline(rows)
    first, second = sorted(timeline.points, key=lambda p: p.event_id)
    assert [p.event_id for p in timeline.points] == [1, 2]
    assert first.x < second.x and second.y < first.y  # later and larger: right and higher
    assert first.y_low > first.y and second.y_low == second.y  # a range, a single figure
    assert timeline.y_ticks[-1].label == "20,000"  # 12,000 rounded up to a plain axis top
    bottom, top = timeline.y_ticks[0].position, timeline.y_ticks[-1].position
    assert timeline.y_ticks[0].label == "0"
    assert second.y == pytest.approx(bottom - (bottom - top) * 12000 / 20000, abs=0.1)
    assert timeline.x_ticks[0].label == "2026-11-01" and timeline.x_ticks[-1].label == "2026-11-11"
    assert deployment_timeline(rows[2:]).points == ()


def test_the_bar_charts_count_stages_and_outlets() -> None:
    rows = [
        event_row(1, event_type="agreement", stage="signature"),
        event_row(2, event_type="agreement", stage="ratification"),
        event_row(3, event_type="agreement", stage="enactment"),
        event_row(4, event_type="agreement", stage="a stage not known yet"),
        event_row(5, sources=4),
        event_row(6, sources=2),
    ]
    stages = {bar.label: bar for bar in agreements_by_stage(rows).bars}
    assert {k: b.value for k, b in stages.items()} == {
        "announced": 0,
        "signed": 1,
        "ratified": 2,
        "in force": 0,
        "implemented": 0,
        "other stage": 1,
    }
    assert stages["ratified"].width > stages["signed"].width > stages["announced"].width == 0
    ranked = sources_per_event(rows).bars
    assert [b.value for b in ranked[:2]] == [4, 2] and ranked[0].href == "#event-5"


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (7, 10), (12000, 20000), (2400, 2500), (5000, 5000), (51, 100)]
)
def test_axis_tops_are_plain_numbers(value: float, top: float) -> None:
    assert _nice_ceiling(value) == top


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://a.test/x", "https://a.test/x"),
        ("HTTP://a.test", "HTTP://a.test"),
        ("javascript:alert(1)", None),
        ("//a.test/x", None),
        ("/relative", None),
        (None, None),
    ],
)
def test_safe_href(url: str | None, href: str | None) -> None:
    assert safe_href(url) == href


def _seed(session: Session) -> None:
    recent = [*EVENTS, {**EVENTS[1], "summary": HOSTILE, "stage": "ratification"}]
    seed_alerts(session, recent)
    seed_alerts(session, EVENTS[:1], now=NOW - timedelta(days=60), tag="old")
    session.add(
        EventUpdate(
            event_id=1,
            article_id=None,
            changes=[{"field": "status", "before": "alleged", "after": "confirmed"}],
            fingerprint="f" * 64,
            changed_at=NOW,
        )
    )
    session.commit()


def test_the_rows_come_from_the_views(session: Session) -> None:
    _seed(session)
    everything = load_report(session)
    assert len(everything.events) == 5 and len(everything.alerts) == 5
    period = load_report(session, since=NOW - timedelta(days=7))
    assert len(period.events) == 4 and len(period.alerts) == 4
    assert all(e["first_seen_at"] >= NOW - timedelta(days=7) for e in period.events)
    assert {len(rows) for rows in period.sources.values()} == {2}
    assert set(period.sources) == {int(e["id"]) for e in period.events}
    assert [s["role"] for s in period.sources[1]] == ["origin", "report"]
    (update,) = period.updates[1]
    assert update.changes == (Change("status", "alleged", "confirmed"),)
    assert len(period.feeds) == 4  # every feed, whatever the period
    assert {f["category"] for f in period.feeds} == {None}
    page = render_report(period, NOW)
    assert page.count('<tr class="event"') == 4 and "&lt;script&gt;" in page
    assert "status alleged → confirmed" in page


def test_rudprk_report_writes_the_page(
    db_url: str, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(session)
    monkeypatch.setenv("RUDPRK_DATABASE_URL", db_url)
    monkeypatch.setenv("RUDPRK_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "report.html"
    since = (NOW - timedelta(days=7)).date().isoformat()
    done = CliRunner().invoke(app, ["report", "--html", str(out), "--since", since])
    assert done.exit_code == 0, done.output
    assert f"report written to {out}: 4 event(s), 4 alert deliveries, 4 feed(s)" in done.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('<tr class="event"') == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--html", "{out}", "--since", "last tuesday"],
            "--since: expected 30d, 12h, 2w or a date",
        ),
        (["--html", "{tmp}/missing/report.html"], "cannot write"),
        (["--html", "{tmp}"], "it is a directory"),
        (["--since", "7d"], "--html FILE is required"),
    ],
)
def test_report_mistakes_are_one_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.setenv("RUDPRK_DATABASE_URL", db_url)
    monkeypatch.setenv("RUDPRK_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "report.html"
    command = [a.format(out=out, tmp=tmp_path) for a in args]
    done = CliRunner().invoke(app, ["report", *command])
    assert done.exit_code == 2
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.output
    assert not out.exists() and not (tmp_path / "missing").exists()


def test_report_times_are_utc() -> None:
    paris = datetime(2026, 11, 20, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    data = ReportData(None, [event_row(1, first_seen_at=paris)], {}, {}, [], [])
    assert "2026-11-20 13:00" in render_report(data, NOW)
