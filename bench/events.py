"""Event matching at scale (issue 13): ``find_matching_event`` with candidates narrowed in SQL.

Stores 1k, 10k and 50k synthetic events (types, forces, stages, known instruments, places and
claimants drawn from the lexicons, first published over six years), then matches reports drawn
like the stored ones and prints, per size, the median and p95 milliseconds and the candidates
loaded of:

* ``blocked`` — today's :func:`alerts.novelty.find_matching_event` (type, time window,
  modality, place area, stage, instrument in SQL, called as the pipeline calls it; only the
  needed columns);
* ``old`` — the previous way: every event of the type in the window loaded as ``Event`` rows
  and compared in Python.

It then prints the query plan of the blocked statement (SQLite ``EXPLAIN QUERY PLAN``,
PostgreSQL ``EXPLAIN``). Target: p95 < 5 ms at 50k events on both backends.

    .venv/bin/python bench/events.py [--sizes 1000,10000,50000] [--queries 300]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alerts.detection.lexicon import default_lexicons
from alerts.eventrecord import claimant_side, place_area
from alerts.instruments import default_instruments
from alerts.matching import (
    EventSignature,
    date_distance,
    same_event,
    signature_of_stored,
    window_days,
)
from alerts.novelty import LOOKBACK_SLACK_DAYS, blocking_of, find_matching_event
from storage.engine import create_db_engine
from storage.events import (
    candidate_events,
    candidate_statement,
    events_dated_between,
    events_since,
)
from storage.migrate import upgrade_database
from storage.models import Event

START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_DAYS = 6 * 365
TYPES = [("deployment", 0.4), ("agreement", 0.3), ("arms_transfer", 0.15), ("visit", 0.15)]
FORCES = ["troops", "sappers", "builders", "workers", "officers", "special_forces"]
STAGES = ["signature", "ratification", "entry into force", "arrangement"]
ITEMS = ["treaty", "accord", "memorandum", "bridge", "trains", "flights", "visas", "tourism"]


def _names() -> tuple[list[str], list[str]]:
    kn = default_lexicons()
    places = sorted({e.name for e in kn.entities.values() if e.kind == "place"})
    claimants = sorted({e.name for e in kn.entities.values() if e.claimant})
    return places, claimants


def _draw(
    rng: random.Random, places: list[str], claimants: list[str], days: tuple[float, float]
) -> dict[str, Any]:
    event_type = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    published = START + timedelta(days=rng.uniform(*days))
    figure = int(10 ** rng.uniform(2, 4.5)) if rng.random() < 0.7 else None
    instrument = None
    stage = None
    if event_type == "agreement":
        stage = rng.choice(STAGES)
        force = f"{rng.choice(ITEMS)}:{stage}"
        if rng.random() < 0.3:
            instrument = rng.choice(sorted(default_instruments().instruments))
        figure = None
    else:
        force = rng.choice(FORCES)
    place = rng.choice(places) if rng.random() < 0.8 else None
    claimant = rng.choice(claimants) if rng.random() < 0.6 else None
    dated = rng.random() < 0.3
    return {
        "event_type": event_type,
        "modality": "new" if rng.random() < 0.8 else "background",
        "summary": "",
        "evidence": "",
        "figure_low": figure,
        "figure_high": figure,
        "force": force,
        "place": place,
        "event_date": (published - timedelta(days=rng.randint(0, 5))).date() if dated else None,
        "date_precision": "day" if dated else None,
        "actors": ["KP", "RU"],
        "claimant": claimant,
        "additional": rng.random() < 0.1,
        "confidence": 0.8,
        "first_seen_at": published,
        "first_published_at": published,
        "last_seen_at": published + timedelta(days=rng.uniform(0, 3)),
        "stage": stage,
        "instrument": instrument,
        "place_area": place_area(place),
        "claimant_side": claimant_side(claimant),
        "status": "alleged",
    }


def _signature(row: dict[str, Any]) -> EventSignature:
    published: datetime = row["first_published_at"]
    return EventSignature(
        event_type=row["event_type"],
        modality="new",
        actors=frozenset(row["actors"]),
        figure=row["figure_low"],
        low=row["figure_low"],
        high=row["figure_high"],
        force=row["force"],
        place=row["place"],
        event_date=row["event_date"],
        reference=published.date(),
        additional=row["additional"],
        claimant=row["claimant"],
        date_precision=row["date_precision"],
        instrument=row["instrument"],
    )


def _since(signature: EventSignature) -> datetime:
    days = window_days(signature.event_type) + LOOKBACK_SLACK_DAYS
    return datetime.combine(signature.reference, datetime.min.time(), UTC) - timedelta(days=days)


def _old(session: Session, signature: EventSignature, since: datetime) -> tuple[Event | None, int]:
    rows = events_since(session, [signature.event_type], since)
    if signature.event_date is not None:
        window = timedelta(days=window_days(signature.event_type))
        seen = {r.id for r in rows}
        start: date = signature.anchor - window - timedelta(days=31)
        rows += [
            r
            for r in events_dated_between(
                session, [signature.event_type], start, signature.anchor_end + window
            )
            if r.id not in seen
        ]
    best, best_key = None, None
    for row in rows:
        stored = signature_of_stored(row)
        if stored.modality != "new" or not same_event(signature, stored):
            continue
        key = date_distance(signature, stored)
        if best_key is None or key < best_key:
            best, best_key = row, key
    return best, len(rows)


def _time(fn: Callable[[], object], repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) * 1000 / repeat


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def _plans(engine: Engine, session: Session, signature: EventSignature) -> list[str]:
    block = blocking_of(
        signature, _since(signature), place_area(signature.place), claimant_side(signature.claimant)
    )
    lines = []
    for stmt in [candidate_statement(block)]:
        compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        for row in session.execute(text(prefix + str(compiled))):
            lines.append("    " + " ".join(str(c) for c in row[-1:]))
        lines.append("")
    return lines


def _probes(
    rng: random.Random, stored: list[dict[str, Any]], count: int, draw: Callable[[], dict[str, Any]]
) -> list[EventSignature]:
    """Reports a pass meets: half repeat an event of the last ten days, half are new."""
    recent = [r for r in stored if r["first_published_at"] >= START + timedelta(SPAN_DAYS - 10)]
    out = []
    for i in range(count):
        row = dict(rng.choice(recent)) if i % 2 == 0 and recent else draw()
        row["first_published_at"] = START + timedelta(days=SPAN_DAYS + rng.uniform(0, 1))
        out.append(_signature(row))
    return out


def run(make_engine: Callable[[int], Engine], sizes: list[int], queries: int, label: str) -> None:
    places, claimants = _names()
    print(f"\n{label}: find_matching_event, ms per report ({queries} reports per size)")
    print(f"{'events':>8}  {'way':<8} {'median':>8} {'p95':>8} {'candidates':>11}")
    plans: list[str] = []
    for size in sizes:
        rng = random.Random(size)
        engine = make_engine(size)
        try:
            upgrade_database(engine)
            stored = [_draw(rng, places, claimants, (0, SPAN_DAYS)) for _ in range(size)]
            stored.sort(key=lambda r: r["first_published_at"])
            with Session(engine) as session:
                for i in range(0, len(stored), 5000):
                    session.execute(insert(Event), stored[i : i + 5000])
                session.commit()
                if engine.dialect.name == "postgresql":
                    session.execute(text("ANALYZE events"))
                fresh = (SPAN_DAYS, SPAN_DAYS + 1.0)
                probes = _probes(
                    rng, stored, queries, lambda r=rng, f=fresh: _draw(r, places, claimants, f)
                )
                for way in ("blocked", "old"):
                    times, counts = [], []
                    for sig in probes:
                        since = _since(sig)
                        # as the pipeline calls it (alerts/novelty.py): no claimant side
                        area, side = place_area(sig.place), None
                        if way == "blocked":
                            block = blocking_of(sig, since, area, side)
                            counts.append(len(candidate_events(session, block)))
                            times.append(
                                _time(
                                    lambda s=sig, t=since, a=area, c=side: find_matching_event(
                                        session, s, t, a, c
                                    )
                                )
                            )
                        else:
                            counts.append(_old(session, sig, since)[1])
                            times.append(_time(lambda s=sig, t=since: _old(session, s, t)))
                        session.expunge_all()
                    print(
                        f"{size:>8}  {way:<8} {statistics.median(times):>8.2f}"
                        f" {_p95(times):>8.2f} {statistics.median(counts):>11.0f}"
                    )
                if size == sizes[-1]:
                    sig = next((p for p in probes if p.event_type == "deployment"), probes[0])
                    plans = [f"\n{label} query plans at {size} events (a {sig.event_type} report):"]
                    plans += _plans(engine, session, sig)
        finally:
            engine.dispose()
    print("\n".join(plans))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to run on as well")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        run(
            lambda size: create_db_engine(f"sqlite:///{Path(tmp) / f'events{size}.sqlite3'}"),
            sizes,
            args.queries,
            "SQLite",
        )
    if args.postgres:
        url: str = args.postgres
        admin = create_db_engine(url)
        schemas: list[str] = []

        def pg_engine(size: int) -> Engine:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            schemas.append(schema)
            sep = "&" if "?" in url else "?"
            return create_db_engine(f"{url}{sep}options=-csearch_path%3D{schema}")

        try:
            run(pg_engine, sizes, args.queries, "PostgreSQL")
        finally:
            with admin.begin() as conn:
                for schema in schemas:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
