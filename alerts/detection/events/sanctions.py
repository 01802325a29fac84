"""Sanctions: UN or national sanctions about the cooperation, vetoes, repatriations."""

from __future__ import annotations

from alerts.detection.candidates import Candidate
from alerts.detection.document import Document
from alerts.detection.events import EventType


def find(doc: Document) -> list[Candidate]:
    out = [Candidate("sanctions", 2.6, s) for s in doc.labelled("cue:sanction_strong")]
    out += [Candidate("sanctions", 0.7, s) for s in doc.labelled("cue:sanction_weak")]
    return out


TYPE = EventType(
    name="sanctions",
    label="Sanctions",
    alerts=False,
    window_days=14,
    figure_groups=frozenset(),
    cues=("sanction_strong", "sanction_weak"),
    find=find,
)
