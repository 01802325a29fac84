"""Regression pins on the held-out set (used for tuning since, so no longer a measurement).

alerts/detection/corpus/labelled_holdout.jsonl holds 115 items (hld-NNNN) written independently of the
detection vocabulary, on Russia–DPRK events and phrasings the development corpus does not cover,
in French, English, Russian, Korean, German and Spanish, with hard negatives and tricky modality.
docs/holdout.md gives the measured figures and the failure modes they expose.

The regression pins below sit a little under the figures measured when the set was written
(docs/holdout.md, "Measured"). They are pinned: never lower them silently. Raise them when
detection improves; a change that needs a lower regression pin must say why in its commit message and in
docs/holdout.md. Labels are never edited to make a regression pin pass.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from alerts.evaluate import evaluate_file

HOLDOUT = Path(__file__).parents[1] / "alerts" / "detection" / "corpus" / "labelled_holdout.jsonl"

# Regression pins (first measured at f26297f: relevance F1 0.985, alert P 0.886 / R 0.780, event
# type 0.854, novelty 0.875, quantity 0.892, 17 of 24 keys alerted, 6 duplicate and 5 false
# alerts; raised after the generalisation work of docs/holdout.md "After the fixes": F1 0.990,
# P 1.00 / R 0.98, type 0.938, novelty 0.958, quantity 1.00, 23 of 24 keys, 0 duplicate,
# 0 false). Never lower silently. Lowered at model set ms1-e3c6b63bff11: precision 0.961 and
# 2 false alerts (2 of 25 alerts), type 0.927.
PIN_RELEVANCE_F1 = 0.97
PIN_ALERT_PRECISION = 0.96
PIN_ALERT_RECALL = 0.98
PIN_EVENT_TYPE_ACCURACY = 0.92
PIN_NOVELTY_ACCURACY = 0.96
PIN_QUANTITY_EXACT = 0.97  # 0.973 at ms1-e3c6b63bff11
# This set follows the v1 label convention. Since the event-matching change of issue 8 (the
# v2 rules of docs/corpus.md), two of its keys join another event — another party's report of
# the same contingent on the same day, and a first engagement with no figure the day after a
# contingent's report in the same region (a real false merge) — and an announced resumption
# and the resumption itself are two events where v1 gives them one key: 22 of 24 keys, one
# duplicate.
PIN_KEYS_ALERTED_SHARE = 0.90
PIN_MAX_DUPLICATE_ALERTS = 1
PIN_MAX_FALSE_ALERTS = 2

FIELDS = (
    "id",
    "lang",
    "source_url",
    "published",
    "text",
    "relevant",
    "event_type",
    "novelty",
    "quantity",
    "location",
    "event_key",
    "notes",
)
EVENT_TYPES = {
    "deployment",
    "agreement",
    "arms_transfer",
    "visit",
    "casualties",
    "sanctions",
    "other",
}
NOVELTIES = {"new", "background", "speculative", "denied"}


def _rows() -> list[dict[str, Any]]:
    text = HOLDOUT.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return evaluate_file(HOLDOUT).to_dict()


def test_holdout_rows_follow_the_corpus_schema() -> None:
    rows = _rows()
    assert len(rows) >= 80
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    for r in rows:
        assert tuple(r) == FIELDS, r["id"]
        assert r["id"].startswith("hld-"), r["id"]
        assert r["source_url"].startswith("https://example.invalid/"), r["id"]
        assert r["novelty"] in NOVELTIES, r["id"]
        # event_type is null exactly when the item is not relevant.
        assert (r["event_type"] is None) == (not r["relevant"]), r["id"]
        if r["relevant"]:
            assert r["event_type"] in EVENT_TYPES, r["id"]
        assert r["quantity"] is None or (isinstance(r["quantity"], int) and r["quantity"] > 0)


def test_holdout_covers_languages_types_and_modalities() -> None:
    rows = _rows()
    langs = Counter(r["lang"] for r in rows)
    assert langs["fr"] >= 30 and langs["en"] >= 30
    assert {"ru", "ko", "de", "es"} <= set(langs)
    relevant = [r for r in rows if r["relevant"]]
    assert {r["event_type"] for r in relevant} == EVENT_TYPES
    assert {r["novelty"] for r in relevant} == NOVELTIES
    assert sum(1 for r in rows if not r["relevant"]) >= 15
    # Several event keys are reported across languages, so de-duplication is exercised.
    langs_by_key: dict[str, set[str]] = {}
    for r in rows:
        if r["event_key"]:
            langs_by_key.setdefault(r["event_key"], set()).add(r["lang"])
    assert sum(1 for v in langs_by_key.values() if len(v) >= 3) >= 3


def test_holdout_item_and_alert_regression_pins(report: dict[str, Any]) -> None:
    assert report["items"] == len(_rows())
    assert report["relevance"]["f1"] >= PIN_RELEVANCE_F1
    assert report["alert"]["precision"] >= PIN_ALERT_PRECISION
    assert report["alert"]["recall"] >= PIN_ALERT_RECALL
    assert report["event_type_accuracy"] >= PIN_EVENT_TYPE_ACCURACY
    assert report["novelty_accuracy"] >= PIN_NOVELTY_ACCURACY
    assert report["quantity_exact"] >= PIN_QUANTITY_EXACT


def test_holdout_event_replay_regression_pins(report: dict[str, Any]) -> None:
    events = report["events"]
    assert events["alert_worthy_keys"] >= 20
    assert events["alerted_keys"] / events["alert_worthy_keys"] >= PIN_KEYS_ALERTED_SHARE
    assert events["duplicate_alerts"] <= PIN_MAX_DUPLICATE_ALERTS
    assert events["false_alerts"] <= PIN_MAX_FALSE_ALERTS
