"""The third blind labelled set: schema and coverage only (no accuracy floors).

alerts/detection/corpus/labelled_blind2.jsonl measures detection on items written without reading the detection
code or the other fixtures; this test only checks that the file is well formed and keeps the
composition that docs/blind-set-2.md describes.
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
BLIND2 = ROOT / "alerts" / "detection" / "corpus" / "labelled_blind2.jsonl"
DOC = ROOT / "docs" / "blind-set-2.md"

MIN_ITEMS = 200
MIN_PER_LANGUAGE = {"fr": 90, "en": 70, "ko": 10, "ru": 10, "es": 5, "de": 5}
ID_PATTERN = re.compile(r"bl2-\d{4}")
PUBLISHED_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
URL_PREFIX = "https://example.invalid/blind2/"


def load_items() -> list[dict[str, Any]]:
    return load_jsonl(BLIND2)


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return load_items()


def test_every_line_has_exactly_the_schema_fields_with_their_types(
    items: list[dict[str, Any]],
) -> None:
    assert len(items) >= MIN_ITEMS
    for row in items:
        assert set(row) == set(FIELDS), row.get("id")
        for field, types in FIELDS.items():
            value = row[field]
            assert isinstance(value, types), (row["id"], field, value)
            if field == "quantity" and value is not None:
                assert isinstance(value, int) and not isinstance(value, bool), row["id"]
                assert value > 0, row["id"]


def test_ids_are_unique_and_well_formed(items: list[dict[str, Any]]) -> None:
    ids = [row["id"] for row in items]
    assert len(ids) == len(set(ids))
    for identifier in ids:
        assert ID_PATTERN.fullmatch(identifier), identifier


def test_event_type_is_null_exactly_when_not_relevant(items: list[dict[str, Any]]) -> None:
    for row in items:
        if row["relevant"]:
            assert row["event_type"] in EVENT_TYPES, row["id"]
        else:
            assert row["event_type"] is None, row["id"]
        assert row["novelty"] in NOVELTIES, row["id"]


def test_dates_keys_urls_and_texts_are_well_formed(items: list[dict[str, Any]]) -> None:
    for row in items:
        published = row["published"]
        if published is not None:
            match = PUBLISHED_PATTERN.fullmatch(published)
            assert match, (row["id"], published)
            year, month, day = match.groups()
            date(int(year), int(month or 1), int(day or 1))
            assert 2000 <= int(year) <= 2026, row["id"]
        if row["event_key"] is not None:
            assert KEY_PATTERN.fullmatch(row["event_key"]), row["id"]
        assert row["source_url"].startswith(URL_PREFIX + row["lang"] + "/"), row["id"]
        assert 40 <= len(row["text"]) <= 400, row["id"]
        assert row["location"] is None or row["location"].strip(), row["id"]


def test_urls_and_texts_are_unique(items: list[dict[str, Any]]) -> None:
    assert len({row["source_url"] for row in items}) == len(items)
    assert len({row["text"] for row in items}) == len(items)


def test_languages_reach_their_minimum_and_keep_the_dev_proportions(
    items: list[dict[str, Any]],
) -> None:
    counts = Counter(row["lang"] for row in items)
    for lang, minimum in MIN_PER_LANGUAGE.items():
        assert counts[lang] >= minimum, (lang, counts[lang])
    assert 0.40 <= counts["fr"] / len(items) <= 0.50
    assert 0.30 <= counts["en"] / len(items) <= 0.40
    assert len(counts) >= 7


def test_labels_cover_every_type_and_novelty_with_hard_negatives(
    items: list[dict[str, Any]],
) -> None:
    relevant = [row for row in items if row["relevant"]]
    types = Counter(row["event_type"] for row in relevant)
    assert set(types) == EVENT_TYPES
    assert all(count >= 5 for count in types.values()), types
    novelties = Counter(row["novelty"] for row in relevant)
    assert set(novelties) == NOVELTIES
    assert novelties["speculative"] >= 10 and novelties["denied"] >= 5
    assert novelties["background"] >= 5
    negatives = len(items) - len(relevant)
    assert 0.15 <= negatives / len(items) <= 0.25
    assert sum(1 for row in items if row["quantity"] is not None) >= 40


def test_event_keys_are_shared_across_outlets_and_languages(
    items: list[dict[str, Any]],
) -> None:
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in items:
        if row["event_key"] is not None:
            by_key[row["event_key"]].append(row)
    shared = {key: rows for key, rows in by_key.items() if len(rows) >= 2}
    assert len(shared) >= 10
    multilingual = [key for key, rows in shared.items() if len({r["lang"] for r in rows}) >= 2]
    assert len(multilingual) >= 10
    for key, rows in by_key.items():
        assert len({row["relevant"] for row in rows}) == 1, key
        assert len({row["event_type"] for row in rows}) == 1, key
    worthy = [row for row in items if is_alert_worthy(row)]
    assert len(worthy) >= 40
    assert all(row["event_key"] is not None for row in worthy)
    worthy_keys = {row["event_key"] for row in worthy}
    assert len(worthy_keys) >= 15
    assert sum(1 for key in worthy_keys if len(by_key[key]) >= 2) >= 12


def test_the_documentation_states_the_file_totals(items: list[dict[str, Any]]) -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert f"**{len(items)} items**" in doc
    worthy = [row for row in items if is_alert_worthy(row)]
    keys = {row["event_key"] for row in worthy}
    assert f"**{len(worthy)} alert-worthy items** on **{len(keys)} event keys**" in doc
    counts = Counter(row["lang"] for row in items)
    for lang, count in counts.items():
        assert re.search(rf"^\| {lang} \| {count} \|", doc, re.MULTILINE), lang
