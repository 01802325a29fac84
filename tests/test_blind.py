"""The blind labelled set: schema, coverage and accuracy regression pins.

alerts/detection/corpus/labelled_blind.jsonl was written to measure detection on items nobody tuned it on.
Its misses were then fixed by general rules (docs/blind-set.md, "Tuning on the blind set"), so it
no longer measures generalisation: the regression pins below only keep those fixes from regressing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from labelled import EVENT_TYPES, FIELDS, KEY_PATTERN, NOVELTIES, is_alert_worthy, load_jsonl

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "alerts" / "detection" / "corpus" / "labelled_blind.jsonl"
DOC = ROOT / "docs" / "blind-set.md"

MIN_PER_LANGUAGE = {"fr": 35, "en": 30, "ru": 8, "ko": 8, "de": 5, "es": 5}
ID_PATTERN = re.compile(r"bld-\d{4}")
PUBLISHED_PATTERN = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def load_items() -> list[dict[str, Any]]:
    return load_jsonl(BLIND)


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return load_items()


def test_every_line_has_exactly_the_schema_fields_with_their_types(
    items: list[dict[str, Any]],
) -> None:
    assert len(items) >= 100
    for row in items:
        assert set(row) == set(FIELDS), row.get("id")
        for field, types in FIELDS.items():
            value = row[field]
            assert isinstance(value, types), (row["id"], field, value)
        quantity = row["quantity"]
        assert not isinstance(quantity, bool), row["id"]
        assert quantity is None or quantity > 0, row["id"]


def test_ids_are_unique_and_numbered(items: list[dict[str, Any]]) -> None:
    ids = [row["id"] for row in items]
    assert all(ID_PATTERN.fullmatch(ident) for ident in ids)
    assert len(set(ids)) == len(ids)


def test_labels_use_the_allowed_values(items: list[dict[str, Any]]) -> None:
    for row in items:
        assert row["novelty"] in NOVELTIES, row["id"]
        if row["relevant"]:
            assert row["event_type"] in EVENT_TYPES, row["id"]
        else:
            assert row["event_type"] is None, row["id"]


def test_text_source_and_dates_are_well_formed(items: list[dict[str, Any]]) -> None:
    for row in items:
        assert re.fullmatch(r"[a-z]{2}", row["lang"]), row["id"]
        assert row["source_url"].startswith("https://example.invalid/"), row["id"]
        assert 40 <= len(row["text"]) <= 600, row["id"]
        published = row["published"]
        if published is not None:
            assert PUBLISHED_PATTERN.fullmatch(published), row["id"]
            parts = [int(part) for part in published.split("-")] + [1, 1]
            day = date(parts[0], parts[1], parts[2])
            assert date(2000, 1, 1) <= day <= date(2026, 12, 31), row["id"]
        if row["event_key"] is not None:
            assert KEY_PATTERN.fullmatch(row["event_key"]), row["id"]


def test_texts_are_not_repeated(items: list[dict[str, Any]]) -> None:
    texts = Counter(row["text"] for row in items)
    assert max(texts.values()) == 1


def test_each_language_has_its_minimum(items: list[dict[str, Any]]) -> None:
    counts = Counter(row["lang"] for row in items)
    for lang, minimum in MIN_PER_LANGUAGE.items():
        assert counts[lang] >= minimum, (lang, counts[lang])


def test_hard_negatives_and_every_framing_are_present(items: list[dict[str, Any]]) -> None:
    negatives = sum(not row["relevant"] for row in items)
    assert 0.15 <= negatives / len(items) <= 0.30
    relevant_novelty = Counter(row["novelty"] for row in items if row["relevant"])
    assert all(relevant_novelty[value] >= 4 for value in NOVELTIES), relevant_novelty
    relevant_types = Counter(row["event_type"] for row in items if row["relevant"])
    for event_type in ("deployment", "agreement", "arms_transfer", "visit", "casualties", "other"):
        assert relevant_types[event_type] >= 3, (event_type, relevant_types)
    assert sum(is_alert_worthy(row) for row in items) >= 25


def test_event_keys_group_outlets_and_languages(items: list[dict[str, Any]]) -> None:
    groups: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in items:
        if row["event_key"] is not None:
            groups[row["event_key"]].append(row)
    several = [key for key, rows in groups.items() if len(rows) >= 2]
    multilingual = [key for key, rows in groups.items() if len({r["lang"] for r in rows}) >= 2]
    mixed = [
        key
        for key, rows in groups.items()
        if "new" in {r["novelty"] for r in rows} and len({r["novelty"] for r in rows}) >= 2
    ]
    assert len(several) >= 10
    assert len(multilingual) >= 5
    assert len(mixed) >= 3
    for key, rows in groups.items():
        assert len({r["event_type"] for r in rows}) == 1, key
        assert len({r["relevant"] for r in rows}) == 1, key


def test_alert_worthy_items_carry_an_event_key(items: list[dict[str, Any]]) -> None:
    assert all(row["event_key"] is not None for row in items if is_alert_worthy(row))


def test_the_documented_composition_matches_the_file(items: list[dict[str, Any]]) -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert f"**{len(items)} items**" in doc
    for lang, count in Counter(row["lang"] for row in items).items():
        assert re.search(rf"^\| `{lang}` \| {count} \|", doc, re.MULTILINE), lang


# Accuracy regression pins, pinned a little below the figures measured after the blind-set fixes
# (relevance F1 0.985, alert precision 1.000 and recall 1.000, event type 0.97, novelty 0.99,
# quantity 0.973, 15 of 15 keys, no duplicate or false alert). Never lower silently: a change
# that needs a lower regression pin must say why in its commit message and in docs/blind-set.md.
PIN_RELEVANCE_F1 = 0.97
PIN_ALERT_PRECISION = 0.95
PIN_ALERT_RECALL = 0.95
PIN_EVENT_TYPE_ACCURACY = 0.95
PIN_NOVELTY_ACCURACY = 0.96
PIN_QUANTITY_EXACT = 0.96
PIN_KEYS_ALERTED_SHARE = 0.93
PIN_MAX_DUPLICATE_ALERTS = 1
PIN_MAX_FALSE_ALERTS = 1


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    from alerts.evaluate import evaluate_file

    return evaluate_file(BLIND).to_dict()


def test_blind_item_regression_pins(report: dict[str, Any]) -> None:
    assert report["relevance"]["f1"] >= PIN_RELEVANCE_F1
    assert report["alert"]["precision"] >= PIN_ALERT_PRECISION
    assert report["alert"]["recall"] >= PIN_ALERT_RECALL
    assert report["event_type_accuracy"] >= PIN_EVENT_TYPE_ACCURACY
    assert report["novelty_accuracy"] >= PIN_NOVELTY_ACCURACY
    assert report["quantity_exact"] >= PIN_QUANTITY_EXACT


def test_blind_event_replay_regression_pins(report: dict[str, Any]) -> None:
    events = report["events"]
    assert events["alerted_keys"] / events["alert_worthy_keys"] >= PIN_KEYS_ALERTED_SHARE
    assert events["duplicate_alerts"] <= PIN_MAX_DUPLICATE_ALERTS
    assert events["false_alerts"] <= PIN_MAX_FALSE_ALERTS
