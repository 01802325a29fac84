"""Near-duplicate detection (storage/dedup.py): copy detection quality and lookup time.

1. **Copy detection.** A store of one-topic synthetic reports (the same actors, places, verbs
   and background paragraphs everywhere: the hard case of a monitor that reads one story all
   day) receives edited copies of stored reports — edited title, added paragraph, reordered
   paragraphs, truncated, 5 % and 10 % of the words changed, a wire credit with one sentence
   reworded — and follow-ups that reuse about 40 % of a stored report but report something new.
   It prints precision (follow-ups and wrong links counted as false links) and recall per edit,
   with the shingle sets (``exact``) and with signatures only (after ``rudprk db prune``), and
   the precision/recall a range of Jaccard thresholds would give.
2. **Lookup time.** At each size (10k, 100k and 1M stored articles by default), the median
   and p95 milliseconds of :func:`storage.dedup.find_original` (one statement: candidates
   sharing two bands outside the stop bands, their signatures and shingles; verification) for
   edited copies and new reports, on SQLite and PostgreSQL: wall time, the process's CPU time,
   the best of three runs of each lookup and, on PostgreSQL, the server's execution time;
   beside datasketch's in-memory MinHashLSH (same bands) and a brute-force numpy scan of the
   same signatures, in the same run, with ratios. The stores are seeded directly
   (bench/dedup_seed.py, not through the store step); the store step of one new article is
   timed on top. The 1-minute load average is printed with each size.

    .venv/bin/python bench/dedup.py [--sizes 10000,100000,1000000] [--store 3000]
        [--queries 300] [--cache DIR] [--workers 2] [--skip-quality] [--backends sqlite,postgresql]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

The reports are generated (no article text is copied); the seed is fixed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dedup_corpus import COPY_KINDS, NEGATIVE_KIND, _edit, as_text, report
from bench.dedup_seed import Corpus, article_rows, base_text, make_corpus, seed_store
from storage.dedup import (
    BANDS,
    JACCARD_MIN,
    MAX_CANDIDATES,
    MIN_BAND_HITS,
    NUM_PERM,
    ROWS,
    Fingerprint,
    _lookup_sql,
    find_original,
    fingerprint,
    index_articles,
    signature_row,
    similarity,
)
from storage.engine import create_db_engine
from storage.keys import sha256_hex
from storage.migrate import upgrade_database
from storage.models import Article, ArticleBand, ArticleSignature, Feed

NOW = datetime(2026, 12, 3, tzinfo=UTC)

# --- databases ------------------------------------------------------------------------------


@contextmanager
def database(backend: str, pg_url: str | None, tmp: Path) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp / f'dedup-{uuid.uuid4().hex[:6]}.sqlite3'}")
        upgrade_database(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    assert pg_url
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_url else "?"
    engine = create_db_engine(f"{pg_url}{sep}options=-csearch_path%3D{schema}")
    upgrade_database(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def bulk_store(engine: Engine, prints: list[Fingerprint], start_id: int = 1) -> list[int]:
    """Articles with their signatures and bands, inserted directly (the bench's store)."""
    ids = list(range(start_id, start_id + len(prints)))
    with Session(engine) as session:
        if start_id == 1:
            session.execute(
                insert(Feed),
                [{"id": 1, "url": "http://bench.test/rss", "name": "bench", "created_at": NOW}],
            )
        step = 2000
        for s in range(0, len(ids), step):
            chunk = list(zip(ids[s : s + step], prints[s : s + step], strict=True))
            session.execute(insert(Article), list(article_rows(i for i, _ in chunk)))
            session.execute(insert(ArticleSignature), [signature_row(i, fp) for i, fp in chunk])
            session.execute(
                insert(ArticleBand),
                [{"band_key": k, "article_id": i} for i, fp in chunk for k in set(fp.bands)],
            )
        session.commit()
        if engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE articles"))
            session.execute(text("ANALYZE article_bands"))
            session.execute(text("ANALYZE article_signatures"))
            session.commit()
    return ids


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"{statistics.median(values):7.2f} {p95:7.2f}"


# --- 1. copy detection ----------------------------------------------------------------------


def detection_quality(engine: Engine, store: int, per_kind: int, rng: random.Random) -> None:
    bases = [report(rng) for _ in range(store)]
    prints = [fingerprint(as_text(t, p)) for t, p in bases]
    assert all(p is not None for p in prints)
    ids = bulk_store(engine, [p for p in prints if p is not None])
    items: list[tuple[str, int, Fingerprint]] = []
    for kind in [*COPY_KINDS, NEGATIVE_KIND]:
        for _ in range(per_kind):
            n = rng.randrange(store)
            fp = fingerprint(as_text(*_edit(kind, *bases[n], rng)))
            if fp is not None:
                items.append((kind, ids[n], fp))
    for mode in ("exact", "signatures"):
        if mode == "signatures":
            with engine.begin() as conn:
                conn.execute(text("UPDATE article_signatures SET shingles = NULL"))
        found: dict[str, list[bool]] = {}
        false_links = true_links = 0
        with Session(engine) as session:
            for kind, base_id, fp in items:
                got = find_original(session, fp)
                is_copy = kind != NEGATIVE_KIND
                ok = got == base_id if is_copy else got is None
                found.setdefault(kind, []).append(ok)
                if got is not None:
                    if is_copy and got == base_id:
                        true_links += 1
                    else:
                        false_links += 1
        copies = sum(len(found[k]) for k in COPY_KINDS)
        precision = true_links / max(1, true_links + false_links)
        recall = true_links / max(1, copies)
        print(
            f"  {engine.dialect.name:10} {mode:10}  precision {precision:.3f}  recall "
            f"{recall:.3f}  ({copies} copies, {len(found[NEGATIVE_KIND])} follow-ups, "
            f"store {store})"
        )
        for kind, oks in found.items():
            label = "not linked" if kind == NEGATIVE_KIND else "linked"
            print(f"      {kind:36} {label} {sum(oks) / len(oks):.3f}")
    # the threshold, from the exact similarities of each item to its base
    print(f"  Jaccard threshold (shipped {JACCARD_MIN}, with containment ≥ 0.9 and J ≥ 0.3):")
    shingles = {ids[n]: p.shingles for n, p in enumerate(prints) if p is not None}
    sims = [
        (kind, similarity(fp, fp.signature, shingles[base], len(shingles[base])))
        for kind, base, fp in items
    ]
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        tp = sum(
            1
            for k, s in sims
            if k != NEGATIVE_KIND
            and (s.jaccard >= threshold or (s.containment >= 0.9 and s.jaccard >= 0.3))
        )
        fp_ = sum(
            1
            for k, s in sims
            if k == NEGATIVE_KIND
            and (s.jaccard >= threshold or (s.containment >= 0.9 and s.jaccard >= 0.3))
        )
        n_copies = sum(1 for k, _ in sims if k != NEGATIVE_KIND)
        print(
            f"      J ≥ {threshold:.1f}: precision {tp / max(1, tp + fp_):.3f}  "
            f"recall {tp / max(1, n_copies):.3f} (verification only)"
        )


# --- 2. lookup time -------------------------------------------------------------------------


def probes_for(
    corpus: Corpus, size: int, queries: int, rng: random.Random
) -> list[tuple[Fingerprint, int | None]]:
    """Half edited copies of stored reports (of the first ``size``), half new reports, each
    with the id it should be linked to (``None`` for a new report)."""
    probes: list[tuple[Fingerprint, int | None]] = []
    for i in range(queries):
        if i % 2 == 0:
            n = rng.randrange(size)
            fp = fingerprint(
                as_text(*_edit(rng.choice(COPY_KINDS), *base_text(corpus.seed, n), rng))
            )
            expected: int | None = n + 1
        else:
            fp = fingerprint(as_text(*report(rng)))
            expected = None
        if fp is not None:
            probes.append((fp, expected))
    return probes


def cpu_timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU (this process) milliseconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def in_memory(
    corpus: Corpus, size: int, probes: list[tuple[Fingerprint, int | None]]
) -> dict[str, list[float]]:
    """datasketch's MinHashLSH (same 40 × 3 bands; query, then the candidates' signatures
    compared) and a brute-force numpy scan of all signatures, on the same probes."""
    from datasketch import LeanMinHash, MinHashLSH

    matrix = corpus.signatures[:size]
    started = time.perf_counter()
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    with lsh.insertion_session() as session:
        for n in range(size):
            session.insert(
                n, LeanMinHash(seed=1, hashvalues=matrix[n].astype(np.uint64), scheme="legacy")
            )
    built = time.perf_counter() - started

    def lsh_lookup(fp: Fingerprint) -> list[int]:
        found = np.fromiter(
            lsh.query(
                LeanMinHash(seed=1, hashvalues=fp.signature.astype(np.uint64), scheme="legacy")
            ),
            dtype=np.int64,
        )
        near = (matrix[found] == fp.signature).mean(axis=1) >= JACCARD_MIN
        return sorted(found[near].tolist())

    started = time.perf_counter()
    times: dict[str, list[float]] = {
        "datasketch": [timed(lambda fp=fp: lsh_lookup(fp)) for fp, _ in probes]  # type: ignore[misc]
    }
    print(
        f"    datasketch MinHashLSH built in {built:.0f} s, queried in "
        f"{time.perf_counter() - started:.0f} s; load {load()}",
        flush=True,
    )
    brute_probes = probes[: max(20, min(len(probes), 20_000_000 // size))]
    times["brute force"] = [
        timed(lambda fp=fp: np.flatnonzero((matrix == fp.signature).mean(axis=1) >= JACCARD_MIN))  # type: ignore[misc]
        for fp, _ in brute_probes
    ]
    return times


def lookup_time(
    engine: Engine,
    corpus: Corpus,
    size: int,
    probes: list[tuple[Fingerprint, int | None]],
    rng: random.Random,
) -> dict[str, list[float]]:
    started = time.perf_counter()
    stops = seed_store(engine, corpus, size)
    built = time.perf_counter() - started
    with Session(engine) as session:
        for fp, _ in probes[:20]:  # warm the connection, the statement cache and the pages
            find_original(session, fp)
        wall_cpu = [cpu_timed(lambda fp=fp: find_original(session, fp)) for fp, _ in probes]  # type: ignore[misc]
        # the same probes twice more, each one's fastest of three: the lookup's cost without
        # the waits of a loaded machine's scheduler (the rows above keep them)
        best = [
            min(w, *(timed(lambda fp=fp: find_original(session, fp)) for _ in range(2)))  # type: ignore[misc]
            for (fp, _), (w, _) in zip(probes, wall_cpu, strict=True)
        ]
        found = [(find_original(session, fp), expected) for fp, expected in probes]
        server = server_times(session, probes) if engine.dialect.name == "postgresql" else []
        # the whole step of a new article: lookup, link, signature and bands stored
        next_id = size + 1
        store = []
        for _ in range(100):
            session.execute(
                insert(Article).values(
                    id=next_id,
                    feed_id=1,
                    guid=f"n{next_id}",
                    guid_hash=sha256_hex(f"n{next_id}"),
                    title="",
                    summary="",
                    discovered_at=NOW,
                )
            )
            text_ = as_text(*report(rng))
            store.append(timed(lambda t=text_, i=next_id: index_articles(session, [(i, t)])))  # type: ignore[misc]
            next_id += 1
        session.rollback()
    copies = [got == expected for got, expected in found if expected is not None]
    linked = [got == expected for got, expected in found if got is not None]
    print(
        f"    {engine.dialect.name:10} seeded in {built:5.0f} s ({stops:,} stop bands), "
        f"load {load()}; copies found {sum(copies)}/{len(copies)}, links right "
        f"{sum(linked)}/{len(linked)}",
        flush=True,
    )
    figures = {
        "lookup": [w for w, _ in wall_cpu],
        "lookup cpu": [c for _, c in wall_cpu],
        "best of 3": best,
    }
    if server:
        figures["server exec"] = server
    figures["store step"] = store
    return figures


def server_times(session: Session, probes: list[tuple[Fingerprint, int | None]]) -> list[float]:
    """PostgreSQL's own execution time of the lookup statement (``EXPLAIN ANALYZE``)."""
    times = []
    for fp, _ in probes:
        keys = sorted(set(fp.bands))
        sql = "EXPLAIN (ANALYZE, FORMAT JSON) " + _lookup_sql("postgresql", len(keys))
        plan = session.connection().exec_driver_sql(sql, (keys, MIN_BAND_HITS, MAX_CANDIDATES))
        times.append(float(plan.scalar_one()[0]["Execution Time"]))
    return times


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(0.95 * len(values)))]


def report_size(size: int, results: dict[str, dict[str, list[float]]]) -> None:
    ref = results["in memory"]
    print(f"  {size:>9,} stored (load {load()}):")
    for backend, figures in results.items():
        for name, values in figures.items():
            line = f"    {backend:10} {name:12} {ms(values)}"
            if name == "lookup":
                line += "   p95 ×{:.2f} of datasketch, ×{:.3f} of brute force".format(
                    p95(values) / p95(ref["datasketch"]), p95(values) / p95(ref["brute force"])
                )
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--store", type=int, default=3000)
    parser.add_argument("--per-kind", type=int, default=150)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None, help="folder to keep fingerprints in")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="postgresql needs --postgres"
    )
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b != "postgresql" or args.postgres]
    if not backends or set(backends) - {"sqlite", "postgresql"}:
        parser.error(f"--backends: sqlite and/or postgresql, not {args.backends!r}")
    try:
        sizes = sorted(int(s) for s in args.sizes.split(","))
    except ValueError:
        parser.error(f"--sizes: not a list of numbers: {args.sizes!r}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_quality:
            print("copy detection (precision counts follow-ups and wrong links as false links):")
            for backend in backends:
                with database(backend, args.postgres, Path(tmp)) as engine:
                    detection_quality(engine, args.store, args.per_kind, random.Random(args.seed))
        started = time.perf_counter()
        corpus = make_corpus(args.seed, sizes[-1], args.workers, args.cache)
        print(
            f"lookup, ms (median p95), one new article against the store (half copies, half new "
            f"reports); {sizes[-1]:,} fingerprints made or loaded in {time.perf_counter() - started:.0f} s:"
        )
        for size in sizes:
            rng = random.Random(args.seed + size)
            probes = probes_for(corpus, size, args.queries, rng)
            results = {"in memory": in_memory(corpus, size, probes)}
            for backend in backends:
                with database(backend, args.postgres, Path(tmp)) as engine:
                    results[backend] = lookup_time(engine, corpus, size, probes, rng)
            report_size(size, results)


if __name__ == "__main__":
    main()
