"""Candidate events and the pairing helpers the event types share.

A candidate is one act found in the text: its cue (the *anchor*: a verb of sending, signing,
visiting…), the word it governs (the *partner*: the force sent, the instrument signed, the place
visited), a strength score and, once framed, its modality. Each event type
(:mod:`alerts.detection.events`) finds its own candidates with these helpers; the decision stage
weighs them by their place in the article and chooses the main event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from alerts.detection.document import Document
from alerts.detection.framing import Framing
from alerts.detection.scan import Hit
from alerts.detection.segment import Span

# Objects follow their verb in most languages; a little distance is added to the other side.
VERB_FINAL_SLACK = 25
OBJECT_SIDE_SLACK = 5
GENERIC_FORCES = frozenset({"force:troops", "force:people"})


@dataclass
class Candidate:
    event_type: str
    score: float
    anchor: Hit
    partner: Hit | None = None
    stage: str | None = None
    weak: bool = False  # a force or an instrument named without any act
    claim_needed: bool = False  # a stated presence is news only when someone claims it
    modality: str = "new"
    raw: float = 0.0  # score weighted by the place of the cue in the article
    effective: float = 0.0  # raw, halved for a recap
    settled: bool = False
    framing: Framing = field(default_factory=Framing)
    notes: set[str] = field(default_factory=set)  # mechanisms that fired, for features

    @property
    def targets(self) -> list[Hit]:
        return [self.anchor] if self.partner is None else [self.anchor, self.partner]


def force_of(hit: Hit) -> str:
    return hit.label.partition(":")[2]


def distance(hit: Hit, anchor: Hit, verb_final: bool = False) -> int:
    """Characters between two hits, with a small preference for the usual object side."""
    if hit.start >= anchor.end:
        return hit.start - anchor.end + (VERB_FINAL_SLACK if verb_final else 0)
    if hit.end <= anchor.start:
        return anchor.start - hit.end + (0 if verb_final else OBJECT_SIDE_SLACK)
    return 0


def nearest(
    hits: Sequence[Hit],
    anchor: Hit,
    lo: int,
    hi: int,
    after: int = 80,
    before: int = 80,
    verb_final: bool = False,
) -> Hit | None:
    """The hit closest to ``anchor`` inside [lo, hi); objects follow verbs unless ``verb_final``."""
    best: Hit | None = None
    best_d = 10**9
    for h in hits:
        if h.start < lo or h.end > hi or h is anchor:
            continue
        if h.start >= anchor.end:
            if h.start - anchor.end > after:
                continue
        elif h.end <= anchor.start and anchor.start - h.end > before:
            continue
        d = distance(h, anchor, verb_final)
        if d < best_d:
            best, best_d = h, d
    return best


def antecedent(doc: Document, forces: Sequence[Hit], lo: int, verb: Hit) -> Hit | None:
    """The noun a relative clause starting at ``lo`` is about ("…soldats, qui ont été
    envoyés…", "sappers, who were sent…"), for a verb in that clause."""
    if verb.start - lo > 120 or doc.marker_at("relative", lo) is None:
        return None
    text = doc.text
    for f in forces:
        if f.end > lo or lo - f.end > 40:
            continue
        gap = text[f.end : lo]
        if gap.strip(" ,") == "" or (len(gap.strip(" ,")) <= 4 and "," in gap):
            return f
        for h, _side in doc.side_hits:
            # "ouvriers nord-coréens, qui…": a demonym after the noun
            if (
                f.end < h.start
                and h.end <= lo
                and not text[f.end : h.start].strip()
                and text[h.end : lo].strip(" ,") == ""
            ):
                return f
    return None


def specific_force(doc: Document, forces: Sequence[Hit], chosen: Hit) -> Hit:
    """Of a generic and a specific force word side by side ("military engineers", "militaires
    du génie"), the specific one names the force."""
    if chosen.label not in GENERIC_FORCES:
        return chosen
    text = doc.text
    for h in forces:
        if h.label in GENERIC_FORCES or h is chosen:
            continue
        if -3 <= h.start - chosen.end <= 3 or -3 <= chosen.start - h.end <= 3:
            return h
        if 0 < h.start - chosen.end <= 10 and doc.marker_at("partitive", chosen.end + 1):
            return h  # "militaires du génie", "soldiers of the engineering corps"
    for g in forces:
        # "un contingent d'environ 5 000 militaires du génie": the head noun comes later
        if (
            g.label in GENERIC_FORCES
            and 0 < g.start - chosen.end <= 30
            and not any(c in text[chosen.end : g.start] for c in ",;.:")
        ):
            named = specific_force(doc, [h for h in forces if h is not chosen], g)
            if named is not g:
                return named
    return chosen


def near_marker(doc: Document, group: str, hit: Hit, before: int, after: int) -> bool:
    """A marker of ``group`` ends within ``before`` characters before ``hit`` or starts within
    ``after`` characters after it."""
    for m in doc.labelled(f"mark:{group}"):
        if 0 <= hit.start - m.end <= before or 0 <= m.start - hit.end <= after:
            return True
        if m.start <= hit.start < m.end:
            return True
    return False


def sentence_weight(span: Span, first_body: int) -> float:
    """Title and lead weigh more: news states its event first."""
    if span.in_title:
        return 1.4
    if span.index == first_body:
        return 1.5
    if span.index == first_body + 1:
        return 1.0
    return 0.8


def weigh(doc: Document, candidates: list[Candidate]) -> None:
    """Set each candidate's raw score from its strength and its place in the article."""
    first = doc.first_body
    first_index = first.index if first is not None else 0
    for cand in candidates:
        span = doc.sentence_of(cand.anchor.start)
        weight = sentence_weight(span, first_index)
        lo, _hi = doc.clause(cand.anchor.start)
        if lo == span.start:
            weight *= 1.1
        # The main predicate of a sentence tends to come first.
        weight *= 1.0 - 0.3 * (cand.anchor.start - span.start) / max(1, span.end - span.start)
        cand.raw = cand.score * weight
