"""Pattern scanning: every alias, cue and marker of a lexicon found in one pass over a text.

A :class:`Matcher` compiles labelled patterns into word-indexed tables, so the cost of
:meth:`Matcher.find` grows with the length of the text, not with the size of the tables.

Pattern syntax (every lexicon file): case is ignored; a space or a hyphen matches any run of
spaces and hyphens; ``'`` also matches a typographic apostrophe; a word ending in ``*`` matches
any ending; patterns in Hangul, Han or Kana match inside longer words (particles attach to
names, and Chinese and Japanese write without spaces); ``re:`` starts a raw regular expression;
words of two to five capitals ("NIS", "UN", "КНДР") match case-sensitively.

``lemma:`` starts a pattern matched on lemmas too (given the lemmas of the text's words,
:mod:`alerts.detection.morphology`): each of its words matches a text word whose surface form
or lemma it is, so ``lemma:направить`` matches "направила" and "направили", ``lemma:wysłać``
"wysłała", ``lemma:사망하다`` "사망했다", and ``lemma:подписать закон`` "подписала закона".
Other patterns match surface forms only: a form chosen for its tense or mood ("signer", the
infinitive, hedges a French act) must not stand for all of them. Raw expressions,
case-sensitive words and patterns matched inside words (Han, Kana, ``*``-led Hangul) read the
surface text only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick  # type: ignore[import-not-found,unused-ignore]

from alerts.errors import KnowledgeError

# Word characters, with the combining vowel signs of Indic scripts and Arabic diacritics,
# which Python's \w leaves out (so "सैनिक" stays one word).
_WORD = r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0900-\u0dff]+"
_TOKEN_RE = re.compile(_WORD)
_ARABIC_MARKS_RE = re.compile(r"[\u0610-\u061a\u064b-\u065f]")
_PATTERN_TOKEN_RE = re.compile(rf"({_WORD})(\*)?")
# What may separate two words of one pattern: spaces, hyphens, apostrophes, a middle dot, a
# comma ("Putin, Kim").
_GAP_RE = re.compile(r"[\s\u00a0\-\u2010\u2011\u2013'\u2019\u02bc\u00b7,]{1,3}")
_ABBREVIATION_GAP_RE = re.compile(r"\.\s?")
_UNBOUNDED_RE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")
_CAPS_RE = re.compile(r"^[A-ZА-ЯЁ]{2,5}$")
# Han and Kana patterns match anywhere (Chinese and Japanese write without spaces), and so do
# Hangul patterns written with a leading "*" (endings such as "*지 않").
_ANYWHERE_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_HANGUL_RE = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
# Japanese writes without spaces: a word changes script where a particle (hiragana) follows a
# name (katakana) or a noun (kanji), so a run is split at each change of script.
_KANA_RE = re.compile(r"[\u3041-\u30ff]")
_SCRIPT_RUN_RE = re.compile(
    r"[\u3041-\u309f]+|[\u30a0-\u30ff]+|[\u3400-\u9fff]+|[^\u3041-\u30ff\u3400-\u9fff]+"
)


# A pattern matched on lemmas as well as on surface forms (alerts.detection.morphology).
LEMMA_PREFIX = "lemma:"


@dataclass(frozen=True)
class Hit:
    """One pattern found in a text. ``label`` is ``entity:<id>``, ``demonym:<id>``,
    ``force:<canonical>`` or ``cue:<group>``."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Tokens:
    """The words of a text as the scanner reads them: spans, lower-cased forms and, when the
    language has a lemmatiser, their lemmas (aligned with the words)."""

    spans: list[tuple[int, int]]
    words: list[str]
    lemmas: list[str] | None = None


