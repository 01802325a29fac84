"""Sentences and clauses of an article, from punctuation and each language's data.

One splitter for every language: a sentence ends at ``. ! ? …`` (or the full-width ``。！？``,
which need no space after them) when the next sentence starts, at a paragraph break, and before
a bulleted line; an abbreviation of the article's language (``lexicons/<lang>.toml``,
``[sentences] abbreviations``) does not end one. Clauses break at ``;`` ``:`` and dashes, at a
comma followed by a clause opener of the language (``which``, ``qui``, ``который``…), and in
Korean after a word ending in a clause suffix (``…했으며``).

pysbd was measured as the alternative (11 ms per 800-word French article, 25 ms in English,
and no Korean, Ukrainian or Portuguese): over the whole detection budget on its own.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# A sentence end: terminal punctuation, closing quotes, then space and a sentence start; or a
# full-width end; or a paragraph break; or a newline before a bullet.
_END_RE = re.compile(
    r"(?<=[.!?…])[\"'”»)\]]*\s+(?=[\"'“«(\[]?[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ\u0600-\u06ff\u0900-\u097f"
    r"\uac00-\ud7af\u3040-\u30ff\u3400-\u9fff0-9])"
    r"|(?<=[。！？])[」』”\"')）]*\s*"
    r"|\n\s*\n|\n(?=\s*[-•*])"
)
# One-letter initials ("J. Smith", "Ким Ч.") never end a sentence.
_INITIAL_RE = re.compile(r"(?:^|[\s(])[A-ZА-ЯЁ]\.$")
_PUNCT_BREAK_RE = re.compile(r"[;:；：]\s|\s[—–]\s")


@dataclass(frozen=True)
class Span:
    """A sentence of the analysed text (the title, when given, is sentence 0)."""

    start: int
    end: int
    index: int
    in_title: bool


class Sentences(list[Span]):
    """Sentences in order, with their start offsets kept for bisection."""

    starts: list[int]

    def of(self, pos: int) -> Span:
        """The sentence containing ``pos``."""
        i = bisect_right(self.starts, pos) - 1
        return self[max(0, i)]


@lru_cache(maxsize=64)
def _abbreviation_re(abbreviations: tuple[str, ...]) -> re.Pattern[str] | None:
    if not abbreviations:
        return None
    words = sorted({a.strip() for a in abbreviations if a.strip().endswith(".")}, key=len)
    if not words:
        return None
    alternation = "|".join(re.escape(w) for w in reversed(words))
    return re.compile(rf"(?:^|(?<=[\s(\"'«“]))(?:{alternation})$", re.IGNORECASE)


def split_sentences(text: str, title_end: int = 0, abbreviations: Iterable[str] = ()) -> Sentences:
    """Sentences of ``text``; the first ``title_end`` characters (the title) form sentence 0."""
    abbreviation = _abbreviation_re(tuple(abbreviations))
    spans = Sentences()
    if title_end:
        spans.append(Span(0, title_end, 0, True))
    pos = title_end
    for m in _END_RE.finditer(text, title_end):
        if m.start() <= pos:
            continue
        tail = text[max(pos, m.start() - 12) : m.start()]
        if _INITIAL_RE.search(tail) or (abbreviation is not None and abbreviation.search(tail)):
            continue
        if text[pos : m.start()].strip():
            spans.append(Span(pos, m.start(), len(spans), False))
        pos = m.end()
    if text[pos:].strip():
        spans.append(Span(pos, len(text), len(spans), False))
    spans.starts = [s.start for s in spans]
    return spans


def clause_breaks(
    text: str,
    openers: Sequence[tuple[int, int]],
    suffixes: Sequence[str] = (),
    commas: Sequence[str] = (),
) -> list[int]:
    """Offsets where a clause starts: after ``;`` ``:`` and dashes, at each clause opener
    (given as spans) that follows a comma, after a word ending in a clause suffix, and after
    each comma of a language whose commas separate clauses."""
    breaks = [m.end() for m in _PUNCT_BREAK_RE.finditer(text)]
    for comma in commas:
        breaks.extend(i + len(comma) for i in _find_all(text, comma))
    for start, _end in openers:
        before = text[max(0, start - 3) : start]
        if "," in before or "，" in before:
            breaks.append(start)
    if suffixes:
        breaks.extend(_suffix_breaks(text, tuple(suffixes)))
    return sorted(set(breaks))


def _find_all(text: str, needle: str) -> list[int]:
    found, i = [], text.find(needle)
    while i >= 0:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


@lru_cache(maxsize=16)
def _suffix_re(suffixes: tuple[str, ...]) -> re.Pattern[str]:
    long = [re.escape(s) for s in suffixes if len(s) > 1]
    short = [re.escape(s) for s in suffixes]
    parts = [rf"(?:{'|'.join(short)}),\s"]
    if long:
        parts.append(rf"(?:{'|'.join(long)})\s")
    return re.compile(rf"(?<=[\uac00-\ud7af])(?:{'|'.join(parts)})")


def _suffix_breaks(text: str, suffixes: tuple[str, ...]) -> list[int]:
    return [m.end() for m in _suffix_re(suffixes).finditer(text)]
