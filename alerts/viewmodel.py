"""What one alert e-mail shows, as plain values: built from the store by :mod:`alerts.views`,
rendered by :mod:`alerts.render` in the reader's language (:mod:`alerts.wording`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class SourceLink:
    """One article that reports the event."""

    name: str  # the outlet (feed name)
    title: str
    url: str | None
    published_at: datetime | None
    language: str | None
    article_id: int | None = None
    # The article this one copies (a syndicated or lightly edited copy): folded under it.
    copy_of: int | None = None


@dataclass(frozen=True)
class Change:
    """One field of an event that an update changed (values as the detector stores them:
    ``figures`` is ``{"low", "high", "qualifier", "unit"}``, ``date`` is ``{"date",
    "precision"}``, the others are text)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class AlertView:
    alert_id: int | None  # None for an event listed in a digest without an alert of its own
    kind: str  # 'new' | 'update' | 'digest'
    event_id: int
    event_type: str
    modality: str
    summary: str
    evidence: str
    figure_low: int | None
    figure_high: int | None
    figure_unit: str | None
    force: str | None
    place: str | None
    event_date: date | None
    date_precision: str | None
    actors: list[str]
    claimant: str | None
    additional: bool
    confidence: float
    sources: list[SourceLink]  # first = the article that raised the event
    message_id: str
    # When the pipeline first saw the event (not when the first report was published).
    detected_at: datetime
    # Message-ID of the earlier alert this one follows up (an update threads under its 'new').
    in_reply_to: str | None = None
    # How the source qualified the figure: exact, approx, more_than, less_than, up_to, range, vague.
    figure_qualifier: str | None = None
    # The language of the evidence sentence (its article's), and the side the claimant speaks
    # for (``KR`` for the NIS): that country is the source of the claim, not a party to it.
    evidence_language: str | None = None
    claimant_side: str | None = None
    # The force the figure counts, when the unit word names one ("soldats" → ``troops``).
    unit_force: str | None = None
    changes: tuple[Change, ...] = field(default=())
