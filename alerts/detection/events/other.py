"""Other relevant events: prisoners, technology, infrastructure, messages, withdrawals.

Their cues (``cues.other``) compete with the other types; an article with no clear act at all
gets an ``other`` event read from its lead (:mod:`alerts.detection.decide`).
"""

from __future__ import annotations

from alerts.detection.candidates import Candidate
from alerts.detection.document import Document
from alerts.detection.events import EventType


def find(doc: Document) -> list[Candidate]:
    return [Candidate("other", 1.6, o) for o in doc.labelled("cue:other")]


TYPE = EventType(
    name="other",
    label="Other",
    alerts=False,
    window_days=7,
    figure_groups=frozenset(),
    cues=("other",),
    find=find,
)
