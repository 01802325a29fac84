"""Event pair decision: the rules against a logistic regression fitted on labelled event groups.

    .venv/bin/python bench/pairs.py [--seed 7]

Issue 8 asks for the decision "is this report the event already stored?" to be fitted and
validated on labelled event groups. This bench does it on the repository's corpus and prints
what it found, beside the rules (:func:`alerts.matching.same_event`) in the same run.

Every relevant corpus item with an event key and a date is one *report*: the rules' strongest
act of its labelled type, with its labelled novelty, as the pipeline builds its signature and
record. Reports are replayed in publication order per split (splits by event, as the heads).
Structural constraints (:func:`vetoed`: type, two known instruments, two stages, another
contingent, the type's window) always hold; on the rest a logistic regression over
language-independent evidence (:data:`FEATURES`, the rules' verdict among them) gives a
probability. L2 strength by validation log-loss, threshold by replaying validation.

Each replay counts, over alert-worthy reports (new deployments and agreements), duplicates
(a second event for one key: a second alert) and false merges (a report joined to another
key's event: a lost alert). Measured on 2026-12-04 (seed 7, 6,302 items): on the test split
the fitted decision made 32 duplicates and 25 false merges against the rules' 26 and 31, and
on a sealed set of 306 items 13 duplicate alerts and 0 false merges against 5 and 4 — no
better than the rules, so the rules decide in the pipeline. The e5 cosine of the two evidence
sentences, tried as a further feature, changed no figure.
"""

from __future__ import annotations

import argparse
import bisect
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.detection.corpus import ALERT_TYPES, CorpusItem, load_corpus
from alerts.detection.decide import best_of_type
from alerts.detection.detector import build_event
from alerts.detection.features import analyse
from alerts.detection.heads import published_date
from alerts.detection.learn.logistic import LogisticRegression, Standardizer
from alerts.detection.learn.splits import assign, group_of
from alerts.detection.training import DEFAULT_SEED
from alerts.eventrecord import record_of
from alerts.instruments import default_instruments
from alerts.matching import (
    LATE_STAGE_WINDOW,
    SAME_REPORT_DAYS,
    EventSignature,
    actors_compatible,
    claimants_compatible,
    date_distance,
    figures_compatible,
    forces_compatible,
    part_of_total,
    places_compatible,
    same_event,
    same_figure,
    signature_of_detected,
    stage_of,
    window_days,
)

# Log-ratio and distance features are capped: beyond this they say nothing more.
_CAP = 3.0

FEATURES: tuple[str, ...] = (
    "rules_same_event",
    "distance_over_window",
    "same_day",
    "actors_compatible",
    "figures_compatible",
    "part_of_total",
    "both_figures",
    "figure_log_ratio",
    "one_figure_missing",
    "forces_compatible",
    "same_force",
    "places_compatible",
    "same_place",
    "claimants_compatible",
    "same_claimant",
    "same_instrument",
    "additional_differs",
)


def vetoed(new: EventSignature, stored: EventSignature) -> bool:
    """True when ``new`` cannot report ``stored`` whatever the evidence says."""
    if new.event_type != stored.event_type:
        return True
    if new.instrument and stored.instrument and new.instrument != stored.instrument:
        return True
    stage_new, stage_stored = stage_of(new.force), stage_of(stored.force)
    if new.event_type == "agreement" and stage_new and stage_stored and stage_new != stage_stored:
        return True
    distance = date_distance(new, stored)
    window = window_days(new.event_type)
    if new.instrument and new.instrument == stored.instrument and new.instrument_window:
        window = max(window, new.instrument_window)
    if stage_new and stage_new == stage_stored:
        window = max(window, LATE_STAGE_WINDOW)
    if distance > window:
        return True
    if new.additional != stored.additional and not (
        same_figure(new, stored) and distance <= SAME_REPORT_DAYS
    ):
        # another contingent: a copy may drop the word "additional", never the figure
        return not (stored.additional and same_figure(new, stored))
    return False


def pair_features(new: EventSignature, stored: EventSignature) -> list[float]:
    """The values of :data:`FEATURES` for one pair, in that order."""
    distance = date_distance(new, stored)
    window = window_days(new.event_type)
    a, b = new.figure, stored.figure
    both = a is not None and b is not None and a > 0 and b > 0
    log_ratio = abs(math.log(a / b)) if both and a and b else 0.0
    return [
        float(same_event(new, stored)),
        min(distance / window, _CAP),
        float(distance == 0),
        float(actors_compatible(new.actors, stored.actors)),
        float(figures_compatible(new, stored)),
        float(part_of_total(new, stored)),
        float(both),
        min(log_ratio, _CAP),
        float((a is None) != (b is None)),
        float(forces_compatible(new.force, stored.force)),
        float(bool(new.force and new.force == stored.force)),
        float(places_compatible(new.place, stored.place)),
        float(bool(new.place and stored.place and new.place == stored.place)),
        float(claimants_compatible(new.claimant, stored.claimant)),
        float(bool(new.claimant and new.claimant == stored.claimant)),
        float(bool(new.instrument and new.instrument == stored.instrument)),
        float(new.additional != stored.additional),
    ]


