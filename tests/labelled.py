"""The labelled-items schema (the development corpus's), shared by the tests of the labelled sets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "lang": (str,),
    "source_url": (str,),
    "published": (str, type(None)),
    "text": (str,),
    "relevant": (bool,),
    "event_type": (str, type(None)),
    "novelty": (str,),
    "quantity": (int, type(None)),
    "location": (str, type(None)),
    "event_key": (str, type(None)),
    "notes": (str, type(None)),
}
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
KEY_PATTERN = re.compile(r"\d{4}(-\d{2}){0,2}-[a-z0-9]+(-[a-z0-9]+)*")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of ``path`` as an object; a blank or non-object line fails the test."""
    items: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"blank line {number}"
        row = json.loads(line)
        assert isinstance(row, dict), f"line {number} is not an object"
        items.append(row)
    return items


def is_alert_worthy(row: dict[str, Any]) -> bool:
    return bool(
        row["relevant"]
        and row["event_type"] in {"deployment", "agreement"}
        and row["novelty"] == "new"
    )
