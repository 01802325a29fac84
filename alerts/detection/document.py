"""The document stage: an article read once into sentences, clauses and lexicon hits.

:func:`read_document` bounds the text, marks the title and the lead, identifies the language
when the feed did not give it, lemmatises its words (:mod:`alerts.detection.morphology`, for
the languages that have a lemmatiser), scans the names and the words of that language once
(on surface forms and lemmas), splits
sentences and clauses, and indexes every hit by label, force group and side. Figures and dates
are read later, only in the sentences a stage asks for (:meth:`Document.quantities_in`,
:meth:`Document.dates_in`). Every later stage reads this value; none rescans the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from alerts.dates import DateMention, resolve_dates
from alerts.detection.lexicon import Lexicon, Lexicons, default_lexicons
from alerts.detection.scan import Hit, Tokens
from alerts.detection.segment import Sentences, Span, clause_breaks, split_sentences
from alerts.figures import Quantity, extract_quantities
from alerts.language import detect_language

# News puts its event in the lead: only the first ~3,000 words are read, which bounds the cost
# of a pathological page (a 100,000-character live blog).
MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 1_000

_COUNT_BEFORE_RE = re.compile(r"\d[\s\u00a0\u202f]*$")
# Plural nouns of nationality (not adjectives: "nordkoreanische", "North Korean").
_PLURAL_NOUN_RE = re.compile(r"(?:ans|éens|ennes|anos|anas|aner|цы|цев|ев)$", re.IGNORECASE)


@dataclass
class Document:
    text: str  # the title, a blank line, then the body
    title_end: int
    body_start: int
    language: str | None
    published: date | None
    lexicon: Lexicon
    sentences: Sentences
    breaks: list[int]
    hits: list[Hit]
    tokens: Tokens  # the words, with their lemmas when the language has a lemmatiser
    by_label: dict[str, list[Hit]] = field(default_factory=dict)
    by_group: dict[str, list[Hit]] = field(default_factory=dict)
    side_hits: list[tuple[Hit, str]] = field(default_factory=list)
    side_starts: list[int] = field(default_factory=list)
    cache: dict[str, object] = field(default_factory=dict)  # per-document results of stages
    _quantities: dict[int, list[Quantity]] = field(default_factory=dict)
    _dates: dict[int, list[DateMention]] = field(default_factory=dict)

    # ------------------------------------------------------------------ structure

    @property
    def first_body(self) -> Span | None:
        return next((s for s in self.sentences if not s.in_title), None)

    @property
    def lead(self) -> list[Span]:
        """The title (when there is one) and the first sentence of the body."""
        title = [s for s in self.sentences if s.in_title]
        first = self.first_body
        return title + ([first] if first is not None else [])

    def sentence_of(self, pos: int) -> Span:
        return self.sentences.of(pos)

    def clause(self, pos: int) -> tuple[int, int]:
        """The clause around ``pos``: its sentence, cut at the nearest clause breaks."""
        span = self.sentences.of(pos)
        start, end = span.start, span.end
        i = bisect_right(self.breaks, pos)
        if i and self.breaks[i - 1] > start:
            start = self.breaks[i - 1]
        if i < len(self.breaks) and self.breaks[i] < end:
            end = self.breaks[i]
        return start, end

    # ------------------------------------------------------------------ hits

    def labelled(self, label: str) -> list[Hit]:
        return self.by_label.get(label, [])

    def in_range(self, hits: Sequence[Hit], start: int, end: int) -> list[Hit]:
        """Hits of a start-sorted list lying inside [start, end)."""
        if len(hits) < 8:
            return [h for h in hits if h.start >= start and h.end <= end]
        i = bisect_left(hits, start, key=_start_of)
        j = bisect_left(hits, end, key=_start_of)
        return [h for h in hits[i:j] if h.end <= end]

    def has(self, label: str, start: int, end: int) -> bool:
        return bool(self.in_range(self.by_label.get(label, []), start, end))

    def marker_at(self, group: str, pos: int, slack: int = 2) -> Hit | None:
        """A marker of ``group`` starting at ``pos`` (after at most ``slack`` spaces or hyphens)."""
        for h in self.by_label.get(f"mark:{group}", []):
            if pos <= h.start <= pos + slack and not self.text[pos : h.start].strip(" -\u00a0"):
                return h
        return None

    def marker_before(self, group: str, pos: int, slack: int = 2) -> Hit | None:
        """A marker of ``group`` ending at ``pos`` (before at most ``slack`` spaces)."""
        for h in self.by_label.get(f"mark:{group}", []):
            if pos - slack <= h.end <= pos and not self.text[h.end : pos].strip():
                return h
        return None

    def sides_near(self, pos: int, sides: set[str], window: int) -> bool:
        """A hit of one of ``sides`` starts within ``window`` characters of ``pos``."""
        i = bisect_left(self.side_starts, pos - window)
        j = bisect_right(self.side_starts, pos + window)
        return any(self.side_hits[k][1] in sides for k in range(i, j))

    def entity_kind(self, hit: Hit) -> str:
        kind, _, ident = hit.label.partition(":")
        if kind != "entity":
            return ""
        entity = self.lexicon.entities.get(ident)
        return entity.kind if entity is not None else ""

    # ------------------------------------------------------------------ figures and dates

    def quantities_in(self, span: Span) -> list[Quantity]:
        found = self._quantities.get(span.index)
        if found is None:
            part = self.text[span.start : span.end]
            found = [
                replace(q, start=q.start + span.start, end=q.end + span.start)
                for q in extract_quantities(part, self.language)
            ]
            self._quantities[span.index] = found
        return found

    def dates_in(self, span: Span) -> list[DateMention]:
        if self.published is None:
            return []
        found = self._dates.get(span.index)
        if found is None:
            part = self.text[span.start : span.end]
            found = [
                replace(m, start_idx=m.start_idx + span.start, end_idx=m.end_idx + span.start)
                for m in resolve_dates(part, self.language, self.published)
            ]
            self._dates[span.index] = found
        return found


def _start_of(hit: Hit) -> int:
    return hit.start


def as_date(published: date | datetime | None) -> date | None:
    if published is None:
        return None
    if isinstance(published, datetime):
        return published.date()
    return published


def read_document(
    text: str,
    title: str = "",
    lang: str | None = None,
    published: date | datetime | None = None,
    lexicons: Lexicons | None = None,
) -> Document:
    """Read an article once (see the module's docstring)."""
    lexicons = lexicons if lexicons is not None else default_lexicons()
    title = (title or "").strip()[:MAX_TITLE_CHARS]
    body = (text or "")[:MAX_TEXT_CHARS]
    full = f"{title}\n\n{body}" if title else body
    title_end = len(title)
    language = detect_language(full, lang) if full.strip() else None
    lexicon = lexicons.for_language(language)
    tokens = lexicon.tokens(full)  # words and lemmas, once per article
    hits = _clean(full, lexicon.matcher.find(full, tokens), lexicon)
    abbreviations = lexicon.language.abbreviations if lexicon.language is not None else ()
    sentences = split_sentences(full, title_end, abbreviations)
    openers = [(h.start, h.end) for h in hits if h.label == "mark:clause_opener"]
    grammar = lexicon.grammar
    breaks = clause_breaks(full, openers, grammar.clause_suffixes, grammar.clause_commas)
    doc = Document(
        text=full,
        title_end=title_end,
        body_start=title_end + 2 if title else 0,
        language=language,
        published=as_date(published),
        lexicon=lexicon,
        sentences=sentences,
        breaks=breaks,
        hits=hits,
        tokens=tokens,
    )
    forces = lexicon.forces
    for h in hits:
        doc.by_label.setdefault(h.label, []).append(h)
        kind, _, ident = h.label.partition(":")
        if kind == "force":
            doc.by_group.setdefault(forces.get(ident, ""), []).append(h)
        elif kind in ("entity", "demonym"):
            entity = lexicon.entities.get(ident)
            if entity is not None and entity.side:
                doc.side_hits.append((h, entity.side))
    doc.side_starts = [h.start for h, _side in doc.side_hits]
    return doc


def _side(lexicon: Lexicon, hit: Hit) -> str:
    entity = lexicon.entities.get(hit.label.partition(":")[2])
    return entity.side if entity is not None else ""


def _clean(text: str, hits: list[Hit], lexicon: Lexicon) -> list[Hit]:
    """Longest match among names ("Korean Peninsula" is not North Korea), cues inside a pseudo
    phrase of their group dropped ("a sign of" is no signing), and counted demonyms made nouns
    of people ("13 000 Nord-Coréens" count like "troops")."""
    names = [h for h in hits if h.label.startswith("entity:")]
    pseudo = [h for h in hits if h.label.startswith("pseudo:")]
    forces = [h.start for h in hits if h.label.startswith("force:")]
    hints = [h for h in hits if h.label == "mark:number_hint"]
    kept: list[Hit] = []
    for h in hits:
        kind, _, group = h.label.partition(":")
        if kind == "pseudo":
            continue
        if kind == "entity" and any(
            n.start <= h.start
            and h.end <= n.end
            and (n.end - n.start) > (h.end - h.start)
            and n.label != h.label
            and _side(lexicon, n) in ("", _side(lexicon, h))
            for n in names
        ):
            continue  # inside a longer name of the same side or of none ("Korean Peninsula")
        if kind == "cue" and any(
            p.label[7:] == group and p.start <= h.start and h.end <= p.end for p in pseudo
        ):
            continue
        kept.append(h)
        if (
            kind == "demonym"
            and _PLURAL_NOUN_RE.search(text, h.start, h.end)
            and not any(h.end < n <= h.end + 3 for n in forces)  # "North Koreans troops"
            and _counted(text, h.start, hints)
        ):
            kept.append(Hit("force:people", h.start, h.end))
    return sorted(kept, key=lambda h: (h.start, -h.end, h.label))


def _counted(text: str, start: int, hints: Sequence[Hit]) -> bool:
    """A figure or a number word ("thousands of", "milliers de") just before ``start``."""
    if _COUNT_BEFORE_RE.search(text, max(0, start - 30), start):
        return True
    return any(0 <= start - h.end <= 8 for h in hints)
