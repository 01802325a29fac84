"""The HTML report (``rudprk report --html FILE``): one self-contained page, for people who would
rather look than read.

Three charts drawn as inline SVG (deployment figures over time, agreements by stage, sources per
event) and the tables behind them: the events with their sources and history, the feeds' health,
the alerts. No script, no stylesheet, font or image to fetch: a Content-Security-Policy forbids
any, so the file opens the same from a mail attachment or a USB stick.

Everything in the page comes from feeds (titles, summaries, URLs, error messages) and is
untrusted: the template is autoescaped, and only ``http(s)`` URLs become links.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from flows.queries_cli import figure_text, type_text
from storage.queries import AgreementStage, Row, agreement_stage
from storage.report import ReportData, Update

# The charts' drawing area, in SVG user units (the SVG scales to the page's width).
WIDTH = 760
PLOT_LEFT = 64
PLOT_RIGHT = 16
PLOT_TOP = 16
PLOT_HEIGHT = 200
BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 260
SOURCES_CHART_EVENTS = 25  # the most-reported events of the period

_ENVIRONMENT = Environment(
    loader=PackageLoader("flows", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Point:
    """One deployment on the timeline: a dot at its high figure, a line down to its low one."""

    event_id: int
    x: float
    y: float
    y_low: float
    title: str


@dataclass(frozen=True)
class Timeline:
    points: tuple[Point, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    height: int


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    href: str | None = None


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    height: int
    label_width: int

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def safe_href(url: object) -> str | None:
    """``url`` when it is an absolute ``http(s)`` URL, else ``None`` (shown as text)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def moment(value: object) -> str:
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return "-"


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above ``value`` (an axis' top)."""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    while scale > value:
        scale /= 10
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def _when(row: Row) -> date:
    """Where an event sits in time: its stated date, else the day it was first seen."""
    stated = row.get("event_date")
    if isinstance(stated, date):
        return stated
    first: datetime = row["first_seen_at"]
    return first.astimezone(UTC).date()


def deployment_timeline(events: list[Row]) -> Timeline:
    """Deployments with a figure, placed by date (x) and size (y, from zero)."""
    shown = [
        r
        for r in events
        if r["event_type"] == "deployment"
        and (r.get("figure_high") is not None or r.get("figure_low") is not None)
    ]
    if not shown:
        return Timeline((), (), (), PLOT_TOP + PLOT_HEIGHT + 40)
    days = [_when(r) for r in shown]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    top = _nice_ceiling(max(float(r["figure_high"] or r["figure_low"]) for r in shown))
    plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT

    def x_of(day: date) -> float:
        if first == last:
            return PLOT_LEFT + plot_width / 2
        return PLOT_LEFT + plot_width * (day - first).days / span

    def y_of(figure: float) -> float:
        return PLOT_TOP + PLOT_HEIGHT * (1 - figure / top)

    points = []
    for row, day in zip(shown, days, strict=True):
        high = float(row["figure_high"] if row["figure_high"] is not None else row["figure_low"])
        low = float(row["figure_low"] if row["figure_low"] is not None else high)
        place = f", {row['place']}" if row.get("place") else ""
        points.append(
            Point(
                event_id=int(row["id"]),
                x=round(x_of(day), 1),
                y=round(y_of(high), 1),
                y_low=round(y_of(low), 1),
                title=f"#{row['id']} {day.isoformat()}: {figure_text(row)}{place}",
            )
        )
    count = 1 if first == last else min(6, span + 1)
    x_ticks = tuple(
        Tick(round(x_of(day), 1), day.isoformat())
        for day in sorted(
            {first + (last - first) * i / max(count - 1, 1) for i in range(count)}
            if first != last
            else {first}
        )
    )
    y_ticks = tuple(Tick(round(y_of(top * i / 4), 1), f"{top * i / 4:,.0f}") for i in range(5))
    return Timeline(tuple(points), x_ticks, y_ticks, PLOT_TOP + PLOT_HEIGHT + 40)


def _bars(items: list[tuple[str, int, str | None]], label_width: int) -> BarChart:
    biggest = max((value for _, value, _ in items), default=0) or 1
    room = WIDTH - label_width - 60
    bars = tuple(
        Bar(
            label=label,
            value=value,
            y=round(i * (BAR_HEIGHT + BAR_GAP), 1),
            width=round(room * value / biggest, 1) if value else 0.0,
            href=href,
        )
        for i, (label, value, href) in enumerate(items)
    )
    return BarChart(bars, max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP), label_width)


def agreements_by_stage(events: list[Row]) -> BarChart:
    """One bar per stage, in the order of an agreement's life, zero counts included."""
    counted = Counter(
        agreement_stage("agreement", r.get("stage"))
        for r in events
        if r["event_type"] == "agreement"
    )
    items: list[tuple[str, int, str | None]] = [
        (stage.value.replace("_", " "), counted.get(stage, 0), None) for stage in AgreementStage
    ]
    if counted.get(None):
        items.append(("other stage", counted[None], None))
    return _bars(items, 120)