@dataclass(frozen=True)
class PairModel:
    """A fitted pair decision: standardised features, weights, bias and threshold."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, new: EventSignature, stored: EventSignature) -> float:
        values = pair_features(new, stored)
        z = self.bias + sum(
            w * (v - m) / s
            for w, v, m, s in zip(self.weights, values, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


L2_GRID = (0.01, 0.1, 1.0)
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))
FALSE_MERGE_COST = 1
# Reports further apart than this are never compared (every type's window is shorter).
HORIZON_DAYS = 120


@dataclass(frozen=True)
class Report:
    """One corpus item as the pipeline would see its event."""

    item_id: str
    key: str
    split: str
    signature: EventSignature
    place_area: str | None
    claimant_side: str | None


def report_of(item: CorpusItem, split: str) -> Report | None:
    """The report of one labelled item, ``None`` when it cannot take part (no key, no date,
    no act of its type found by the rules)."""
    published = published_date(item.published)
    if not item.relevant or not item.event_key or not item.event_type or published is None:
        return None
    a = analyse(item.text, item.title or "", item.lang, published)
    candidate = best_of_type(a.doc, a.candidates, item.event_type)
    if candidate is None:
        return None
    candidate.modality = item.novelty
    event = build_event(a.doc, candidate, a.relevance)
    texts = (item.title,) if item.title else ()
    record = record_of(event, published, texts, a.doc.language)
    known = default_instruments().instruments.get(record.instrument or "")
    signature = signature_of_detected(
        event, published, record.instrument, known.window_days if known else None
    )
    return Report(
        item.id, item.event_key, split, signature, record.place_area, record.claimant_side
    )


def reports_of(items: Sequence[CorpusItem], seed: int) -> list[Report]:
    """Every report of the corpus, in publication order (then id)."""
    ordered = sorted(items, key=lambda i: i.id)
    splits = assign([group_of(i.event_key, i.id) for i in ordered], seed)
    out = [r for i, s in zip(ordered, splits, strict=True) if (r := report_of(i, s)) is not None]
    out.sort(key=lambda r: (r.signature.reference, r.item_id))
    return out


def _blocked(new: Report, stored: Report) -> bool:
    """What SQL blocking drops before the decision (storage.events.candidate_events)."""
    if new.place_area and stored.place_area and new.place_area != stored.place_area:
        return True
    if new.claimant_side and stored.claimant_side and new.claimant_side != stored.claimant_side:
        return True
    return new.signature.modality == "new" and stored.signature.modality != "new"


class _Stored:
    """Stored events of a replay, by reference date, for a bounded look-back."""

    def __init__(self) -> None:
        self.days: list[date] = []
        self.reports: list[Report] = []

    def add(self, report: Report) -> None:
        at = bisect.bisect_right(self.days, report.signature.reference)
        self.days.insert(at, report.signature.reference)
        self.reports.insert(at, report)

    def near(self, report: Report) -> list[Report]:
        ref = report.signature.reference
        lo = bisect.bisect_left(self.days, date.fromordinal(ref.toordinal() - HORIZON_DAYS))
        hi = bisect.bisect_right(self.days, date.fromordinal(ref.toordinal() + HORIZON_DAYS))
        return [r for r in self.reports[lo:hi] if not _blocked(report, r)]


def training_pairs(reports: Sequence[Report], split: str) -> tuple[list[list[float]], list[int]]:
    """Each report against the first report of every earlier event of ``split``."""
    rows: list[list[float]] = []
    labels: list[int] = []
    origins = _Stored()
    seen: set[str] = set()
    for r in reports:
        if r.split != split:
            continue
        for stored in origins.near(r):
            if vetoed(r.signature, stored.signature):
                continue
            rows.append(pair_features(r.signature, stored.signature))
            labels.append(int(stored.key == r.key))
        if r.key not in seen:
            seen.add(r.key)
            origins.add(r)
    return rows, labels


Decision = Callable[[EventSignature, EventSignature], "float | None"]


def replay(reports: Sequence[Report], split: str, decide: Decision) -> dict[str, int]:
    """Replay ``split`` through a decision as the pipeline would: counts of reports, events
    (keys), duplicates, false merges and correct joins."""
    stored = _Stored()
    events: set[str] = set()
    counts = {"reports": 0, "duplicates": 0, "false_merges": 0, "joined": 0}
    for r in reports:
        if r.split != split:
            continue
        # what an analyst sees: alerts (a duplicate is a second alert, a false merge a lost one)
        counted = r.signature.modality == "new" and r.signature.event_type in ALERT_TYPES
        counts["reports"] += counted
        best: tuple[float, int, Report] | None = None
        for s in stored.near(r):
            score = decide(r.signature, s.signature)
            if score is None:
                continue
            rank = (score, -date_distance(r.signature, s.signature), s)
            if best is None or rank[:2] > best[:2]:
                best = rank
        if best is None:
            counts["duplicates"] += counted and r.key in events
            stored.add(r)
        elif best[2].key == r.key:
            counts["joined"] += counted
        else:
            counts["false_merges"] += counted
        if counted:
            events.add(r.key)
    counts["events"] = len(events)
    return counts


def _rules(new: EventSignature, stored: EventSignature) -> float | None:
    return 1.0 if not vetoed(new, stored) and same_event(new, stored) else None


def _with(model: PairModel) -> Decision:
    def decide(new: EventSignature, stored: EventSignature) -> float | None:
        if vetoed(new, stored):
            return None
        p = model.probability(new, stored)
        return p if p >= model.threshold else None

    return decide


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def _cost(c: dict[str, int]) -> int:
    return c["duplicates"] + FALSE_MERGE_COST * c["false_merges"]


@dataclass(frozen=True)
class PairFit:
    model: PairModel
    figures: dict[str, dict[str, object]]


def fit_pairs(items: Sequence[CorpusItem], seed: int) -> PairFit | None:
    """Fit the pair decision, or ``None`` when the corpus has too few event groups."""
    reports = reports_of(items, seed)
    x_train, y_train = training_pairs(reports, "train")
    x_val, y_val = training_pairs(reports, "validation")
    if len(set(y_train)) < 2 or len(set(y_val)) < 2:
        return None
    columns = Standardizer.fit(np.array(x_train, np.float64))
    xt = columns.transform(np.array(x_train, np.float64))
    xv = columns.transform(np.array(x_val, np.float64))
    best: tuple[float, float, LogisticRegression] | None = None
    for l2 in L2_GRID:
        lr = LogisticRegression(l2=l2).fit(xt, np.array(y_train), 2)
        loss = _log_loss(np.array(y_val), lr.predict_proba(xv)[:, 1])
        if best is None or loss < best[0]:
            best = (loss, l2, lr)
    assert best is not None
    _, l2, lr = best

    def model_at(threshold: float) -> PairModel:
        return PairModel(
            FEATURES,
            tuple(float(m) for m in columns.mean),
            tuple(float(v) for v in columns.scale),
            tuple(float(w) for w in lr.coef_[:, 0]),
            float(lr.intercept_[0]),
            threshold,
        )

    scored = []
    for t in THRESHOLDS:
        counts = replay(reports, "validation", _with(model_at(t)))
        scored.append((_cost(counts), -t, t))
    _, _, threshold = min(scored)
    model = model_at(threshold)
    figures: dict[str, dict[str, object]] = {"fit": {"l2": l2, "pairs": len(y_train)}}
    for split in ("validation", "test"):
        figures[split] = {
            "model": replay(reports, split, _with(model)),
            "rules": replay(reports, split, _rules),
        }
    return PairFit(model, figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    fit = fit_pairs(load_corpus(), args.seed)
    if fit is None:
        raise SystemExit("bench/pairs.py: too few event groups in the corpus to fit")
    fitted = fit.figures["fit"]
    print(f"pairs fitted: {fitted['pairs']}, L2 {fitted['l2']}, threshold {fit.model.threshold}")
    print(
        f"{'split':<11}{'decision':<9}{'reports':>8}{'events':>7}{'dup':>5}{'merge':>6}{'joined':>7}"
    )
    for split in ("validation", "test"):
        for name in ("rules", "model"):
            c = fit.figures[split][name]
            assert isinstance(c, dict)
            print(
                f"{split:<11}{name:<9}{c['reports']:>8}{c['events']:>7}"
                f"{c['duplicates']:>5}{c['false_merges']:>6}{c['joined']:>7}"
            )
    print(
        "weights:",
        ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, fit.model.weights, strict=True)),
    )


if __name__ == "__main__":
    main()
