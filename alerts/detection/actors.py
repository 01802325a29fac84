"""Who acts: the grammatical subject of the act, not the speaker of the reporting clause.

"Russia's defence ministry said North Korea had sent 3,000 more troops" is an act of North
Korea: the subject is looked for after the last reporting trigger that precedes the act
("said", "according to", "밝혔다"…, ``[framing.report]``), in the act's clause. In languages that
mark the subject with a particle (Korean 이/가, Japanese が: ``[grammar] subject_markers``) a
side so marked wins over a topic (은/는, は), which is often the speaker. A passive names its
agent after the act ("were sent by Pyongyang": ``markers.agent``); a force named with its
nationality ("North Korean troops arrived") names its sender. The acting side comes first in
``actors``, the other sides named with the event after it.
"""

from __future__ import annotations

from alerts.detection.candidates import Candidate
from alerts.detection.document import Document
from alerts.detection.framing import triggers_of
from alerts.detection.scan import Hit

_CORE = ("RU", "KP")


def _core_entity(doc: Document, h: Hit, side: str) -> bool:
    """A Russia- or North-Korea-side name that can act (not a claimant org of another side)."""
    return side in _CORE


def acting_side(doc: Document, cand: Candidate) -> str | None:
    """The side that performs the candidate's act (see the module's docstring)."""
    anchor = cand.anchor
    span = doc.sentence_of(anchor.start)
    lo, _hi = doc.clause(anchor.start)
    start = max(span.start, lo)
    for t in triggers_of(doc):
        if t.kind == "report" and start <= t.hit.end <= anchor.start:
            start = max(start, t.hit.end)
    grammar = doc.lexicon.grammar
    before = [
        (h, side)
        for h, side in doc.side_hits
        if start <= h.start < anchor.start and _core_entity(doc, h, side)
    ]
    if grammar.subject_markers:
        marked = [
            side
            for h, side in before
            if doc.text[h.end : h.end + 1] in grammar.subject_markers
            or doc.text[h.end : h.end + 2].rstrip() in grammar.subject_markers
        ]
        if marked:
            return marked[-1]
    agents = doc.labelled("mark:agent")
    for h, side in doc.side_hits:
        if (
            side in _CORE
            and 0 < h.start - anchor.end <= 60
            and any(0 <= h.start - m.end <= 6 and m.start >= anchor.end for m in agents)
        ):
            return side  # "were sent by Pyongyang"
    if before:
        return before[0][1]
    partner = cand.partner
    if partner is not None:
        for h, side in doc.side_hits:
            if (
                side in _CORE
                and h.label.startswith("demonym:")
                and (-3 <= partner.start - h.end <= 3 or -3 <= h.start - partner.end <= 3)
            ):
                return side  # "North Korean troops arrived", "troupes nord-coréennes"
    for h, side in doc.side_hits:
        if side in _CORE and span.start <= h.start < anchor.start:
            return side
    return None


def pick_actors(doc: Document, cand: Candidate, relevant: bool) -> tuple[str, ...]:
    """The acting side first, then the other sides named in the event's sentence."""
    span = doc.sentence_of(cand.anchor.start)
    sides: set[str] = set()
    for h, side in doc.side_hits:
        entity = doc.lexicon.entities.get(h.label.partition(":")[2])
        if entity is not None and entity.kind == "org" and entity.claimant and side not in _CORE:
            continue  # the NIS says so; South Korea is no party to the act
        if span.start <= h.start < span.end:
            sides.add(side)
    if relevant:
        sides |= set(_CORE)
    acting = acting_side(doc, cand)
    if acting in sides:
        return (acting, *sorted(sides - {acting}))
    return tuple(sorted(sides))
