"""The HTML report (``rudprk report``) in headless Chromium: the charts are drawn (their marks in
the DOM have a size, and their colours are in the screenshot's pixels), the tables hold every
event, untrusted text stays text, and the page loads nothing (its Content-Security-Policy would
refuse it). The screenshot is kept as a test artefact (``RUDPRK_TEST_ARTIFACTS``, default
``data/test-artifacts``).

Skipped, with the reason, where Chromium is not installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from chromium import Chromium, find_chromium
from seeding import EVENTS, NOW, seed_alerts
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from flows.cli import app

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)

HOSTILE = "<script>document.title='owned'</script><b id=injected>bold</b>"

# What the layout drew, measured in the page.
MEASURE = """JSON.stringify({
  title: document.title,
  scripts: document.querySelectorAll('script').length,
  injected: document.querySelectorAll('#injected').length,
  summaryText: document.querySelector('#events').textContent.includes("<b id=injected>"),
  points: Array.from(document.querySelectorAll('#chart-deployments circle.point')).map(c => {
    const r = c.getBoundingClientRect(); return [r.width, r.height, r.top, c.parentNode.dataset.event];
  }),
  stageBars: Array.from(document.querySelectorAll('#chart-stages rect.bar')).map(r =>
    [r.getBoundingClientRect().width, Number(r.parentNode.dataset.value)]),
  sourceBars: Array.from(document.querySelectorAll('#chart-sources rect.bar')).map(r =>
    r.getBoundingClientRect().width),
  barFill: getComputedStyle(document.querySelector('#chart-sources rect.bar')).fill,
  events: document.querySelectorAll('#events tr.event').length,
  sources: document.querySelectorAll('#events li.source').length,
  alerts: document.querySelectorAll('#alerts tr.alert').length,
  feeds: document.querySelectorAll('#feeds tr.feed').length,
  resources: performance.getEntriesByType('resource').length,
  scrollWidth: document.documentElement.scrollWidth,
})"""

# Counts the pixels of the charts' colours in a PNG (decoded by the browser on a blank page).
COUNT_COLOURS = """new Promise((resolve, reject) => {
  const img = new Image();
  img.onerror = () => reject('not an image');
  img.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = img.width; canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const wanted = {bar: [47, 95, 143], stage: [60, 122, 60], point: [178, 34, 34]};
    const counts = {bar: 0, stage: 0, point: 0};
    for (let i = 0; i < data.length; i += 4) {
      for (const [name, rgb] of Object.entries(wanted)) {
        if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2]) counts[name]++;
      }
    }
    resolve(JSON.stringify({width: img.width, counts}));
  };
  img.src = 'data:image/png;base64,%s';
})"""


def _artifacts() -> Path:
    folder = Path(os.environ.get("RUDPRK_TEST_ARTIFACTS") or Path("data") / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_report_draws_its_charts_in_chromium(
    session: Session, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [
        EVENTS[0],  # two deployments with figures, a signed agreement, a ratified one
        {**EVENTS[1], "stage": "signature"},
        EVENTS[2],
        {**EVENTS[1], "summary": HOSTILE, "stage": "ratification"},
    ]
    seed_alerts(session, events)
    seed_alerts(session, EVENTS[:1], now=NOW - timedelta(days=90), tag="old")  # before --since
    monkeypatch.setenv("RUDPRK_DATABASE_URL", db_url)
    monkeypatch.setenv("RUDPRK_DATA_DIR", str(tmp_path / "data"))
    page = tmp_path / "report.html"
    since = (NOW - timedelta(days=30)).date().isoformat()
    done = CliRunner().invoke(app, ["report", "--html", str(page), "--since", since])
    assert done.exit_code == 0, done.output

    assert CHROMIUM is not None
    shot = _artifacts() / "report-desktop.png"
    with Chromium(CHROMIUM, tmp_path / "profile") as browser:
        tab = browser.page(page.as_uri(), width=1100, height=900, scale=1)
        drawn = json.loads(browser.evaluate(tab, MEASURE))
        browser.screenshot(tab, shot)
        blank = browser.page("about:blank", width=200, height=200, scale=1)
        encoded = base64.b64encode(shot.read_bytes()).decode()
        pixels = json.loads(browser.evaluate_promise(blank, COUNT_COLOURS % encoded))

    # untrusted text is text: no script ran, no element was injected
    assert drawn["title"].startswith("rudprk-watch report") and drawn["scripts"] == 0
    assert drawn["injected"] == 0 and drawn["summaryText"]
    assert drawn["resources"] == 0  # nothing fetched
    # the timeline: one visible dot per deployment with a figure, the larger one higher
    points = {int(event): (w, h, top) for w, h, top, event in drawn["points"]}
    assert len(points) == 2 and all(w > 0 and h > 0 for w, h, _ in points.values())
    (big, small) = sorted(points.values(), key=lambda p: p[2])
    assert big[2] < small[2]
    # agreements by stage: five stages, a visible bar exactly where the count is not zero
    assert len(drawn["stageBars"]) == 5
    assert [value for _, value in drawn["stageBars"]] == [0, 1, 1, 0, 0]
    assert all((width > 0) == (value > 0) for width, value in drawn["stageBars"])
    # outlets per event: every event of the period has two outlets, so full bars
    assert len(drawn["sourceBars"]) == 4 and all(w > 100 for w in drawn["sourceBars"])
    assert drawn["barFill"] == "rgb(47, 95, 143)"
    # the tables: the period's events with both sources each, their alerts, every feed
    assert drawn["events"] == 4 and drawn["sources"] == 8
    assert drawn["alerts"] == 4 and drawn["feeds"] == 4
    assert drawn["scrollWidth"] <= 1100
    # the screenshot shows the marks in their colours
    assert pixels["width"] == 1100
    counts = pixels["counts"]
    assert counts["bar"] > 4 * 100 * 10, counts  # four bars, >100 px long, 18 px high
    assert counts["stage"] > 2 * 10 * 10, counts
    assert counts["point"] > 2 * 20, counts
