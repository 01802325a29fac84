"""Near-duplicate detection (storage/dedup.py): copy detection quality and lookup time.

1. **Copy detection.** A store of one-topic synthetic reports (the same actors, places, verbs
   and background paragraphs everywhere: the hard case of a monitor that reads one story all
   day) receives edited copies of stored reports — edited title, added paragraph, reordered
   paragraphs, truncated, 5 % and 10 % of the words changed, a wire credit with one sentence
   reworded — and follow-ups that reuse about 40 % of a stored report but report something new.
   It prints precision (follow-ups and wrong links counted as false links) and recall per edit,
   with the shingle sets (``exact``) and with signatures only (after ``rudprk db prune``), and
   the precision/recall a range of Jaccard thresholds would give.
2. **Lookup time.** At each size (10k and 100k stored articles by default), the median and p95
   milliseconds of :func:`storage.dedup.find_original` (band lookup in SQL, candidates'
   signatures and shingles loaded, verification) for new copies and new reports, on SQLite and
   PostgreSQL, beside a brute-force scan of the same signatures in memory (numpy).

    .venv/bin/python bench/dedup.py [--sizes 10000,100000] [--store 3000] [--queries 300]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

The reports are generated (no article text is copied); the seed is fixed.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
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

from storage.dedup import (
    JACCARD_MIN,
    Fingerprint,
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

SUBJECTS = [
    "North Korea",
    "Pyongyang",
    "Russia",
    "Moscow",
    "the Kremlin",
    "South Korea's spy agency",
    "the Pentagon",
    "Ukrainian military intelligence",
    "Kim Jong Un",
    "Vladimir Putin",
    "the Russian defence ministry",
    "Seoul",
    "a United Nations panel",
    "Sergei Shoigu",
    "the North Korean foreign ministry",
    "Japan's defence ministry",
]
VERBS = [
    "has sent",
    "plans to send",
    "denied sending",
    "is preparing to send",
    "agreed to supply",
    "said it had received",
    "is believed to have shipped",
    "pledged to deliver",
    "discussed sending",
    "confirmed the arrival of",
]
OBJECTS = [
    "{n} troops",
    "{n} military engineers",
    "{n} construction workers",
    "{n} artillery shells",
    "short-range ballistic missiles",
    "air defence systems",
    "{n} sappers",
    "a battalion of marines",
    "fuel and food aid",
    "rocket launchers",
    "drone components",
    "{n} tonnes of rice",
]
PLACES = [
    "to the Kursk region",
    "to Vladivostok",
    "across the Tumen river",
    "to the Far East",
    "to occupied Donetsk",
    "near the Ukrainian border",
    "to the Primorye region",
    "to training grounds in Russia",
    "through the port of Rajin",
    "by rail via Khasan",
]
TIMES = [
    "on Monday",
    "on Tuesday",
    "last week",
    "in November",
    "this spring",
    "since the summer",
    "over the past month",
    "earlier this year",
    "on Thursday",
    "in recent days",
]
ATTRIBUTIONS = [
    "officials said",
    "lawmakers were told",
    "a report said",
    "according to satellite images",
    "two sources said",
    "the agency said",
    "analysts said",
    "state media reported",
]
BACKGROUND = [
    "The two countries signed a comprehensive strategic partnership treaty in June 2024 that "
    "includes a clause on mutual military assistance in case of an attack on either side.",
    "Pyongyang and Moscow deny that weapons have been traded, although both governments have "
    "promised to deepen military cooperation.",
    "Western governments say North Korea has supplied millions of artillery shells to Russia "
    "since the start of the war.",
    "The road bridge across the Tumen river is due to open next year and will be the first road "
    "link between the two countries.",
    "North Korean troops were first reported in the Kursk region in the autumn of 2024.",
]
FILLER = [
    "meanwhile",
    "analysts",
    "cautioned",
    "further",
    "details",
    "remained",
    "unclear",
    "while",
    "diplomats",
    "in",
    "several",
    "capitals",
    "urged",
    "restraint",
    "and",
    "called",
    "for",
    "new",
    "talks",
    "on",
    "sanctions",
    "monitoring",
    "and",
    "shipping",
]


# The rest of a sentence: words of a 4,000-word vocabulary of made-up words drawn with Zipf
# frequencies, as the running text of real reports (measured on real wire copy, two reports of
# one story share a few per cent of their word 3-grams, not a quarter).
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
VOCABULARY = sorted(
    {"".join(random.Random(i).choices(_SYLLABLES, k=1 + i % 3)) for i in range(6000)}
)[:4000]
_CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


def clause(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=words))


def sentence(rng: random.Random) -> str:
    obj = rng.choice(OBJECTS).format(n=f"{rng.randrange(1, 200) * 100:,}")
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {obj} {rng.choice(PLACES)} "
        f"{rng.choice(TIMES)}, {clause(rng, rng.randint(6, 14))}, {rng.choice(ATTRIBUTIONS)}."
    )


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def report(rng: random.Random) -> tuple[str, list[str]]:
    """A title and paragraphs on the one topic, with background boilerplate now and then."""
    paras = [paragraph(rng) for _ in range(rng.randint(5, 8))]
    for _ in range(rng.choice((0, 1, 1, 2))):
        paras.insert(rng.randrange(1, len(paras) + 1), rng.choice(BACKGROUND))
    return sentence(rng).rstrip("."), paras


def change_words(paras: list[str], share: float, rng: random.Random) -> list[str]:
    words = " ".join(paras).split(" ")
    for i in rng.sample(range(len(words)), int(share * len(words))):
        words[i] = rng.choice(FILLER)
    return [" ".join(words)]


def _edit(kind: str, title: str, paras: list[str], rng: random.Random) -> tuple[str, list[str]]:
    if kind == "edited title":
        return title + ", " + rng.choice(ATTRIBUTIONS), paras
    if kind == "added paragraph":
        return title, [*paras, paragraph(rng)]
    if kind == "reordered":
        return title, rng.sample(paras, len(paras))
    if kind == "truncated":
        return title, paras[: max(2, round(len(paras) * 0.65))]
    if kind == "5% words changed":
        return title, change_words(paras, 0.05, rng)
    if kind == "10% words changed":
        return title, change_words(paras, 0.10, rng)
    if kind == "wire credit, one sentence reworded":
        edited = list(paras)
        edited[1] = sentence(rng) + " " + edited[1].split(". ", 1)[-1]
        return title + " (AFP)", [*edited, "(With AFP)"]
    if kind == "follow-up reusing ~40%":
        keep = max(2, round(len(paras) * 0.4))
        return sentence(rng).rstrip("."), paras[:keep] + [paragraph(rng) for _ in range(keep)]
    raise ValueError(kind)


COPY_KINDS = [
    "edited title",
    "added paragraph",
    "reordered",
    "truncated",
    "5% words changed",
    "10% words changed",
    "wire credit, one sentence reworded",
]
NEGATIVE_KIND = "follow-up reusing ~40%"


def as_text(title: str, paras: list[str]) -> str:
    return title + "\n" + "\n".join(paras)


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
            session.execute(
                insert(Article),
                [
                    {
                        "id": i,
                        "feed_id": 1,
                        "guid": str(i),
                        "guid_hash": sha256_hex(str(i)),
                        "title": "",
                        "summary": "",
                        "discovered_at": NOW,
                        "analysed_at": NOW,
                    }
                    for i, _ in chunk
                ],
            )
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


def lookup_time(engine: Engine, size: int, queries: int, rng: random.Random) -> None:
    started = time.perf_counter()
    bases = [report(rng) for _ in range(size)]
    prints = [p for p in (fingerprint(as_text(t, ps)) for t, ps in bases) if p is not None]
    bulk_store(engine, prints)
    built = time.perf_counter() - started
    probes = []
    for i in range(queries):
        if i % 2 == 0:
            n = rng.randrange(len(bases))
            kind = rng.choice(COPY_KINDS)
            fp = fingerprint(as_text(*_edit(kind, *bases[n], rng)))
        else:
            fp = fingerprint(as_text(*report(rng)))
        if fp is not None:
            probes.append(fp)
    with Session(engine) as session:
        find_original(session, probes[0])  # warm the connection and the statement cache
        sql = [timed(lambda fp=fp: find_original(session, fp)) for fp in probes]  # type: ignore[misc]
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
    matrix = np.stack([p.signature for p in prints])
    brute = [
        timed(lambda fp=fp: np.flatnonzero((matrix == fp.signature).mean(axis=1) >= 0.5))
        for fp in probes
    ]  # type: ignore[misc]
    print(
        f"  {engine.dialect.name:10} {size:>8,}  find_original {ms(sql)}   "
        f"index one article {ms(store)}   brute force (numpy) {ms(brute)}   "
        f"(store built in {built:.0f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--store", type=int, default=3000)
    parser.add_argument("--per-kind", type=int, default=150)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    with tempfile.TemporaryDirectory() as tmp:
        print("copy detection (precision counts follow-ups and wrong links as false links):")
        for backend in backends:
            with database(backend, args.postgres, Path(tmp)) as engine:
                detection_quality(engine, args.store, args.per_kind, random.Random(args.seed))
        print(
            "lookup, ms (median p95), one new article against the store "
            "(half copies, half new reports):"
        )
        for size in (int(s) for s in args.sizes.split(",")):
            for backend in backends:
                with database(backend, args.postgres, Path(tmp)) as engine:
                    lookup_time(engine, size, args.queries, random.Random(args.seed + size))


if __name__ == "__main__":
    main()
