"""Words around a figure, per language: qualifiers, range words and vague amounts.

Hand-written data, one file per language in ``alerts/figures/phrases/`` (see its README). Every
language's words are matched in every text, as the tables were before they became files: news
is often labelled with a neighbour's language, and a qualifier rarely means something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from alerts.errors import KnowledgeError
from alerts.wordtables import load_table

__all__ = ["Phrases", "QualifierKind", "load_phrases"]

QualifierKind = Literal["more_than", "less_than", "approx", "up_to"]
_KINDS: tuple[str, ...] = get_args(QualifierKind)
_DIR = Path(__file__).with_name("phrases")

# What each kind of vague phrase stands for: (low, high, qualifier).
VAGUE_KINDS: dict[str, tuple[int, int, str]] = {
    "tens_of_thousands": (20_000, 99_999, "vague"),
    "hundreds_of_thousands": (200_000, 999_999, "vague"),
    "millions": (2_000_000, 9_999_999, "vague"),
    "about_10000": (10_000, 10_000, "approx"),
    "thousands": (2_000, 9_999, "vague"),
    "hundreds": (200, 999, "vague"),
    "dozens": (20, 99, "vague"),
    "about_ten": (10, 12, "approx"),
    "about_20": (20, 20, "approx"),
    "about_30": (30, 30, "approx"),
    "about_40": (40, 40, "approx"),
    "about_50": (50, 50, "approx"),
    "about_60": (60, 60, "approx"),
    "about_100": (100, 100, "approx"),
    "about_1000": (1_000, 1_000, "approx"),
    "one_hundred": (100, 100, "exact"),
    "one_thousand": (1_000, 1_000, "exact"),
    "one_million": (1_000_000, 1_000_000, "exact"),
}


@dataclass(frozen=True)
class Phrases:
    """Every language's words around a figure, merged."""

    before: dict[str, str]  # phrase -> qualifier kind
    after: dict[str, tuple[str, ...]]  # kind -> separate words after the figure
    after_glued: dict[str, tuple[str, ...]]  # kind -> words glued to the figure or counter
    range_openers: dict[str, bool]  # word -> the range's text starts at it
    range_to: frozenset[str]
    range_and: frozenset[str]
    vague: dict[str, tuple[int, int, str]]  # phrase -> (low, high, qualifier)
    languages: tuple[str, ...]


def _words(table: dict[str, object], section: str, key: str, path: Path) -> list[str]:
    value = table.get(section, {})
    if not isinstance(value, dict):
        raise KnowledgeError(f"{path.name}: [{section}] must be a table")
    words = value.get(key, [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise KnowledgeError(f"{path.name}: [{section}] {key} must be a list of strings")
    return [w.replace("’", "'") for w in words]


def load_phrases(directory: Path = _DIR) -> Phrases:
    """Read and merge every ``<lang>.toml`` of ``directory`` (in name order: the first file
    that gives a phrase a meaning decides it)."""
    before: dict[str, str] = {}
    after: dict[str, list[str]] = {k: [] for k in _KINDS}
    glued: dict[str, list[str]] = {k: [] for k in _KINDS}
    openers: dict[str, bool] = {}
    range_to: set[str] = set()
    range_and: set[str] = set()
    vague: dict[str, tuple[int, int, str]] = {}
    languages: list[str] = []
    for path in sorted(directory.glob("*.toml")):
        table = load_table(path)
        languages.append(path.stem)
        unknown = set(table.get("vague", {})) - set(VAGUE_KINDS)
        if unknown:
            raise KnowledgeError(f"{path.name}: unknown vague kinds {sorted(unknown)}")
        for kind in _KINDS:
            for phrase in _words(table, "before", kind, path):
                before.setdefault(phrase, kind)
            after[kind].extend(_words(table, "after", kind, path))
            glued[kind].extend(_words(table, "after_glued", kind, path))
        for word in _words(table, "range", "between", path):
            openers.setdefault(word, True)
        for word in _words(table, "range", "from", path):
            openers.setdefault(word, False)
        range_to.update(_words(table, "range", "to", path))
        range_and.update(_words(table, "range", "and", path))
        for kind, meaning in VAGUE_KINDS.items():
            for phrase in _words(table, "vague", kind, path):
                vague.setdefault(phrase, meaning)
    return Phrases(
        before=before,
        after={k: tuple(dict.fromkeys(v)) for k, v in after.items()},
        after_glued={k: tuple(dict.fromkeys(v)) for k, v in glued.items()},
        range_openers=openers,
        range_to=frozenset(range_to),
        range_and=frozenset(range_and),
        vague=vague,
        languages=tuple(languages),
    )
