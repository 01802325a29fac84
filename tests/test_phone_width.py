"""The alert e-mail at phone width (375 px) in headless Chromium: no horizontal overflow, and a
screenshot kept as a test artefact (``RUDPRK_TEST_ARTIFACTS``, default ``data/test-artifacts``).

Skipped, with the reason, where Chromium is not installed (``.ci/run`` installs Debian's
``chromium`` when apt is usable).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from chromium import Chromium, find_chromium
from test_render import DEPLOYMENT, RECIPIENTS, SENDER, SENT, UPDATED

from alerts.render import render_alert
from alerts.viewmodel import AlertView

PHONE_WIDTH = 375
CHROMIUM = find_chromium()
# The widths the layout really took: the page's scroll width, the viewport, the rightmost edge.
MEASURE = (
    "JSON.stringify([document.documentElement.scrollWidth, window.innerWidth, "
    "Math.max(...Array.from(document.querySelectorAll('body *')).map(e => "
    "Math.ceil(e.getBoundingClientRect().right)))])"
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


def _artifacts() -> Path:
    folder = Path(os.environ.get("RUDPRK_TEST_ARTIFACTS") or Path("data") / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _html(view: AlertView, language: str) -> str:
    message = render_alert(view, sender=SENDER, recipients=RECIPIENTS, now=SENT, language=language)
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


@pytest.mark.parametrize(
    ("name", "view", "language"), [("alert_en", DEPLOYMENT, "en"), ("update_fr", UPDATED, "fr")]
)
def test_the_alert_fits_a_phone_screen(
    tmp_path: Path, name: str, view: AlertView, language: str
) -> None:
    page = tmp_path / f"{name}.html"
    page.write_text(_html(view, language), encoding="utf-8")
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, tmp_path / "profile") as browser:
        tab = browser.phone_page(page.as_uri(), width=PHONE_WIDTH)
        scroll_width, viewport, rightmost = json.loads(browser.evaluate(tab, MEASURE))
        shot = _artifacts() / f"phone-{name}.png"
        browser.screenshot(tab, shot)
    assert viewport == PHONE_WIDTH  # the viewport meta made the layout phone-wide
    assert scroll_width <= PHONE_WIDTH, f"the page scrolls sideways: {scroll_width} px"
    assert rightmost <= PHONE_WIDTH, f"an element ends at {rightmost} px"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(shot.read_bytes()[16:20], "big")
    assert width == PHONE_WIDTH * 2  # device scale factor 2
