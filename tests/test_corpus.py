"""The labelled corpus: every file of alerts/detection/corpus/ is valid, and each schema error
is caught with its file, line and item named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alerts.detection.corpus import (
    DEFAULT_CORPUS_DIR,
    corpus_digest,
    corpus_files,
    load_corpus,
    read_file,
    validate_corpus,
)
from alerts.errors import CorpusError


def test_every_corpus_file_is_valid() -> None:
    items, problems = validate_corpus(DEFAULT_CORPUS_DIR)
    assert not problems, "\n".join(str(p) for p in problems[:20])
    assert len(items) == sum(
        1 for f in corpus_files(DEFAULT_CORPUS_DIR) for line in f.read_text("utf-8").splitlines()
    )


def v2(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "w03-0127",
        "lang": "en",
        "source_url": "corpus:invented",
        "published": "2024-10-28",
        "title": None,
        "text": "North Korea has sent about 10,000 soldiers to eastern Russia, the Pentagon said.",
        "format": "short",
        "relevant": True,
        "event_type": "deployment",
        "novelty": "new",
        "quantity": 10000,
        "quantity_high": None,
        "qualifier": "about",
        "location": "eastern Russia",
        "event_key": "2024-10-28-pentagon-10000",
        "stage": None,
        "instrument": None,
        "actor": "KP",
        "claimant": "Pentagon",
        "additional": False,
        "framing": ["attribution"],
        "notes": None,
    }
    row.update(changes)
    return row


V1 = {
    "id": "hx-01",
    "lang": "fr",
    "source_url": "fixture:invented",
    "published": "2024-10",
    "text": "Pyongyang a envoyé 12 000 soldats en Russie, selon Séoul.",
    "relevant": True,
    "event_type": "deployment",
    "novelty": "new",
    "quantity": 12000,
    "location": None,
    "event_key": "k-z-3000",
    "notes": None,
}

ARTICLE_TEXT = "\n\n".join(["Le traité a été ratifié par la Douma. " * 12] * 3)  # ~270 words


def problems_of(tmp_path: Path, *rows: dict[str, Any] | str) -> list[str]:
    path = tmp_path / "batch.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(p) for p in read_file(path)[1]]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "W03-127"}, "bad id"),
        ({"lang": "xx"}, "bad lang"),
        ({"published": "2024-10"}, "published must be YYYY-MM-DD"),
        ({"format": "brief"}, "bad format"),
        ({"text": "   "}, "empty text"),
        ({"text": "mot " * 220}, "short item too long"),
        ({"format": "article", "title": None, "text": ARTICLE_TEXT}, "article needs a title"),
        ({"format": "article", "title": "T", "text": "trop court"}, "article length"),
        ({"event_type": None}, "relevant item needs an event_type"),
        ({"relevant": False}, "irrelevant item must have event_type null"),
        ({"novelty": "old"}, "bad novelty"),
        ({"stage": "signed"}, "stage only for agreement"),
        ({"event_type": "agreement", "stage": "drafted"}, "bad stage"),
        ({"qualifier": "roughly"}, "bad qualifier"),
        ({"quantity": 0}, "quantity must be >= 1"),
        ({"quantity_high": 5000}, "quantity_high needs quantity <= it"),
        ({"quantity": None}, "qualifier without quantity"),
        ({"event_key": "pentagon-10000"}, "bad event_key"),
        ({"event_key": None}, "alert-worthy item needs an event_key"),
        ({"framing": ["rumour"]}, "unknown framing tags"),
        ({"framing": []}, "framing needs at least one tag"),
        ({"actor": "Korea"}, "actor must be ISO alpha-2"),
        ({"quantity": True}, "quantity must be an integer or null"),
        ({"relevant": "yes"}, "relevant has type str"),
        ({"extra": 1}, "unknown fields ['extra']"),
    ],
)
def test_each_schema_error_is_caught(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    problems = problems_of(tmp_path, v2(**changes))
    assert any(message in p for p in problems), problems
    item_id = changes.get("id", "w03-0127")
    assert all(p.startswith(f"{tmp_path / 'batch.jsonl'}:1: {item_id}:") for p in problems)


def test_missing_field_of_a_v2_item(tmp_path: Path) -> None:
    row = v2()
    del row["claimant"]
    assert problems_of(tmp_path, row) == [
        f"{tmp_path / 'batch.jsonl'}:1: w03-0127: missing field claimant"
    ]


def test_a_valid_item_and_an_article_pass(tmp_path: Path) -> None:
    article = v2(id="w03-0128", format="article", title="La Douma ratifie", text=ARTICLE_TEXT)
    assert problems_of(tmp_path, v2(), article) == []


def test_lines_that_are_not_items(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, v2(), "", "{not json", "[1, 2]", v2())
    assert problems[0].endswith(":2: blank line")
    assert ":3: not JSON" in problems[1]
    assert problems[2].endswith(":4: not a JSON object")
    assert problems[3].endswith(
        ":5: w03-0127: duplicate id (first at " + f"{tmp_path / 'batch.jsonl'}:1)"
    )


def test_v1_items_get_v2_defaults_and_v1_rules(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(V1) + "\n", encoding="utf-8")
    items, problems = read_file(path)
    assert problems == []
    item = items[0]
    assert (
        item.schema == 1 and item.format == "short" and item.framing == () and not item.additional
    )
    assert item.title is None and item.claimant is None and item.alert_worthy
    assert problems_of(tmp_path, {**V1, "lang": "xx"})[0].endswith("hx-01: bad lang 'xx'")
    mixed = {**V1, "framing": ["recap"]}  # a v2-only field makes a v2 item: all fields needed
    assert any("missing field format" in p for p in problems_of(tmp_path, mixed))


def test_ids_are_unique_across_the_files_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(v2()) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps(v2()) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"b\.jsonl:1: w03-0127: duplicate id"):
        load_corpus(tmp_path)


def test_unreadable_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"no \*\.jsonl corpus file"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="corpus folder not found"):
        load_corpus(tmp_path / "nowhere")
    (tmp_path / "latin1.jsonl").write_bytes('{"id": "é"}'.encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin1\.jsonl: not UTF-8"):
        load_corpus(tmp_path)


def test_digest_ignores_files_order_and_spacing_but_not_content(tmp_path: Path) -> None:
    rows = [v2(), v2(id="w03-0128", novelty="background"), V1]
    one = tmp_path / "one"
    one.mkdir()
    (one / "all.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    two = tmp_path / "two"
    two.mkdir()
    (two / "x.jsonl").write_text(
        json.dumps(rows[2], indent=None, separators=(",", ":")) + "\n", "utf-8"
    )
    (two / "y.jsonl").write_text(json.dumps(rows[1]) + "\n" + json.dumps(rows[0]) + "\n", "utf-8")
    assert corpus_digest(load_corpus(one)) == corpus_digest(load_corpus(two))
    three = tmp_path / "three"
    three.mkdir()
    changed = [v2(), v2(id="w03-0128", novelty="speculative"), V1]
    (three / "all.jsonl").write_text("\n".join(json.dumps(r) for r in changed) + "\n", "utf-8")
    assert corpus_digest(load_corpus(one)) != corpus_digest(load_corpus(three))
