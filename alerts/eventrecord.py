"""The canonical record of an event: what is stored beside the figures and the sources.

From a :class:`~alerts.detect.DetectedEvent`: an agreement's *stage* (from its force,
``treaty:ratification``) and known *instrument* (:mod:`alerts.instruments`); a deployment's
*contingent* key (force class, size range, origin, destination, month, "additional"); the
*status* (``alleged``, ``confirmed`` when the report confirms, ``denied``); the force the figure
counts (``soldats`` → ``troops``) and the blocking keys matching narrows candidates by in SQL
(the place's area, the claimant's side).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from alerts.detect import DetectedEvent
from alerts.detection.lexicon import default_lexicons
from alerts.instruments import default_instruments

Status = Literal["alleged", "confirmed", "denied"]

# The order of an agreement's stages: a later stage of a known instrument is an update.
STAGE_ORDER = {
    "arrangement": 0,
    "signature": 1,
    "ratification": 2,
    "enactment": 3,
    "entry into force": 4,
}
CONTINGENT_TYPES = frozenset({"deployment"})

__all__ = [
    "CONTINGENT_TYPES",
    "STAGE_ORDER",
    "EventRecord",
    "Status",
    "claimant_side",
    "place_area",
    "record_of",
    "stage_of",
    "unit_force",
]


@dataclass(frozen=True)
class EventRecord:
    stage: str | None
    status: Status
    instrument: str | None
    contingent: str | None
    figure_qualifier: str | None
    unit_force: str | None
    date_end: date | None
    place_area: str | None
    claimant_side: str | None

    def values(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "status": self.status,
            "instrument": self.instrument,
            "contingent": self.contingent,
            "figure_qualifier": self.figure_qualifier,
            "unit_force": self.unit_force,
            "date_end": self.date_end,
            "place_area": self.place_area,
            "claimant_side": self.claimant_side,
        }


def stage_of(force: str | None) -> str | None:
    return (force or "").partition(":")[2] or None


def status_of(event: DetectedEvent) -> Status:
    if event.modality == "denied":
        return "denied"
    if "confirm" in event.framing:
        return "confirmed"
    return "alleged"


@lru_cache(maxsize=1)
def _entities() -> dict[str, tuple[str, str, str, bool]]:
    """Display name (casefolded) → (kind, side, area, claimant)."""
    kn = default_lexicons()
    return {
        e.name.casefold(): (
            e.kind,
            "" if e.media else e.side,
            (e.area or e.name).casefold(),
            e.claimant,
        )
        for e in kn.entities.values()
    }


def place_area(place: str | None) -> str | None:
    """The area a place belongs to, ``None`` for no place or a country (too broad to block on)."""
    if not place:
        return None
    found = _entities().get(place.casefold())
    if found is None:
        return place.casefold()
    kind, _side, area, _claimant = found
    return None if kind == "country" else area


def claimant_side(claimant: str | None) -> str | None:
    """The country a claimant speaks for, ``None`` for none, an agency or a neutral body."""
    if not claimant:
        return None
    found = _entities().get(claimant.casefold())
    return (found[1] or None) if found is not None else None


def unit_force(unit: str | None, lang: str | None = None) -> str | None:
    """The force a unit word names ("soldats", "Soldaten" → ``troops``), when it names one:
    looked up in the article's language first, then in every other language's force words."""
    if not unit or not unit.strip():
        return None
    lexicons = default_lexicons()
    codes = [lang] if lang in lexicons.languages else []
    codes += [code for code in sorted(lexicons.languages) if code != lang]
    for code in codes:
        lexicon = lexicons.for_language(code)
        # lemmas in the article's language only: the others' lemmatisers stay unloaded
        tokens = lexicon.tokens(unit) if code == lang else None
        for hit in lexicon.matcher.find(unit, tokens):
            kind, _, ident = hit.label.partition(":")
            if kind == "force":
                return ident
    return None


def _size_range(figure: int | None) -> str:
    """Half-decades: 1,000–3,162 and 3,163–10,000 are two size ranges."""
    if figure is None or figure <= 0:
        return "?"
    step = math.floor(math.log10(figure) * 2)
    low = 10 ** (step / 2)
    high = 10 ** ((step + 1) / 2)
    return f"{round(low)}-{round(high)}"


def _contingent(event: DetectedEvent, reference: date) -> str:
    item = (event.force or "").partition(":")[0] or "?"
    origin = event.actors[0] if event.actors else "?"
    destination = place_area(event.place) or "?"
    month = (event.event_date or reference).strftime("%Y-%m")
    extra = "|additional" if event.additional else ""
    return f"{item}|{_size_range(event.figure)}|{origin}>{destination}|{month}{extra}"


def record_of(
    event: DetectedEvent, reference: date, texts: tuple[str, ...] = (), lang: str | None = None
) -> EventRecord:
    """The record of a detected event; ``texts`` (its evidence first, then the article's title)
    are where a known instrument is looked for."""
    instrument = None
    if event.event_type == "agreement":
        found = default_instruments().identify((event.evidence, *texts), event.force)
        instrument = found.id if found is not None else None
    return EventRecord(
        stage=stage_of(event.force) if event.event_type == "agreement" else None,
        status=status_of(event),
        instrument=instrument,
        contingent=_contingent(event, reference) if event.event_type in CONTINGENT_TYPES else None,
        figure_qualifier=event.qualifier,
        unit_force=unit_force(event.unit, lang) or (event.force or "").partition(":")[0] or None,
        date_end=event.date_end,
        place_area=place_area(event.place),
        claimant_side=claimant_side(event.claimant),
    )
