"""rudprk eval: metrics on a small labelled file, the JSON keys, and input errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alerts.errors import EvaluationError
from alerts.evaluate import evaluate_file, format_report, parse_published


def item(ident: str, text: str, **labels: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": ident,
        "lang": "en",
        "source_url": "fixture:test",
        "published": "2025-01-10",
        "text": text,
        "relevant": True,
        "event_type": "deployment",
        "novelty": "new",
        "quantity": None,
        "location": None,
        "event_key": None,
        "notes": None,
    }
    row.update(labels)
    return row


ITEMS = [
    # 1. alert-worthy, detected
    item(
        "t1",
        "Pyongyang a envoyé 12 000 soldats dans la région russe de Koursk, selon Séoul.",
        lang="fr",
        quantity=12000,
        event_key="k1",
    ),
    # 2. syndicated copy of the same event: joins it; its quantity label is deliberately off
    item(
        "t2",
        "North Korea has sent 12,000 troops to Russia's Kursk region, Seoul said.",
        quantity=11000,
        event_key="k1",
    ),
    # 3. hard negative, correctly irrelevant
    item(
        "t3",
        "Russia and China signed a gas agreement in Beijing on Thursday.",
        relevant=False,
        event_type=None,
    ),
    # 4. speculation, correctly not alerted
    item(
        "t4",
        "North Korea could send up to 30,000 more troops to Russia, Kyiv warned.",
        novelty="speculative",
        quantity=30000,
        event_key="k2",
    ),
    # 5. labelled alert-worthy but Russia is never named: a missed alert
    item(
        "t5",
        "North Korea has dispatched 5,000 troops abroad, officials said.",
        published="2025-02",
        event_key="k3",
    ),
    # 6. labelled irrelevant although it reads as a new deployment: a false alert
    item(
        "t6",
        "North Korea has sent 3,000 builders to Russia's Far East, the NIS said.",
        published="2025-03-01",
        relevant=False,
        event_type=None,
        quantity=3000,
    ),
]


def write_items(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


@pytest.fixture
def rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The arithmetic of the report is checked on the rules' decisions, which do not move when
    the learned models are retrained."""
    monkeypatch.setenv("RUDPRK_DETECTION", "rules")


def test_metrics_of_a_known_file(tmp_path: Path, rules_only: None) -> None:
    report = evaluate_file(write_items(tmp_path, ITEMS)).to_dict()
    assert report["items"] == 6
    assert report["relevance"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75}
    assert report["alert"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667}
    assert report["event_type_accuracy"] == 1.0
    assert report["novelty_accuracy"] == 1.0
    assert report["quantity_exact"] == 0.75
    assert report["events"] == {
        "alert_worthy_keys": 2,
        "alerted_keys": 1,
        "alerts": 2,
        "duplicate_alerts": 0,
        "false_alerts": 1,
        "false_merges": 0,
    }
    assert set(report["by_language"]) == {"en", "fr"}
    assert report["by_language"]["fr"]["alert"]["recall"] == 1.0
    assert {m["id"]: m["why"] for m in report["misses"]} == {
        "t2": "quantity",
        "t5": "relevance, missed alert",
        "t6": "relevance, false alert",
    }


def test_json_keys_are_exactly_those_of_the_issue(tmp_path: Path) -> None:
    report = evaluate_file(write_items(tmp_path, ITEMS)).to_dict()
    assert set(report) == {
        "items",
        "relevance",
        "alert",
        "event_type_accuracy",
        "novelty_accuracy",
        "quantity_exact",
        "events",
        "by_language",
        "misses",
        "model",  # issue 7: the learned model set's version
    }
    assert set(report["relevance"]) == {"precision", "recall", "f1"}
    assert set(report["alert"]) == {"precision", "recall", "f1"}
    assert set(report["events"]) == {
        "alert_worthy_keys",
        "alerted_keys",
        "alerts",
        "duplicate_alerts",
        "false_alerts",
        "false_merges",
    }
    for scores in report["by_language"].values():
        assert set(scores) == {"alert", "relevance"}
    for miss in report["misses"]:
        assert set(miss) == {"id", "expected", "got", "why"}
    json.dumps(report)


