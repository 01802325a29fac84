"""What detection returns: :class:`Detection`, its :class:`Relevance` and its :class:`DetectedEvent` s.

Plain frozen values (JSON through ``to_dict``), shared by every stage of
:mod:`alerts.detection`, by event matching and by the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

EVENT_TYPES = (
    "deployment",
    "agreement",
    "arms_transfer",
    "visit",
    "casualties",
    "sanctions",
    "other",
)
ALERT_TYPES = frozenset({"deployment", "agreement"})
MODALITIES = ("new", "background", "speculative", "denied")

_TYPE_LABELS = {
    "deployment": "Deployment",
    "agreement": "Agreement",
    "arms_transfer": "Arms transfer",
    "visit": "Visit",
    "casualties": "Casualties",
    "sanctions": "Sanctions",
    "other": "Other",
}
_SIDE_ADJECTIVES = {"KP": "North Korean", "RU": "Russian"}


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
class DetectedEvent:
    event_type: str
    modality: str  # 'new' | 'background' | 'speculative' | 'denied'
    low: int | None
    high: int | None
    qualifier: str | None
    unit: str | None
    force: str | None
    place: str | None
    event_date: date | None
    date_end: date | None
    date_precision: str | None
    actors: tuple[str, ...]
    claimant: str | None
    additional: bool
    evidence: str
    confidence: float
    framing: tuple[str, ...] = ()  # the framing kinds read around the act (negation, hedge…)

    @property
    def alert_worthy(self) -> bool:
        return self.event_type in ALERT_TYPES and self.modality == "new"

    @property
    def figure(self) -> int | None:
        """The single figure the report states: the upper bound of "up to N", else the lower."""
        if self.low is None and self.high is None:
            return None
        if self.qualifier == "up_to" or self.low is None:
            return self.high
        return self.low

    def summary(self) -> str:
        """One-line headline, e.g. "Deployment: 12,000 North Korean troops to Kursk (claimed by NIS)"."""
        label = _TYPE_LABELS.get(self.event_type, self.event_type.title())
        parts: list[str] = []
        figure = _format_figure(self)
        if figure:
            parts.append(figure)
        force = _force_words(self.force) or (self.unit if figure and self.unit else "")
        origin = _origin(self)
        if self.event_type in ("deployment", "arms_transfer", "casualties") and (force or figure):
            if origin:
                parts.append(origin)
            parts.append(force or "")
        elif force:
            parts.append(force)
        if self.place:
            joiner = "to" if self.event_type == "deployment" else "in"
            parts.append(f"{joiner} {self.place}")
        body = " ".join(p for p in parts if p).strip()
        if not body:
            body = " – ".join(_SIDE_ADJECTIVES.get(a, a) for a in self.actors if a in ("RU", "KP"))
        text = f"{label}: {body}" if body else label
        if self.modality != "new":
            text += f" [{self.modality}]"
        if self.claimant:
            text += f" (claimed by {self.claimant})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "modality": self.modality,
            "low": self.low,
            "high": self.high,
            "qualifier": self.qualifier,
            "unit": self.unit,
            "force": self.force,
            "place": self.place,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "date_precision": self.date_precision,
            "actors": list(self.actors),
            "claimant": self.claimant,
            "additional": self.additional,
            "evidence": self.evidence,
            "confidence": self.confidence,
            "framing": list(self.framing),
            "alert_worthy": self.alert_worthy,
            "summary": self.summary(),
        }


@dataclass(frozen=True)
class Detection:
    language: str | None
    relevance: Relevance
    events: tuple[DetectedEvent, ...]
    model: str | None = None  # the learned model set that decided, None when the rules did

    @property
    def main_event(self) -> DetectedEvent | None:
        return self.events[0] if self.events else None

    @property
    def alert_worthy(self) -> bool:
        """The article should raise a new-event alert (before checking what is already stored)."""
        main = self.main_event
        return self.relevance.relevant and main is not None and main.alert_worthy

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "relevant": self.relevance.relevant,
            "score": self.relevance.score,
            "reasons": [
                {
                    "entity": r.entity,
                    "kind": r.kind,
                    "alias": r.alias,
                    "field": r.field,
                    "start": r.start,
                    "end": r.end,
                }
                for r in self.relevance.reasons
            ],
            "events": [e.to_dict() for e in self.events],
            "model": self.model,
        }


def _format_figure(event: DetectedEvent) -> str:
    if event.low is None and event.high is None:
        return ""
    lo, hi = event.low, event.high
    q = event.qualifier
    if q == "range" and lo is not None and hi is not None and lo != hi:
        return f"{lo:,}–{hi:,}"
    value = event.figure
    if value is None:
        return ""
    prefix = {
        "approx": "about ",
        "more_than": "over ",
        "less_than": "under ",
        "up_to": "up to ",
    }.get(q or "", "")
    return f"{prefix}{value:,}"


def _force_words(force: str | None) -> str:
    if not force:
        return ""
    item, _, stage = force.partition(":")
    words = item.replace("_", " ").replace("+", " and ")
    return f"{words} {_STAGE_WORDS.get(stage, stage)}" if stage else words


_STAGE_WORDS = {
    "signature": "signed",
    "ratification": "ratified",
    "enactment": "enacted",
    "entry into force": "in force",
    "arrangement": "agreed",
}


def _origin(event: DetectedEvent) -> str:
    """Adjective of the sending side: the acting side listed first in ``actors``."""
    if event.event_type == "arms_transfer" or not event.actors:
        return ""
    return _SIDE_ADJECTIVES.get(event.actors[0], "")
