"""Relevance to Russia–North Korea relations: which actors co-occur, where, and in what context.

An article is relevant when a Russia-side and a North-Korea-side actor are named together (same
sentence, or the title with the lead) in a context of relations or cooperation, and the article
is not mainly about a third country (a Russia–Vietnam treaty that recalls the Pyongyang treaty
in passing is not relevant). Pure functions over the hits of :class:`alerts.knowledge.Matcher`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from alerts.knowledge import Hit, Knowledge

RUSSIA = "RU"
NORTH_KOREA = "KP"
UKRAINE = "UA"
# Countries whose bilateral dealings with Russia are classic near misses.
# Forces of war: North Korean ones named with Ukraine are in Russia's war.
_MILITARY_FORCES = frozenset(
    {"troops", "special_forces", "officers", "sappers", "engineers", "recruits", "instructors"}
)
THIRD_COUNTRIES = frozenset({"CN", "IR", "VN", "BY"})
RELEVANCE_THRESHOLD = 0.6

_EVENT_CUES = frozenset(
    {
        "cue:deploy_verb",
        "cue:transfer_verb",
        "cue:agree_sign",
        "cue:agree_accord",
        "cue:agree_ratify",
        "cue:agree_enact",
        "cue:agree_in_force",
        "cue:link_start",
        "cue:visit",
        "cue:casualty",
        "cue:sanction_strong",
        "cue:sanction_weak",
        "cue:cooperation",
        "cue:weapon_origin",
    }
)


@dataclass(frozen=True)
class AliasMatch:
    """An alias found in the article: which entity, of what kind, in which field and where."""

    entity: str
    kind: str
    alias: str
    field: str  # 'title' | 'text'
    start: int
    end: int


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float
    reasons: tuple[AliasMatch, ...]


@dataclass(frozen=True)
class Span:
    """A sentence of the analysed text (the title, when given, is sentence 0)."""

    start: int
    end: int
    index: int
    in_title: bool


_SENTENCE_END_RE = re.compile(
    r"(?<=[.!?。…])[\"'”»)\]]*\s+(?=[\"'“«(\[]?[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄ\u0600-\u06ff\u0900-\u097f\uac00-\ud7af0-9])"
    r"|\n\s*\n|\n(?=\s*[-•*])"
)
_ABBREVIATION_RE = re.compile(r"(?:\b[A-ZА-Я]\.|\bSt\.|\bMr\.|\bDr\.|\bM\.|\bgen\.|\bEE\.)$")


class Sentences(list[Span]):
    """Sentences in order, with their start offsets kept for bisection."""

    starts: list[int]


def split_sentences(text: str, title_end: int = 0) -> Sentences:
    """Sentences of ``text``; the first ``title_end`` characters (the title) form sentence 0."""
    spans = Sentences()
    if title_end:
        spans.append(Span(0, title_end, 0, True))
    pos = title_end
    for m in _SENTENCE_END_RE.finditer(text, title_end):
        if _ABBREVIATION_RE.search(text, max(pos, m.start() - 6), m.start()):
            continue
        if text[pos : m.start()].strip():
            spans.append(Span(pos, m.start(), len(spans), False))
        pos = m.end()
    if text[pos:].strip():
        spans.append(Span(pos, len(text), len(spans), False))
    spans.starts = [s.start for s in spans]
    return spans


def sentence_of(spans: Sequence[Span], pos: int) -> Span:
    """The sentence containing ``pos`` (spans are sorted and non-overlapping)."""
    starts = getattr(spans, "starts", None)
    if starts is None:
        starts = [s.start for s in spans]
    i = bisect_right(starts, pos) - 1
    return spans[max(0, i)]


def side_of(hit: Hit, knowledge: Knowledge) -> str:
    kind, _, ident = hit.label.partition(":")
    if kind not in ("entity", "demonym"):
        return ""
    entity = knowledge.entities.get(ident)
    return entity.side if entity is not None else ""


def assess_relevance(
    text: str,
    hits: Sequence[Hit],
    spans: Sequence[Span],
    knowledge: Knowledge,
    title_end: int = 0,
    body_start: int = 0,
) -> Relevance:
    """Score how much ``text`` (title + body, title first) is about Russia–DPRK relations."""
    side_hits: list[tuple[Hit, str]] = []
    cues_by_sentence: Counter[int] = Counter()
    sides_by_sentence: dict[int, set[str]] = {}
    k = 0  # hits are sorted by start: walk the sentences alongside
    unmentioned = [h.end for h in hits if h.label == "cue:no_mention"]
    compared = [h.end for h in hits if h.label == "cue:comparison"]
    military: dict[int, list[int]] = {}  # sentence -> starts of soldiers, sappers…
    war_pairs: list[int] = []
    for hit in hits:
        span: Span | None = None
        if spans:
            while k + 1 < len(spans) and spans[k + 1].start <= hit.start:
                k += 1
            span = spans[k]
        if hit.label in _EVENT_CUES and span is not None:
            cues_by_sentence[span.index] += 1
            continue
        if hit.label.startswith("force:") and span is not None:
            if hit.label[6:] in _MILITARY_FORCES:
                military.setdefault(span.index, []).append(hit.start)
            continue
        if not hit.label.startswith(("entity:", "demonym:")):
            continue
        side = side_of(hit, knowledge)
        if not side:
            continue
        if any(0 <= hit.start - end <= 12 for end in unmentioned):
            continue  # "without mentioning Russia"
        if any(0 <= hit.start - end <= 40 for end in compared):
            continue  # "unlike Moscow's pact with Pyongyang": a comparison, not a party
        side_hits.append((hit, side))
        if span is not None:
            sides_by_sentence.setdefault(span.index, set()).add(side)
    # North Korean soldiers named with Ukraine are in Russia's war: the sentence pairs the two
    # sides ("a North Korean soldier captured by Ukraine", "North Korea may send a contingent,
    # Ukraine warns").
    kp_hits = [h for h, side in side_hits if side == NORTH_KOREA]
    for index, sides in sides_by_sentence.items():
        if {NORTH_KOREA, UKRAINE} <= sides and any(
            -30 <= f - k.end <= 30 for f in military.get(index, []) for k in kp_hits
        ):
            sides.add(RUSSIA)
            war_pairs.append(index)
    counts = Counter(side for _hit, side in side_hits)
    if war_pairs:
        counts[RUSSIA] += len(war_pairs)
    reasons = tuple(
        _alias_match(text, hit, knowledge, title_end, body_start) for hit, _s in side_hits
    )
    if not counts[RUSSIA] or not counts[NORTH_KOREA]:
        score = 0.1 if (counts[RUSSIA] or counts[NORTH_KOREA]) else 0.0
        return Relevance(False, score, reasons)

    lead = {s.index for s in spans if s.in_title} | {
        next((s.index for s in spans if not s.in_title), -1)
    }
    together = [i for i, sides in sides_by_sentence.items() if {RUSSIA, NORTH_KOREA} <= sides]
    lead_sides: set[str] = set()
    for i in lead:
        lead_sides |= sides_by_sentence.get(i, set())
    score = 0.0
    if together:
        score += 0.5
        if any(cues_by_sentence[i] for i in together):
            score += 0.2
        score += 0.1 * min(3, len(together) - 1)
    elif {RUSSIA, NORTH_KOREA} <= lead_sides:
        score += 0.45
        if any(cues_by_sentence[i] for i in lead):
            score += 0.2
    else:
        score += 0.2
    if {RUSSIA, NORTH_KOREA} <= lead_sides:
        score += 0.2
    else:
        # Russia and North Korea only meet further down: a passing mention.
        score -= 0.15
    # The article opens on a third country (a Russia–Vietnam visit that recalls the
    # Pyongyang pact): it is about that country.
    lead_clause = _lead_clause_sides(text, spans, side_hits)
    if _lead_clause_has(text, spans, hits, "cue:kp_test") and (
        RUSSIA not in lead_clause or _russia_only_hedged(spans, hits, side_hits)
    ):
        # A North Korean weapons test; Russia is a passing mention ("unclear whether Russia
        # helped") or comes further on.
        score -= 0.4
    main_clause = _lead_clause_sides(text, spans, side_hits, main_only=True)
    if (
        {RUSSIA, NORTH_KOREA} <= lead_clause
        and not {RUSSIA, NORTH_KOREA} <= main_clause
        and len(together) <= 1
        and not any(s.in_title for s in spans)
    ):
        # The pair meets only in a side clause of the lead ("…, a day after the Russian
        # leader's talks with Kim", "…, où avaient combattu des soldats nord-coréens").
        score -= 0.35
    third = max((counts[c] for c in THIRD_COUNTRIES), default=0)
    framed = _lead_clause_sides(text, spans, side_hits, main_only=True, skip_frame=True)
    if main_clause & THIRD_COUNTRIES and NORTH_KOREA not in main_clause:
        score -= 0.5
    elif framed & THIRD_COUNTRIES and NORTH_KOREA not in framed:
        # "Au lendemain de son passage à Pyongyang, Poutine a signé à Hanoï…": North Korea
        # only dates the third country's event.
        score -= 0.5
    elif _first_lead_side(text, spans, side_hits) in THIRD_COUNTRIES:
        # "Xi Jinping will host Putin and Kim at a parade": a third country's event.
        score -= 0.35
    elif third > 2 * counts[NORTH_KOREA]:
        score -= 0.3
    score = round(max(0.0, min(1.0, score)), 3)
    return Relevance(score >= RELEVANCE_THRESHOLD, score, reasons)


_LEAD_CLAUSE_END_RE = re.compile(r"[;:]\s|\s[—–]\s")


# A side clause that only places the lead's event in time or space.
_SIDE_CLAUSE_RE = re.compile(
    r",\s*(?:(?:a|one|two|three|several|a few|just)\s+(?:days?|weeks?|months?)\s+(?:after|before)|"
    r"(?:un|une|deux|trois|quelques)\s+(?:jours?|semaines?|mois)\s+(?:après|avant)|"
    r"days after|weeks after|au lendemain|à la veille|unlike|contrairement|"
    r"в отличие|через (?:день|неделю)|a diferencia|anders als)",
    re.IGNORECASE,
)


# A time phrase that opens the lead and ends at a comma ("The day after his visit to
# Pyongyang, …", "Au lendemain de son passage à Pyongyang, …").
_LEADING_FRAME_RE = re.compile(
    r"\W*(?:the day after|a day after|days after|the day before|au lendemain|à la veille|"
    r"(?:un|deux|trois|quelques) jours? après|al día siguiente|un día después|"
    r"am Tag nach|einen Tag nach|на следующий день после)\b[^,;]{0,120},\s",
    re.IGNORECASE,
)


def _lead_clause_sides(
    text: str,
    spans: Sequence[Span],
    side_hits: Sequence[tuple[Hit, str]],
    main_only: bool = False,
    skip_frame: bool = False,
) -> set[str]:
    """Sides named in the title and in the first clause of the first sentence (with
    ``main_only``, before any side clause that only dates or places it)."""
    first = next((s for s in spans if not s.in_title), None)
    ranges = [(s.start, s.end) for s in spans if s.in_title]
    if first is not None:
        m = _LEAD_CLAUSE_END_RE.search(text, first.start, first.end)
        end = m.start() if m else first.end
        if main_only:
            side = _SIDE_CLAUSE_RE.search(text, first.start, end)
            end = side.start() if side else end
        start = first.start
        if skip_frame:
            frame = _LEADING_FRAME_RE.match(text, first.start, end)
            start = frame.end() if frame else start
        ranges.append((start, end))
    return {side for h, side in side_hits if any(a <= h.start < b for a, b in ranges)}


def _russia_only_hedged(
    spans: Sequence[Span], hits: Sequence[Hit], side_hits: Sequence[tuple[Hit, str]]
) -> bool:
    """Every Russian mention of the first sentence follows a hedge ("whether", "may")."""
    first = next((s for s in spans if not s.in_title), None)
    if first is None:
        return False
    hedges = [
        h.start for h in hits if h.label == "cue:speculative" and first.start <= h.start < first.end
    ]
    russian = [
        h.start for h, side in side_hits if side == RUSSIA and first.start <= h.start < first.end
    ]
    return bool(russian) and all(any(0 < r - p <= 40 for p in hedges) for r in russian)


_TEMPORAL_LEAD_RE = re.compile(
    r"(?:after|following|before|during|at|après|au lendemain|à l'issue|lors|avant|pendant|nach|"
    r"tras|después|после|во время)\b",
    re.IGNORECASE,
)


def _first_lead_side(text: str, spans: Sequence[Span], side_hits: Sequence[tuple[Hit, str]]) -> str:
    """The side that opens the lead (title, else first sentence) as its subject: named in its
    first words and not inside a time phrase ("After the Chinese parade, Putin and Kim…")."""
    first = next((s for s in spans if not s.in_title), None)
    lead = [s for s in spans if s.in_title] or ([first] if first is not None else [])
    for s in lead:
        for h, side in side_hits:
            if s.start <= h.start < s.end:
                opening = text[s.start : h.start]
                if len(opening.split()) > 3 or _TEMPORAL_LEAD_RE.search(opening):
                    return ""
                return side
    return ""


def _lead_clause_has(text: str, spans: Sequence[Span], hits: Sequence[Hit], label: str) -> bool:
    first = next((s for s in spans if not s.in_title), None)
    ranges = [(s.start, s.end) for s in spans if s.in_title]
    if first is not None:
        m = _LEAD_CLAUSE_END_RE.search(text, first.start, first.end)
        ranges.append((first.start, m.start() if m else first.end))
    return any(h.label == label and any(a <= h.start < b for a, b in ranges) for h in hits)


def _alias_match(
    text: str, hit: Hit, knowledge: Knowledge, title_end: int, body_start: int
) -> AliasMatch:
    _kind, _, ident = hit.label.partition(":")
    entity = knowledge.entities.get(ident)
    in_title = hit.start < title_end
    offset = 0 if in_title else body_start
    return AliasMatch(
        entity=ident,
        kind=entity.kind if entity is not None else "",
        alias=text[hit.start : hit.end],
        field="title" if in_title else "text",
        start=hit.start - offset,
        end=hit.end - offset,
    )
