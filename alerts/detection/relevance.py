"""Relevance by rules: do a Russia-side and a North-Korea-side actor meet, in a context of
relations, in the lead, with the article not about a third country?

The score and its parts (:class:`RelevanceParts`) are features of the learned relevance
decision; with no model shipped the rules' threshold decides. The phrases that place a lead's
event in time or in a comparison ("a day after…", "unlike…", "au lendemain de…") are markers of
each language's lexicon.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from alerts.detection.document import Document
from alerts.detection.results import AliasMatch, Relevance
from alerts.detection.scan import Hit
from alerts.detection.segment import Span

RUSSIA = "RU"
NORTH_KOREA = "KP"
UKRAINE = "UA"
# Countries whose bilateral dealings with Russia are classic near misses.
THIRD_COUNTRIES = frozenset({"CN", "IR", "VN", "BY"})
RELEVANCE_THRESHOLD = 0.6
# Forces of war: North Korean ones named with Ukraine are in Russia's war.
_MILITARY_FORCES = frozenset(
    {"troops", "special_forces", "officers", "sappers", "engineers", "recruits", "instructors"}
)
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
_LEAD_CLAUSE_END_RE = re.compile(r"[;:；：]\s|\s[—–]\s")


@dataclass(frozen=True)
class RelevanceParts:
    """The evidence the score was made of (features of the learned decision)."""

    russia: int = 0  # Russia-side mentions
    north_korea: int = 0
    together: int = 0  # sentences naming both sides
    lead_pair: bool = False  # both sides in the title or the first sentence
    cue_with_pair: bool = False  # an event or cooperation cue in a sentence naming both
    kp_test: bool = False  # a North Korean weapons test leads, Russia only in passing
    side_clause: bool = False  # the pair meets only in a side clause of the lead
    third_country: bool = False  # a third country leads or dominates
    war_pair: bool = False  # North Korean soldiers named with Ukraine


def assess(doc: Document) -> tuple[Relevance, RelevanceParts]:
    """Score how much the document is about Russia–DPRK relations."""
    spans = doc.sentences
    side_hits: list[tuple[Hit, str]] = []
    cues_by_sentence: Counter[int] = Counter()
    sides_by_sentence: dict[int, set[str]] = {}
    military: dict[int, list[int]] = {}
    unmentioned = [h.end for h in doc.labelled("cue:no_mention")]
    compared = [h.end for h in doc.labelled("cue:comparison")]
    for hit in doc.hits:
        span = spans.of(hit.start) if spans else None
        if hit.label in _EVENT_CUES and span is not None:
            cues_by_sentence[span.index] += 1
            continue
        if hit.label.startswith("force:") and span is not None:
            if hit.label[6:] in _MILITARY_FORCES:
                military.setdefault(span.index, []).append(hit.start)
            continue
        if not hit.label.startswith(("entity:", "demonym:")):
            continue
        entity = doc.lexicon.entities.get(hit.label.partition(":")[2])
        side = entity.side if entity is not None else ""
        if not side:
            continue
        if any(0 <= hit.start - end <= 12 for end in unmentioned):
            continue  # "without mentioning Russia"
        if any(0 <= hit.start - end <= 40 for end in compared):
            continue  # "unlike Moscow's pact with Pyongyang": a comparison, not a party
        side_hits.append((hit, side))
        if span is not None:
            sides_by_sentence.setdefault(span.index, set()).add(side)
    kp_hits = [h for h, side in side_hits if side == NORTH_KOREA]
    war_pairs = 0
    for index, sides in sides_by_sentence.items():
        if {NORTH_KOREA, UKRAINE} <= sides and any(
            -30 <= f - k.end <= 30 for f in military.get(index, []) for k in kp_hits
        ):
            sides.add(RUSSIA)
            war_pairs += 1
    counts = Counter(side for _hit, side in side_hits)
    counts[RUSSIA] += war_pairs
    reasons = tuple(_alias_match(doc, hit) for hit, _s in side_hits)
    if not counts[RUSSIA] or not counts[NORTH_KOREA]:
        score = 0.1 if (counts[RUSSIA] or counts[NORTH_KOREA]) else 0.0
        parts = RelevanceParts(counts[RUSSIA], counts[NORTH_KOREA])
        return Relevance(False, score, reasons), parts

    lead = {s.index for s in doc.lead}
    together = [i for i, sides in sides_by_sentence.items() if {RUSSIA, NORTH_KOREA} <= sides]
    lead_sides: set[str] = set()
    for i in lead:
        lead_sides |= sides_by_sentence.get(i, set())
    cue_with_pair = any(cues_by_sentence[i] for i in together)
    score = 0.0
    if together:
        score += 0.5 + (0.2 if cue_with_pair else 0.0) + 0.1 * min(3, len(together) - 1)
    elif {RUSSIA, NORTH_KOREA} <= lead_sides:
        score += 0.45 + (0.2 if any(cues_by_sentence[i] for i in lead) else 0.0)
    else:
        score += 0.2
    lead_pair = {RUSSIA, NORTH_KOREA} <= lead_sides
    score += 0.2 if lead_pair else -0.15  # the pair only meets further down: a passing mention
    lead_clause = _lead_clause_sides(doc, side_hits)
    kp_test = _lead_clause_has(doc, "cue:kp_test") and (
        RUSSIA not in lead_clause or _russia_only_hedged(doc, side_hits)
    )
    if kp_test:
        score -= 0.4  # a North Korean weapons test; Russia a passing mention
    main_clause = _lead_clause_sides(doc, side_hits, main_only=True)
    side_clause = (
        {RUSSIA, NORTH_KOREA} <= lead_clause
        and not {RUSSIA, NORTH_KOREA} <= main_clause
        and len(together) <= 1
        and not any(s.in_title for s in spans)
    )
    if side_clause:
        score -= 0.35  # "…, a day after the Russian leader's talks with Kim"
    third = max((counts[c] for c in THIRD_COUNTRIES), default=0)
    framed = _lead_clause_sides(doc, side_hits, main_only=True, skip_frame=True)
    third_country = True
    if main_clause & THIRD_COUNTRIES and NORTH_KOREA not in main_clause:
        score -= 0.5
    elif framed & THIRD_COUNTRIES and NORTH_KOREA not in framed:
        score -= 0.5  # "Au lendemain de son passage à Pyongyang, Poutine a signé à Hanoï…"
    elif _first_lead_side(doc, side_hits) in THIRD_COUNTRIES:
        score -= 0.35  # "Xi Jinping will host Putin and Kim at a parade"
    elif third > 2 * counts[NORTH_KOREA]:
        score -= 0.3
    else:
        third_country = False
    score = round(max(0.0, min(1.0, score)), 3)
    parts = RelevanceParts(
        russia=counts[RUSSIA],
        north_korea=counts[NORTH_KOREA],
        together=len(together),
        lead_pair=lead_pair,
        cue_with_pair=cue_with_pair,
        kp_test=kp_test,
        side_clause=side_clause,
        third_country=third_country,
        war_pair=war_pairs > 0,
    )
    return Relevance(score >= RELEVANCE_THRESHOLD, score, reasons), parts


def _first_clause_end(doc: Document, first: Span) -> int:
    m = _LEAD_CLAUSE_END_RE.search(doc.text, first.start, first.end)
    return m.start() if m else first.end


def _lead_clause_sides(
    doc: Document,
    side_hits: Sequence[tuple[Hit, str]],
    main_only: bool = False,
    skip_frame: bool = False,
) -> set[str]:
    """Sides named in the title and in the first clause of the first sentence (with
    ``main_only``, before a side clause that only dates or compares it; with ``skip_frame``,
    after an opening time phrase: "The day after his visit to Pyongyang, …")."""
    first = doc.first_body
    ranges = [(s.start, s.end) for s in doc.sentences if s.in_title]
    if first is not None:
        start, end = first.start, _first_clause_end(doc, first)
        if main_only:
            side = next(
                (
                    m.start
                    for m in doc.labelled("mark:side_clause")
                    if start <= m.start < end and "," in doc.text[max(start, m.start - 3) : m.start]
                ),
                None,
            )
            end = side if side is not None else end
        if skip_frame:
            frame = next(
                (m for m in doc.labelled("mark:leading_frame") if m.start - start <= 3), None
            )
            if frame is not None:
                comma = doc.text.find(", ", frame.end, min(end, frame.end + 120))
                start = comma + 2 if comma >= 0 else start
        ranges.append((start, end))
    return {side for h, side in side_hits if any(a <= h.start < b for a, b in ranges)}


def _russia_only_hedged(doc: Document, side_hits: Sequence[tuple[Hit, str]]) -> bool:
    """Every Russian mention of the first sentence follows a hedge ("whether", "may")."""
    first = doc.first_body
    if first is None:
        return False
    hedges = [
        h.start
        for h in doc.hits
        if h.label.startswith("frame:hedge:") and first.start <= h.start < first.end
    ]
    russian = [
        h.start for h, side in side_hits if side == RUSSIA and first.start <= h.start < first.end
    ]
    return bool(russian) and all(any(0 < r - p <= 40 for p in hedges) for r in russian)


def _first_lead_side(doc: Document, side_hits: Sequence[tuple[Hit, str]]) -> str:
    """The side that opens the lead (title, else first sentence) as its subject: named in its
    first words and not inside a time phrase ("After the Chinese parade, Putin and Kim…")."""
    first = doc.first_body
    lead = [s for s in doc.sentences if s.in_title] or ([first] if first is not None else [])
    for s in lead:
        for h, side in side_hits:
            if s.start <= h.start < s.end:
                opening = doc.text[s.start : h.start]
                if len(opening.split()) > 3 or doc.in_range(
                    doc.labelled("mark:temporal_lead"), s.start, h.start
                ):
                    return ""
                return side
    return ""


def _lead_clause_has(doc: Document, label: str) -> bool:
    first = doc.first_body
    ranges = [(s.start, s.end) for s in doc.sentences if s.in_title]
    if first is not None:
        ranges.append((first.start, _first_clause_end(doc, first)))
    return any(any(a <= h.start < b for a, b in ranges) for h in doc.labelled(label))


def _alias_match(doc: Document, hit: Hit) -> AliasMatch:
    _kind, _, ident = hit.label.partition(":")
    entity = doc.lexicon.entities.get(ident)
    in_title = hit.start < doc.title_end
    offset = 0 if in_title else doc.body_start
    return AliasMatch(
        entity=ident,
        kind=entity.kind if entity is not None else "",
        alias=doc.text[hit.start : hit.end],
        field="title" if in_title else "text",
        start=hit.start - offset,
        end=hit.end - offset,
    )
