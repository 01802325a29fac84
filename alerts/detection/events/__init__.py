"""The event-type registry: one module per type, each declaring what it needs and finding its
candidates.

Adding an event type is adding a module here (its :class:`EventType` and its finder), listing
it in :data:`REGISTRY`, and adding its cue words to the lexicons (docs/detection.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from alerts.detection.candidates import Candidate
from alerts.detection.document import Document


@dataclass(frozen=True)
class EventType:
    name: str
    label: str  # in alert subjects and summaries
    alerts: bool  # a new event of this type raises an alert
    window_days: int  # reports this many days apart can be the same event
    figure_groups: frozenset[str]  # force groups a figure of the event may count
    cues: tuple[str, ...]  # cue groups of the lexicons the finder reads
    find: Callable[[Document], list[Candidate]]
    # A figure of this type reported in the conditional of reported speech with its source
    # ("auraient été tués…, selon Kiev") is that source's claim, not a hedge.
    reported_figures: bool = False


def _registry() -> tuple[EventType, ...]:
    from alerts.detection.events import (
        agreement,
        arms_transfer,
        casualties,
        deployment,
        other,
        sanctions,
        visit,
    )

    return (
        deployment.TYPE,
        agreement.TYPE,
        arms_transfer.TYPE,
        visit.TYPE,
        casualties.TYPE,
        sanctions.TYPE,
        other.TYPE,
    )


REGISTRY: tuple[EventType, ...] = _registry()
BY_NAME: Mapping[str, EventType] = {t.name: t for t in REGISTRY}
EVENT_TYPES: tuple[str, ...] = tuple(t.name for t in REGISTRY)
ALERT_TYPES: frozenset[str] = frozenset(t.name for t in REGISTRY if t.alerts)


def find_candidates(doc: Document) -> list[Candidate]:
    """Every candidate of every registered type."""
    found: list[Candidate] = []
    for event_type in REGISTRY:
        found.extend(event_type.find(doc))
    return found
