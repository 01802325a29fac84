"""Event matching: is a detected event the same real-world event as one already stored?

A pure function over a small :class:`EventSignature`, built either from a fresh
:class:`~alerts.detect.DetectedEvent` or from a stored :class:`storage.models.Event` row, so the
pipeline and ``rudprk eval`` decide the same way. Two signatures are the same event when they
have the same type, compatible actors, compatible figures (not for agreements), compatible force
or instrument (and, for agreements, the same stage: a ratification is not the signature),
compatible places (for an agreement only when a report states no stage), and dates within the
type's window. Forces meet by class, an arm meets the army's general word ("sappers" and
"troops") and a bare count of people meets any force. Claimants of different sides split an
event only when their reports are days apart, or for a ratification or enactment (each party
ratifies on its own). An *additional* contingent never joins a plain report.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Protocol

from alerts.detect import DetectedEvent
from alerts.detection.events import BY_NAME
from alerts.detection.lexicon import default_lexicons
from alerts.eventrecord import claimant_side

# Days between two reports of the same event, per type (declared by each event type).
WINDOWS = {name: t.window_days for name, t in BY_NAME.items()}
DEFAULT_WINDOW = 7
# Two figures are compatible when the larger is at most this much larger than the smaller.
FIGURE_RATIO = 1.2
# A report with a figure and one without are the same event only within a few days: later,
# a figure is a new announcement ("evidence of troops" on the 23rd, "10,000 sent" on the 28th).
FIGURELESS_WINDOW = 3
# Reports this close in time with the very same figure are copies of one report.
SAME_REPORT_DAYS = 1
# An additional contingent joins a report without "additional" only on (nearly) the same figure.
SAME_FIGURE_RATIO = 1.05

_CORE_SIDES = frozenset({"RU", "KP"})
_PRECISION_DAYS = {"day": 0, "week": 6, "month": 30}  # coarser periods say too little
_STAGE_CLASSES = {"arrangement": "signature"}
# Force items by class. Reports of one contingent name it by its arm ("sappers", "military
# engineers"), by the army's general word ("troops", "soldiers") or by a bare count ("6,000
# people"); a class meets itself, its overlaps, and the umbrella class it belongs to.
_FORCE_CLASSES = {
    "troops": "military",
    "special_forces": "military",
    "officers": "military",
    "recruits": "military",
    "sappers": "engineering",
    "engineers": "engineering",
    "builders": "construction",
    "specialists": "technical",
    "instructors": "training",
    "workers": "labour",
    "treaty": "document",
    "accord": "document",
    "memorandum": "document",
    "agreement": "document",
}
# A bare count of people says nothing about the force: it meets any.
_GENERIC_FORCES = frozenset({"people"})
# Arms of an army that outlets also call "troops" (Seoul's "troops" are Moscow's "sappers").
# Labour is not one of them: workers and soldiers sent the same week are two contingents.
_UMBRELLAS = {
    "military": frozenset({"engineering", "construction", "technical", "training"}),
}
# Military builders are engineering troops to some outlets and labour to others; technicians
# are engineers or instructors.
_CLASS_OVERLAPS = {
    "construction": frozenset({"engineering", "labour"}),
    "technical": frozenset({"engineering", "training"}),
    "visas": frozenset({"tourism"}),  # "visa-free tourism" is filed under either word
    # one word names a scheduled run by sea or by air in several languages (рейс, rejs, 운항)
    "ferry": frozenset({"flights"}),
}
# Ratifying, enacting and bringing an instrument into force each happen once: reports of the
# same stage a week apart (a weekly round-up) are one act.
LATE_STAGE_WINDOW = 7
_LATE_STAGES = frozenset({"ratification", "enactment", "entry into force"})
_GENERIC_INSTRUMENTS = frozenset({"accord", "agreement", "memorandum"})
# Types whose window is shorter than this match stated dates only when stated to the day:
# several agreements are signed within weeks, and "in March" cannot tell which one a report
# means (the announcement in January of a signing "in March" is not the signing).
PERIOD_MATCH_MIN_WINDOW = 7
# An agreement is told apart by its instrument, object and stage: the figures its reports read
# (25 years, 2 ports, 214 passengers) and the places they name (where it was signed, either
# end of a link) do not identify it.
_FIGURES_DECIDE = frozenset({"deployment", "arms_transfer", "casualties", "visit", "sanctions"})
_PLACES_DECIDE = _FIGURES_DECIDE | {"other"}
# Each party ratifies and enacts on its own: the Duma's ratification and the Supreme People's
# Assembly's are two acts, told apart by the side whose claim reports them.
_SIDED_STAGES = frozenset({"ratification", "enactment"})


@dataclass(frozen=True)
class EventSignature:
    """What matching compares. ``reference`` is when the event was reported (publication date)."""

    event_type: str
    modality: str
    actors: frozenset[str]
    figure: int | None
    low: int | None
    high: int | None
    force: str | None
    place: str | None
    event_date: date | None
    reference: date
    additional: bool
    claimant: str | None = None
    date_precision: str | None = None
    # The known instrument (alerts/detection/instruments.toml) and how long reports of one of
    # its stages stay one event; two different known instruments are never one event.
    instrument: str | None = None
    instrument_window: int | None = None

    @property
    def anchor(self) -> date:
        return self.event_date or self.reference

    @property
    def anchor_end(self) -> date:
        """Last day the stated date may mean ("last month" covers the whole month)."""
        if self.event_date is None:
            return self.reference
        if self.date_precision == "month":
            # the month's last day ("April" ends on the 30th, not on 1 May)
            days = monthrange(self.event_date.year, self.event_date.month)[1]
            return self.event_date.replace(day=days)
        span = _PRECISION_DAYS.get(self.date_precision or "day", 0)
        return self.event_date + timedelta(days=span)


def window_days(event_type: str) -> int:
    return WINDOWS.get(event_type, DEFAULT_WINDOW)


class StoredEvent(Protocol):
    """The columns of a stored event matching reads (an ``Event`` or a selected row)."""

    @property
    def event_type(self) -> str: ...
    @property
    def modality(self) -> str: ...
    @property
    def actors(self) -> Any: ...
    @property
    def figure_low(self) -> int | None: ...
    @property
    def figure_high(self) -> int | None: ...
    @property
    def force(self) -> str | None: ...
    @property
    def place(self) -> str | None: ...
    @property
    def event_date(self) -> date | None: ...
    @property
    def first_seen_at(self) -> Any: ...
    @property
    def first_published_at(self) -> Any: ...
    @property
    def additional(self) -> Any: ...
    @property
    def claimant(self) -> str | None: ...
    @property
    def date_precision(self) -> str | None: ...
    @property
    def instrument(self) -> str | None: ...


def signature_of_detected(
    event: DetectedEvent,
    reference: date,
    instrument: str | None = None,
    instrument_window: int | None = None,
) -> EventSignature:
    return EventSignature(
        event_type=event.event_type,
        modality=event.modality,
        actors=frozenset(event.actors),
        figure=event.figure,
        low=event.low,
        high=event.high,
        force=event.force,
        place=event.place,
        event_date=event.event_date,
        reference=reference,
        additional=event.additional,
        claimant=event.claimant,
        date_precision=event.date_precision,
        instrument=instrument,
        instrument_window=instrument_window,
    )


def signature_of_stored(row: StoredEvent) -> EventSignature:
    low, high = row.figure_low, row.figure_high
    figure = low if low is not None else high
    return EventSignature(
        event_type=row.event_type,
        modality=row.modality,
        actors=frozenset(row.actors or ()),
        figure=figure,
        low=low,
        high=high,
        force=row.force,
        place=row.place,
        event_date=row.event_date,
        # When it was first published (first seen, for events stored before revision 0040).
        reference=(row.first_published_at or row.first_seen_at).date(),
        additional=bool(row.additional),
        claimant=row.claimant,
        date_precision=row.date_precision,
        instrument=row.instrument,
    )


def figures_compatible(a: EventSignature, b: EventSignature) -> bool:
    if a.figure is None or b.figure is None:
        return True
    if (
        a.low is not None
        and a.high is not None
        and b.low is not None
        and b.high is not None
        and a.low <= b.high
        and b.low <= a.high
    ):
        return True
    lo, hi = sorted((a.figure, b.figure))
    if lo <= 0:
        return hi <= 0
    return hi / lo <= FIGURE_RATIO


def part_of_total(a: EventSignature, b: EventSignature) -> bool:
    """One report states a decision as parts and their total ("1 000 sappers and 5 000
    builders"), the other only one part ("1 000 sappers"): the part is at most the total and
    its kind is one of the parts."""
    for whole, part in ((a, b), (b, a)):
        kinds = _force_set(whole.force)
        if "+" not in (whole.force or "") or whole.figure is None or part.figure is None:
            continue
        if part.figure <= whole.figure and (not part.force or _force_set(part.force) & kinds):
            return True
    return False


def _force_set(force: str | None) -> frozenset[str]:
    """The kinds of a force: ``sappers+builders`` → both, each by its class."""
    if not force:
        return frozenset()
    item = force.partition(":")[0]
    return frozenset(_FORCE_CLASSES.get(k, k) for k in item.split("+") if k)


def _generic_meets_object(a: str | None, b: str | None) -> bool:
    items = {(a or "").partition(":")[0], (b or "").partition(":")[0]}
    generic = items & _GENERIC_INSTRUMENTS
    return len(items) == 2 and bool(generic) and not items <= _GENERIC_INSTRUMENTS | {"treaty"}


def stage_of(force: str | None) -> str:
    return (force or "").partition(":")[2]


def same_figure(a: EventSignature, b: EventSignature) -> bool:
    if a.figure is None or b.figure is None:
        return False
    lo, hi = sorted((a.figure, b.figure))
    return lo > 0 and hi / lo <= SAME_FIGURE_RATIO


def forces_compatible(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    if "+" in a or "+" in b:
        # a force named as parts: any in common
        return any(_classes_meet(x, y) for x in _force_set(a) for y in _force_set(b))
    item_a, _, stage_a = a.partition(":")
    item_b, _, stage_b = b.partition(":")
    # Agreeing on a link and signing the agreement on it are one act.
    stage_a = _STAGE_CLASSES.get(stage_a, stage_a)
    stage_b = _STAGE_CLASSES.get(stage_b, stage_b)
    if stage_a and stage_b and stage_a != stage_b:
        return False
    if item_a == item_b:
        return True
    if {item_a, item_b} & _GENERIC_INSTRUMENTS and not {item_a, item_b} & {"treaty"}:
        return True  # "an agreement to resume trains" and "trains will resume"
    class_a = _FORCE_CLASSES.get(item_a, item_a)
    class_b = _FORCE_CLASSES.get(item_b, item_b)
    return _classes_meet(class_a, class_b)


def forces_only_related(a: str | None, b: str | None) -> bool:
    """Two forces that meet only as an arm and the army's general word, or as a bare count
    ("troops" and "specialists", "people" and "workers"), not as one kind."""
    if not a or not b or "+" in a or "+" in b or ":" in a or ":" in b:
        return False
    class_a = _FORCE_CLASSES.get(a, a)
    class_b = _FORCE_CLASSES.get(b, b)
    if class_a == class_b:
        return False
    return not (
        class_b in _CLASS_OVERLAPS.get(class_a, ()) or class_a in _CLASS_OVERLAPS.get(class_b, ())
    )


def _classes_meet(a: str, b: str) -> bool:
    if a == b or a in _GENERIC_FORCES or b in _GENERIC_FORCES:
        return True
    if b in _CLASS_OVERLAPS.get(a, ()) or a in _CLASS_OVERLAPS.get(b, ()):
        return True
    return b in _UMBRELLAS.get(a, ()) or a in _UMBRELLAS.get(b, ())


def claimants_compatible(a: str | None, b: str | None) -> bool:
    """Distinct announcements are distinct events: Seoul's intelligence report and the
    Pentagon's confirmation, Moscow's admission and Pyongyang's. Agencies relaying either
    decide nothing."""
    if not a or not b:
        return True
    side_a, side_b = claimant_side(a), claimant_side(b)
    return not side_a or not side_b or side_a == side_b


@lru_cache(maxsize=1)
def _general_places() -> frozenset[str]:
    """Places too broad to tell events apart: countries. (Capitals are recorded only where
    they are a location — "in Pyongyang" —, so they do tell events apart.)"""
    kn = default_lexicons()
    return frozenset(e.name.casefold() for e in kn.entities.values() if e.kind == "country")


@lru_cache(maxsize=1)
def _place_areas() -> dict[str, str]:
    """Place display name → its area (``area`` in lexicons/names.toml), else itself."""
    kn = default_lexicons()
    return {
        e.name.casefold(): (e.area or e.name).casefold()
        for e in kn.entities.values()
        if e.kind == "place"
    }


def places_compatible(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    general = _general_places()
    if a.casefold() in general or b.casefold() in general:
        return True
    areas = _place_areas()
    return areas.get(a.casefold(), a.casefold()) == areas.get(b.casefold(), b.casefold())


def actors_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    core_a, core_b = a & _CORE_SIDES, b & _CORE_SIDES
    if not core_a or not core_b:
        return True
    return core_a == core_b


def date_distance(a: EventSignature, b: EventSignature) -> int:
    """Days between two reports of possibly the same event (the closer of the two readings)."""
    by_reference = abs((a.reference - b.reference).days)
    if window_days(a.event_type) < PERIOD_MATCH_MIN_WINDOW and not (
        _day_precise(a) and _day_precise(b)
    ):
        a, b = _without_period(a), _without_period(b)
    if _vague(a) or _vague(b):
        a = _without_period(a) if _vague(a) else a
        b = _without_period(b) if _vague(b) else b
    if _announced_then_done(a, b) or _announced_then_done(b, a):
        return by_reference
    if a.anchor <= b.anchor_end and b.anchor <= a.anchor_end:
        by_anchor = 0  # the stated periods overlap
    elif a.date_precision == "month" and b.date_precision == "month":
        by_anchor = abs((a.anchor - b.anchor).days)  # "in April" and "since May": a month apart
    else:
        by_anchor = min(abs((a.anchor - b.anchor_end).days), abs((b.anchor - a.anchor_end).days))
    return min(by_anchor, by_reference)


def _day_precise(s: EventSignature) -> bool:
    return s.event_date is None or (s.date_precision or "day") == "day"


def _announced_then_done(ahead: EventSignature, later: EventSignature) -> bool:
    """``ahead`` states a day after its publication ("the first flight leaves on Tuesday")
    and ``later`` is published on or after that day: the announcement and the act are two
    stages, never one report by their stated dates."""
    if ahead.event_date is None or not _day_precise(ahead):
        return False
    return ahead.event_date > ahead.reference and later.reference >= ahead.event_date


def _vague(s: EventSignature) -> bool:
    """A stated season or year ("in 2024", "this spring") places no report in a window."""
    return s.event_date is not None and (s.date_precision or "day") not in _PRECISION_DAYS


def _without_period(s: EventSignature) -> EventSignature:
    """``s`` read by its publication date when its stated date is a coarser period."""
    return s if _day_precise(s) else replace(s, event_date=None, date_precision=None)


def same_event(new: EventSignature, stored: EventSignature) -> bool:
    """True when ``new`` reports the event already stored as ``stored``."""
    if new.event_type != stored.event_type:
        return False
    if new.instrument and stored.instrument and new.instrument != stored.instrument:
        return False
    distance = date_distance(new, stored)
    window = window_days(new.event_type)
    if new.instrument and new.instrument == stored.instrument and new.instrument_window:
        window = max(window, new.instrument_window)
    if stage_of(new.force) in _LATE_STAGES and stage_of(new.force) == stage_of(stored.force):
        window = max(window, LATE_STAGE_WINDOW)
    if distance > window:
        return False
    if (
        new.additional
        and not stored.additional
        and not (_both_figures(new, stored) and distance <= SAME_REPORT_DAYS)
    ):
        # "3,000 more troops" after "troops sent": another contingent — unless it is the very
        # same figure the same day or the next (one outlet wrote "more", the other did not).
        return False
    if (
        stored.additional
        and not new.additional
        and not same_figure(new, stored)
        and not (distance <= SAME_REPORT_DAYS and _both_figures(new, stored))
    ):
        # A copy may drop the word "additional" but keeps the figure ("3,000 troops"), or
        # revises it the next day ("3,200, not about 3,000 as reported yesterday").
        return False
    new_force, stored_force = _agreement_item(new), _agreement_item(stored)
    apart = abs((new.reference - stored.reference).days)
    if (
        new.event_type == "agreement"
        and distance > SAME_REPORT_DAYS
        and stage_of(new.force) not in _LATE_STAGES
        and _generic_meets_object(new_force, stored_force)
    ):
        # "an agreement" and "an accord on fisheries" days apart: the generic report is more
        # likely another accord whose object the tables do not know (veterinary, taxation)
        return False
    if (
        new.event_type == "agreement"
        and bool(stage_of(new_force)) != bool(stage_of(stored_force))
        and {stage_of(new_force), stage_of(stored_force)} & _LATE_STAGES
        and (new_force or "").partition(":")[0] != (stored_force or "").partition(":")[0]
    ):
        # "flights" (a link running, no act on a document) and "an accord ratified": the
        # implementation and a late stage of some accord are two events
        return False
    if not claimants_compatible(new.claimant, stored.claimant) and (
        apart > SAME_REPORT_DAYS or (_both_figures(new, stored) and not same_figure(new, stored))
    ):
        # Sides reporting one contingent the same day or the next are one event (Moscow
        # announcing, Pyongyang confirming its figure); days apart, or with a count of its own
        # (Kyiv's 11,000 beside Washington's 10,000), another side's claim is an announcement.
        return False
    if stage_of(new.force) in _SIDED_STAGES and not claimants_compatible(
        new.claimant, stored.claimant
    ):
        return False
    figures = new.event_type in _FIGURES_DECIDE
    if (
        forces_only_related(new.force, stored.force)
        and apart > SAME_REPORT_DAYS
        and not _both_figures(new, stored)
    ):
        # "troops" days after "specialists": one contingent only when the figures say so
        return False
    if figures and (new.figure is None) != (stored.figure is None) and apart > FIGURELESS_WINDOW:
        return False
    return (
        actors_compatible(new.actors, stored.actors)
        and (not figures or figures_compatible(new, stored) or part_of_total(new, stored))
        and forces_compatible(new_force, stored_force)
        and (
            not places_decide(new.event_type, new.force, stored.force)
            or places_compatible(new.place, stored.place)
        )
    )


def _both_figures(a: EventSignature, b: EventSignature) -> bool:
    """Both reports state a figure and the figures are compatible."""
    return a.figure is not None and b.figure is not None and figures_compatible(a, b)


def places_decide(event_type: str, *forces: str | None) -> bool:
    """Whether two reports of this type naming places of different areas are two events; an
    agreement's place decides only when the reports do not both name one object at a stage
    ("an agreement" signed in Moscow and the ferry service opened in Rason are two)."""
    if event_type in _PLACES_DECIDE:
        return True
    if event_type != "agreement":
        return False
    items = {(f or "").partition(":")[0] for f in forces}
    return not all(stage_of(f) for f in forces) or len(items) > 1


def _agreement_item(s: EventSignature) -> str | None:
    """An agreement's force, a "treaty" no known instrument names read as any accord once
    ratified or in force ("the treaty on the bridge entered into force": the bridge accord);
    on a signing day, when the treaty and several accords are signed together, it stays apart."""
    item, sep, stage = (s.force or "").partition(":")
    if (
        s.event_type == "agreement"
        and item == "treaty"
        and not s.instrument
        and stage in _LATE_STAGES
    ):
        return "accord" + sep + stage
    return s.force


def compatible_stages(stage: str | None) -> tuple[str, ...] | None:
    """The stored stages a report at ``stage`` may match (``None``: any); blocking uses it."""
    if not stage:
        return None
    wanted = _STAGE_CLASSES.get(stage, stage)
    known = {"signature", "ratification", "enactment", "entry into force", *_STAGE_CLASSES}
    return tuple(sorted({stage} | {s for s in known if _STAGE_CLASSES.get(s, s) == wanted}))


def compatible_forces(force: str | None) -> tuple[str, ...] | None:
    """The stored forces (without parts or a stage) a report naming ``force`` may match, for
    blocking; ``None``: any (no force, a force named as parts, an agreement's instrument)."""
    if not force or "+" in force or ":" in force or force in _GENERIC_INSTRUMENTS:
        return None
    if force in _GENERIC_FORCES:
        return None
    known = {force, *_FORCE_CLASSES, *_FORCE_CLASSES.values(), *_GENERIC_FORCES}
    items = {i for i in known if forces_compatible(force, i)}
    return tuple(sorted(i for i in items if i not in _GENERIC_INSTRUMENTS))
