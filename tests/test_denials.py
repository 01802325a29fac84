"""No denial or negated act alerts, in every language (invented items: tests/fixtures/denials.jsonl).

Each language has three denials or negations of a dispatch or of a signing, written in its own
grammar ("did not", "n'a envoyé aucun", "не направляла", "파병하지 않았다", "没有派遣",
"派遣していない"…), and one item asserting the act, which must alert: the test can fail both ways.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from alerts.detect import detect_article
from alerts.evaluate import evaluate_file, parse_published

FIXTURE = Path(__file__).parent / "fixtures" / "denials.jsonl"
ROWS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
BY_LANG: dict[str, list[dict[str, Any]]] = defaultdict(list)
for _row in ROWS:
    BY_LANG[_row["lang"]].append(_row)
REQUIRED = {"fr", "en", "ru", "ko", "uk", "de", "es", "it", "pt", "pl", "ja", "zh"}


def test_every_required_language_has_its_denials() -> None:
    assert set(BY_LANG) >= REQUIRED
    for rows in BY_LANG.values():
        assert sum(r["novelty"] == "denied" for r in rows) >= 3
        assert sum(r["novelty"] == "new" for r in rows) >= 1


@pytest.mark.parametrize("lang", sorted(BY_LANG))
def test_a_denial_or_negation_never_alerts_and_the_asserted_act_does(lang: str) -> None:
    for row in BY_LANG[lang]:
        d = detect_article(
            row["text"], lang=lang, published=parse_published(row["published"], row["id"])
        )
        if row["novelty"] == "denied":
            assert not d.alert_worthy, row["id"]
            assert d.main_event is not None and d.main_event.modality == "denied", row["id"]
        else:
            assert d.alert_worthy, row["id"]


def test_rudprk_eval_counts_no_false_alert_on_them() -> None:
    report = evaluate_file(FIXTURE).to_dict()
    assert report["events"]["false_alerts"] == 0
    assert report["alert"]["recall"] == 1.0
