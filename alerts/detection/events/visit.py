"""Visits: high-level visits and meetings.

A visit cue (``cues.visit``) is strongest with a named person of either side in its clause,
weaker with only a place. Travel words (arrived, trip, séjour: ``markers.travel``) make a visit
only with a visitor — a named person or an office holder (``markers.office``) —: ships, cargo and
tourists also arrive.
"""

from __future__ import annotations

from alerts.detection.candidates import Candidate, nearest
from alerts.detection.document import Document
from alerts.detection.events import EventType


def find(doc: Document) -> list[Candidate]:
    people = [h for h, _side in doc.side_hits if doc.entity_kind(h) == "person"]
    places = [h for h, _side in doc.side_hits if doc.entity_kind(h) == "place"]
    travel = doc.labelled("mark:travel")
    out: list[Candidate] = []
    for v in doc.labelled("cue:visit"):
        lo, hi = doc.clause(v.start)
        who = nearest(people, v, lo, hi, after=100, before=140)
        where = nearest(places, v, lo, hi, after=60, before=100)
        score = 3.0 if who is not None else (1.6 if where is not None else 0.9)
        is_travel = any(t.start <= v.start < t.end or v.start <= t.start < v.end for t in travel)
        if who is None and is_travel and not doc.has("mark:office", lo, hi):
            out.append(Candidate("visit", 0.9, v, where, weak=True, notes={"no_visitor"}))
            continue
        out.append(Candidate("visit", score, v, where))
    return out


TYPE = EventType(
    name="visit",
    label="Visit",
    alerts=False,
    window_days=7,
    figure_groups=frozenset(),
    cues=("visit",),
    find=find,
)