def tokenise(text: str) -> Tokens:
    """The scanner's words of ``text`` (kana runs split at each change of script)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lowered
        lowered = "".join(ch.lower()[:1] for ch in text)
    spans = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    if _KANA_RE.search(text):
        spans = _split_scripts(text, spans)
    words = [lowered[a:b] for a, b in spans]
    if _ARABIC_MARKS_RE.search(text):
        words = [_ARABIC_MARKS_RE.sub("", w) for w in words]
    return Tokens(spans, words)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class _Pattern:
    source: str
    words: tuple[tuple[str, bool], ...]  # (word, matches any ending)
    case_sensitive: bool
    labels: tuple[str, ...]
    lemmas: bool = False  # each word matches a text word's surface form or its lemma


def _compile_pattern(source: str, labels: tuple[str, ...], lemmas: bool = False) -> _Pattern:
    case_sensitive = bool(_CAPS_RE.match(source))
    free = bool(_UNBOUNDED_RE.search(source))
    words: list[tuple[str, bool]] = []
    for m in _PATTERN_TOKEN_RE.finditer(source):
        word = m.group(1) if case_sensitive else m.group(1).lower()
        # Korean particles attach to the word: Hangul words match any ending.
        words.append((word, bool(m.group(2)) or free))
    if not words:
        raise KnowledgeError(f"pattern {source!r} has no word")
    return _Pattern(source, tuple(words), case_sensitive, labels, lemmas and not case_sensitive)


class _Index:
    """Patterns by their first word: single words in a dictionary, several exact words by
    their first two ("are in", "no deal") or their first, open-ended words by their first
    three characters (or one, for shorter stems)."""

    def __init__(self) -> None:
        self.single: dict[str, tuple[str, ...]] = {}
        self.exact: dict[str, list[_Pattern]] = {}
        self.pairs: dict[tuple[str, str], list[_Pattern]] = {}
        self.prefix: dict[str, list[_Pattern]] = {}
        self.short: dict[str, list[_Pattern]] = {}

    def __bool__(self) -> bool:
        return bool(self.single or self.exact or self.pairs or self.prefix or self.short)

    def add(self, pat: _Pattern) -> None:
        first, open_ended = pat.words[0]
        first = first.lower()
        if not open_ended and len(pat.words) == 1 and not pat.case_sensitive:
            merged = self.single.get(first, ())
            self.single[first] = merged + tuple(lb for lb in pat.labels if lb not in merged)
        elif not open_ended:
            # A lemma pattern's second word may match by its lemma: indexed by its first only.
            if (
                len(pat.words) >= 2
                and not pat.words[1][1]
                and not pat.case_sensitive
                and not pat.lemmas
            ):
                self.pairs.setdefault((first, pat.words[1][0]), []).append(pat)
            else:
                self.exact.setdefault(first, []).append(pat)
        elif len(first) >= 3:
            self.prefix.setdefault(first[:3], []).append(pat)
        else:
            self.short.setdefault(first[:1], []).append(pat)

    def collect(
        self, key: str, following: str | None, hits: set[Hit], span: tuple[int, int]
    ) -> list[_Pattern]:
        """Add the single-word hits of ``key``; return the longer patterns it may start."""
        labels = self.single.get(key)
        if labels:
            for label in labels:
                hits.add(Hit(label, span[0], span[1]))
        candidates: list[_Pattern] = []
        more = self.exact.get(key)
        if more:
            candidates += more
        if following is not None:
            more = self.pairs.get((key, following))
            if more:
                candidates += more
        if len(key) >= 3:
            more = self.prefix.get(key[:3])
            if more:
                candidates += more
        more = self.short.get(key[:1])
        if more:
            candidates += more
        return candidates


class Matcher:
    """Finds every pattern of a labelled set in a text in one pass over its words.

    Patterns are indexed by their first word (exact words in a dictionary, open-ended words
    by their first three characters), so the cost grows with the length of the text, not
    with the size of the tables. Patterns written ``lemma:…`` are indexed a second time, to be
    looked up by the lemmas of the text's words.
    """

    def __init__(self, labelled: Mapping[str, Iterable[str]], *, where: str = "") -> None:
        by_pattern: dict[str, list[str]] = {}
        for label, patterns in labelled.items():
            for pattern in patterns:
                if not pattern.strip() or pattern.strip() == LEMMA_PREFIX:
                    raise KnowledgeError(f"{where}: empty pattern for {label}")
                by_pattern.setdefault(pattern, [])
                if label not in by_pattern[pattern]:
                    by_pattern[pattern].append(label)
        self._surface = _Index()
        self._lemma = _Index()
        raw: list[tuple[re.Pattern[str], tuple[str, ...]]] = []
        anywhere: dict[str, list[str]] = {}
        for pattern, labels in by_pattern.items():
            lemmas = pattern.startswith(LEMMA_PREFIX)
            source = pattern[len(LEMMA_PREFIX) :].strip() if lemmas else pattern
            inside = source.startswith("*") and bool(_HANGUL_RE.search(source))
            if inside or (_ANYWHERE_RE.search(source) and not source.startswith("re:")):
                key = " ".join(source.lstrip("*").lower().split())
                bucket = anywhere.setdefault(key, [])
                bucket.extend(lb for lb in labels if lb not in bucket)
                continue
            if source.startswith("re:"):
                if lemmas:
                    raise KnowledgeError(f"{where}: {pattern!r}: a regular expression has no lemma")
                try:
                    raw.append((re.compile(source[3:], re.IGNORECASE), tuple(labels)))
                except re.error as exc:
                    raise KnowledgeError(f"{where}: bad pattern {source!r}: {exc}") from exc
                continue
            try:
                pat = _compile_pattern(source, tuple(labels), lemmas)
            except KnowledgeError as exc:
                raise KnowledgeError(f"{where}: {exc}") from exc
            self._surface.add(pat)
            if pat.lemmas:
                self._lemma.add(pat)
        self._raw = raw
        self._anywhere: Any = None
        if anywhere:
            automaton = ahocorasick.Automaton()
            for key, key_labels in anywhere.items():
                automaton.add_word(key, (len(key), tuple(key_labels)))
            automaton.make_automaton()
            self._anywhere = automaton

    def find(self, text: str, tokens: Tokens | None = None) -> list[Hit]:
        """Every (label, span) in ``text``; several labels may share a span or start.
        ``tokens`` (from :func:`tokenise`, with lemmas) lets ``lemma:`` patterns match."""
        if tokens is None:
            tokens = tokenise(text)
        spans, words = tokens.spans, tokens.words
        lemmas = tokens.lemmas if self._lemma else None
        n = len(words)
        hits: set[Hit] = set()
        surface, by_lemma = self._surface, self._lemma
        gap_ok = _GAP_RE.fullmatch
        abbreviation_gap = _ABBREVIATION_GAP_RE.fullmatch
        for i, word in enumerate(words):
            start = spans[i][0]
            following = words[i + 1] if i + 1 < n else None
            candidates = surface.collect(word, following, hits, spans[i])
            if lemmas is not None and lemmas[i] != word:
                more = by_lemma.collect(lemmas[i], None, hits, spans[i])
                if more:
                    candidates = list(dict.fromkeys(candidates + more))
            for pat in candidates:
                size = len(pat.words)
                if i + size > n:
                    continue
                # Words first (cheap string tests), separators only for a full word match.
                ok = True
                by_lemmas = pat.lemmas and lemmas is not None
                lem = lemmas or words
                for k, (want, open_ended) in enumerate(pat.words):
                    j = i + k
                    if pat.case_sensitive:
                        a, b = spans[j]
                        got = text[a:b]
                    else:
                        got = words[j]
                    if open_ended:
                        if got.startswith(want) or (by_lemmas and lem[j].startswith(want)):
                            continue
                    elif got == want or (by_lemmas and lem[j] == want):
                        continue
                    ok = False
                    break
                if not ok:
                    continue
                for j in range(i + 1, i + size):
                    a, b = spans[j]
                    gap = spans[j - 1][1]
                    if not gap_ok(text, gap, a) and not (
                        b - a <= 2
                        and spans[j - 1][1] - spans[j - 1][0] <= 2
                        and abbreviation_gap(text, gap, a)
                    ):
                        ok = False
                        break
                if ok:
                    end = spans[i + size - 1][1]
                    for label in pat.labels:
                        hits.add(Hit(label, start, end))
        for rx, labels in self._raw:
            for m in rx.finditer(text):
                hits.update(Hit(label, m.start(), m.end()) for label in labels)
        if self._anywhere is not None and _UNBOUNDED_RE.search(text):
            lowered = text.lower()
            if len(lowered) != len(text):
                lowered = "".join(ch.lower()[:1] for ch in text)
            for last, (size, key_labels) in self._anywhere.iter(lowered):
                hits.update(Hit(label, last + 1 - size, last + 1) for label in key_labels)
        return sorted(hits, key=lambda h: (h.start, -h.end, h.label))


def _split_scripts(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split the word spans that hold kana at each change between hiragana, katakana and kanji."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if _KANA_RE.search(text, a, b) is None:
            out.append((a, b))
            continue
        out.extend((a + m.start(), a + m.end()) for m in _SCRIPT_RUN_RE.finditer(text[a:b]))
    return out