def sources_per_event(events: list[Row]) -> BarChart:
    """The most-reported events: distinct outlets per event."""
    ranked = sorted(events, key=lambda r: (-int(r["sources"]), -int(r["id"])))
    items: list[tuple[str, int, str | None]] = []
    for row in ranked[:SOURCES_CHART_EVENTS]:
        summary = str(row["summary"])
        label = summary if len(summary) <= 40 else summary[:39] + "…"
        items.append((f"#{row['id']} {label}", int(row["sources"]), f"#event-{row['id']}"))
    return _bars(items, LABEL_WIDTH)


def _source_view(row: Row) -> dict[str, Any]:
    return {
        "role": row["role"],
        "feed": row["feed_name"],
        "language": row.get("language") or "-",
        "published": moment(row.get("published_at") or row.get("discovered_at")),
        "title": row.get("title") or row.get("url") or f"article {row['article_id']}",
        "url": row.get("url") or "",
        "href": safe_href(row.get("url")),
    }


def _value_text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return "–".join(_value_text(v) for v in value)
    return str(value)


def _update_view(update: Update) -> dict[str, Any]:
    return {
        "when": moment(update.changed_at),
        "changes": [
            {"field": c.field, "before": _value_text(c.before), "after": _value_text(c.after)}
            for c in update.changes
        ],
    }


def _event_view(row: Row, data: ReportData) -> dict[str, Any]:
    status = str(row["modality"])
    if row.get("status") and row["status"] != "alleged":
        status += f", {row['status']}"
    return {
        "id": row["id"],
        "first_seen": moment(row["first_seen_at"]),
        "type": type_text(row),
        "status": status,
        "figure": figure_text(row),
        "force": row.get("unit_force") or "",
        "place": row.get("place") or "-",
        "date": moment(row.get("event_date")),
        "claimant": row.get("claimant") or "-",
        "instrument": row.get("instrument") or "",
        "summary": row["summary"],
        "sources_count": row["sources"],
        "articles_count": row["articles"],
        "parent": row.get("parent_event_id"),
        "sources": [_source_view(s) for s in data.sources.get(int(row["id"]), [])],
        "updates": [_update_view(u) for u in data.updates.get(int(row["id"]), [])],
    }


def _feed_view(row: Row) -> dict[str, Any]:
    enabled = bool(row["enabled"])
    failing = enabled and int(row["error_count"] or 0) > 0
    error = row.get("disabled_reason") if not enabled else row.get("last_error")
    return {
        "name": row["name"],
        "category": row.get("category") or "-",
        "url": row["url"],
        "href": safe_href(row["url"]),
        "state": "off" if not enabled else ("failing" if failing else "ok"),
        "errors": int(row["error_count"] or 0),
        "error": error or "",
        "last_success": moment(row.get("last_success_at")),
        "last_article": moment(row.get("last_article_at")),
        "articles": row.get("articles") or 0,
    }


def _alert_view(row: Row, shown: set[int]) -> dict[str, Any]:
    event_id = row.get("event_id")
    return {
        "id": row["alert_id"],
        "created": moment(row["created_at"]),
        "kind": row["kind"],
        "event_id": event_id,
        "event_anchor": event_id is not None and int(event_id) in shown,
        "event_summary": row.get("event_summary") or "",
        "channel": row.get("channel") or "-",
        "status": row.get("status") or "no delivery",
        "attempts": row.get("attempts") or 0,
        "sent": moment(row.get("sent_at")),
        "error": row.get("last_error") or "",
    }


def render_report(data: ReportData, generated_at: datetime) -> str:
    """The whole page, as one HTML document."""
    events = data.events
    shown = {int(r["id"]) for r in events}
    feeds = [_feed_view(r) for r in data.feeds]
    alerts = [_alert_view(r, shown) for r in data.alerts]
    period = (
        f"events first seen since {moment(data.since)} UTC"
        if data.since is not None
        else "every stored event"
    )
    template = _ENVIRONMENT.get_template("report.html.j2")
    return template.render(
        generated=moment(generated_at),
        period=period,
        counts={
            "events": len(events),
            "deployments": sum(1 for r in events if r["event_type"] == "deployment"),
            "agreements": sum(1 for r in events if r["event_type"] == "agreement"),
            "articles": sum(int(r["articles"]) for r in events),
            # an alert has a delivery per channel: counted once, sent when one channel was
            "alerts_sent": len({a["id"] for a in alerts if a["status"] == "sent"}),
            "alerts_waiting": len(
                {a["id"] for a in alerts if a["status"] not in ("sent", "discarded")}
            ),
            "feeds": len(feeds),
            "feeds_failing": sum(1 for f in feeds if f["state"] == "failing"),
        },
        width=WIDTH,
        plot={"left": PLOT_LEFT, "right": WIDTH - PLOT_RIGHT, "top": PLOT_TOP},
        plot_bottom=PLOT_TOP + PLOT_HEIGHT,
        bar_height=BAR_HEIGHT,
        timeline=deployment_timeline(events),
        stages=agreements_by_stage(events),
        sources=sources_per_event(events),
        events=[_event_view(r, data) for r in events],
        feeds=feeds,
        alerts=alerts,
    )