def test_duplicate_alerts_are_counted(tmp_path: Path) -> None:
    rows = [
        item("d1", "North Korea has sent 3,000 troops to Kursk, the NIS said.", event_key="k"),
        # same key, but a different force and far in time: the pipeline alerts again
        item(
            "d2",
            "North Korea has sent 5,000 workers to Vladivostok, the NIS said.",
            published="2025-06-01",
            event_key="k",
        ),
    ]
    events = evaluate_file(write_items(tmp_path, rows)).to_dict()["events"]
    assert events["alerts"] == 2
    assert events["duplicate_alerts"] == 1
    assert events["alerted_keys"] == 1


def test_readable_report(tmp_path: Path, rules_only: None) -> None:
    text = format_report(evaluate_file(write_items(tmp_path, ITEMS)))
    assert "relevance" in text and "alert" in text
    assert "t5: relevance, missed alert" in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON"),
        ('["a list"]', "expected a JSON object"),
        (
            '{"id": "x", "text": "t", "relevant": true, "event_type": "deployment"}',
            "missing novelty",
        ),
        (
            '{"id": "x", "text": "t", "relevant": "yes", "event_type": null, "novelty": "new"}',
            "relevant must be true or false",
        ),
        (
            '{"id": "x", "text": "t", "relevant": true, "event_type": "parade", "novelty": "new"}',
            "event_type 'parade'",
        ),
        (
            '{"id": "x", "text": "t", "relevant": true, "event_type": "visit", "novelty": "new",'
            ' "published": "12/01/2025"}',
            "published '12/01/2025'",
        ),
        (
            '{"id": "x", "text": "t", "relevant": true, "event_type": "visit", "novelty": "new",'
            ' "quantity": "many"}',
            "quantity must be int",
        ),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, line: str, message: str) -> None:
    good = json.dumps(ITEMS[0])
    path = tmp_path / "bad.jsonl"
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=rf"bad\.jsonl:3: .*{message}"):
        evaluate_file(path)


def test_duplicate_ids_and_empty_files_are_rejected(tmp_path: Path) -> None:
    path = write_items(tmp_path, [ITEMS[0], ITEMS[0]])
    with pytest.raises(EvaluationError, match="duplicate id"):
        evaluate_file(path)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match="no items"):
        evaluate_file(empty)
    with pytest.raises(EvaluationError, match="cannot read"):
        evaluate_file(tmp_path / "missing.jsonl")


def test_reduced_precision_dates_use_the_first_day() -> None:
    assert str(parse_published("2025-04", "x")) == "2025-04-01"
    assert str(parse_published("2015", "x")) == "2015-01-01"
    assert parse_published(None, "x") is None


def test_keys_lost_to_matching_are_explained(tmp_path: Path) -> None:
    rows = [
        item("j1", "North Korea has sent 3,000 troops to Kursk, the NIS said.", event_key="a"),
        # labelled as another event, but nothing tells them apart: it joins the first
        item(
            "j2",
            "North Korea has sent about 3,000 troops to Kursk, the NIS said.",
            published="2025-01-12",
            event_key="b",
        ),
    ]
    report = evaluate_file(write_items(tmp_path, rows)).to_dict()
    assert report["events"]["alerted_keys"] == 1
    assert report["misses"] == [
        {
            "id": "j2",
            "expected": {
                "relevant": True,
                "event_type": "deployment",
                "novelty": "new",
                "quantity": None,
                "alert": True,
            },
            "got": {
                "relevant": True,
                "event_type": "deployment",
                "novelty": "new",
                "quantity": 3000,
                "alert": True,
            },
            "why": "event key not alerted: joined the event of j1",
        }
    ]
