"""Casualties: killed, wounded or missing, with their figure (prisoners are ``other``).

A casualty cue (``cues.casualty``) is strongest with a personnel force of its clause (North
Korean best) and with a figure nearby.
"""

from __future__ import annotations

import re

from alerts.detection.candidates import Candidate, nearest
from alerts.detection.document import Document
from alerts.detection.events import EventType

_DIGIT_RE = re.compile(r"\d")


def has_number(doc: Document, lo: int, hi: int) -> bool:
    return bool(_DIGIT_RE.search(doc.text, lo, hi)) or doc.has("mark:number_hint", lo, hi)


def find(doc: Document) -> list[Candidate]:
    personnel = doc.by_group.get("personnel", [])
    vf = doc.lexicon.grammar.verb_final
    out: list[Candidate] = []
    for c in doc.labelled("cue:casualty"):
        lo, hi = doc.clause(c.start)
        f = nearest(personnel, c, lo, hi, after=60, before=80, verb_final=vf)
        q = has_number(doc, lo, hi)
        score = (3.0 if f is not None else (2.2 if q else 1.4)) + (0.3 if q else 0.0)
        if f is not None and doc.sides_near(f.start, {"KP"}, 40):
            score += 0.8
        out.append(Candidate("casualties", score, c, f))
    return out


TYPE = EventType(
    name="casualties",
    label="Casualties",
    alerts=False,
    window_days=10,
    figure_groups=frozenset({"personnel"}),
    cues=("casualty",),
    find=find,
    reported_figures=True,
)
