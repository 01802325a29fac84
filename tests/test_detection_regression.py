"""Regression pins on the project's labelled items (they are not measurements).

These sets were used to write and tune the rules (and train the models), so their figures say
nothing about reports nobody tuned for: docs/detection.md gives the sealed-set figures for that.
The pins below were measured on alerts/detection/corpus/labelled_fr_en.jsonl (the project's own items,
written for these tests). Never lower them silently: a change that needs a lower regression pin must
say why in its commit message and in docs/detection.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.evaluate import evaluate_file

FIXTURE = Path(__file__).parents[1] / "alerts" / "detection" / "corpus" / "labelled_fr_en.jsonl"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev_labelled.jsonl"

# Regression pins on the project's fixtures — never lower silently. Lowered at model set
# ms1-e3c6b63bff11 (trained on 6,302 items with the completed names table): alert P 0.979 /
# R 0.973, event type 0.956, novelty 0.977 (were ≥ 0.98 / 0.98 / 0.96 / 0.98 with 1,285 items:
# the fixtures are now 11 % of the training data instead of half of it).
PIN_RELEVANCE_F1 = 0.98
PIN_ALERT_PRECISION = 0.975
PIN_ALERT_RECALL = 0.97
PIN_EVENT_TYPE_ACCURACY = 0.95
PIN_NOVELTY_ACCURACY = 0.975
PIN_QUANTITY_EXACT = 0.98
PIN_KEYS_ALERTED = 0.97
# One duplicate since the learned decisions: in ic-05 the type head picks the recalled
# dispatch as the main event and the rules' second act of the lead (the ratification) alerts
# too (docs/detection.md). A second since issue 8's matching: ib-12 reports the trains running
# on the day ib-11 announced weeks ahead; this v1 set gives both one key, the label rules of
# docs/corpus.md (announced and implemented are stages) two, and matching follows the rules
# (an announced day and the act are compared by publication dates: 15 false merges fewer in w05).
PIN_MAX_DUPLICATE_ALERTS = 2
PIN_MAX_FALSE_ALERTS = 8  # 8 of 177 alerts at ms1-e3c6b63bff11 (was 0)


@pytest.mark.timeout(900)  # 14 s alone; embeds the 721 fixtures, slow on a loaded machine
def test_fixture_regression_pins() -> None:
    report = evaluate_file(FIXTURE).to_dict()
    assert report["items"] >= 440
    assert report["relevance"]["f1"] >= PIN_RELEVANCE_F1
    assert report["alert"]["precision"] >= PIN_ALERT_PRECISION
    assert report["alert"]["recall"] >= PIN_ALERT_RECALL
    assert report["event_type_accuracy"] >= PIN_EVENT_TYPE_ACCURACY
    assert report["novelty_accuracy"] >= PIN_NOVELTY_ACCURACY
    assert report["quantity_exact"] >= PIN_QUANTITY_EXACT
    events = report["events"]
    assert events["alerted_keys"] >= PIN_KEYS_ALERTED * events["alert_worthy_keys"]
    assert events["duplicate_alerts"] <= PIN_MAX_DUPLICATE_ALERTS
    assert events["false_alerts"] <= PIN_MAX_FALSE_ALERTS


def test_fixture_covers_every_type_modality_and_language() -> None:
    import json

    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line]
    types = {r["event_type"] for r in rows if r["relevant"]}
    assert types == {
        "deployment",
        "agreement",
        "arms_transfer",
        "visit",
        "casualties",
        "sanctions",
        "other",
    }
    assert {r["novelty"] for r in rows if r["relevant"]} == {
        "new",
        "background",
        "speculative",
        "denied",
    }
    langs = {r["lang"] for r in rows}
    assert {"fr", "en"} <= langs and len(langs) >= 4
    assert sum(not r["relevant"] for r in rows) >= 6
    keys = [r["event_key"] for r in rows if r["event_key"]]
    assert len(keys) > len(set(keys))  # syndicated and translated copies share keys


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.exists(), reason="../shared is absent")
def test_issue_targets_on_the_development_set() -> None:
    report = evaluate_file(SHARED).to_dict()
    # 0.923 at ms1-e3c6b63bff11 (precision 0.857: North Korea named with Ukraine in unrelated
    # stories reads as relevant); the issue's target is 0.97.
    assert report["relevance"]["f1"] >= 0.92
    assert report["alert"]["precision"] >= 0.88  # 0.889 at ms1-e3c6b63bff11; target 0.90
    assert report["alert"]["recall"] >= 0.90
    assert report["quantity_exact"] >= 0.90
    events = report["events"]
    assert events["alerted_keys"] >= 0.9 * events["alert_worthy_keys"]
    assert events["duplicate_alerts"] < 0.05 * max(1, events["alerts"])
