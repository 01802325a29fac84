"""Near-duplicate articles: MinHash signatures with LSH band buckets kept in SQL.

An article's text (title + body, else summary) is normalised (:func:`storage.keys.normalise_text`)
and cut into overlapping runs of :data:`SHINGLE_WORDS` words; each shingle is hashed to 32 bits
(CRC-32: stable everywhere, and the permutations below do the mixing).
The signature is the minimum of :data:`NUM_PERM` hash permutations over the shingles; it is cut
into :data:`BANDS` bands of :data:`ROWS` values, each hashed to one 64-bit ``band_key`` row of
``article_bands`` (primary key ``(band_key, article_id)``, so a lookup is an index range scan on
SQLite and PostgreSQL alike). A band key held by more than :data:`STOP_BAND_ARTICLES` articles
is a stop band (``article_stop_bands``): the bucket of a stock phrase, its rows deleted, so a
lookup reads a bounded number of rows at any store size. Two articles sharing
:data:`MIN_BAND_HITS` other bands are candidates; a candidate is a copy
when the shingle sets (or, after ``rudprk db prune`` dropped them, the signatures) say so
(:func:`is_copy`). The parameters and the thresholds are measured by ``bench/dedup.py``.

Changing ``NUM_PERM``, ``BANDS``, ``ROWS``, ``SHINGLE_WORDS`` or the hash seeds makes stored
signatures incomparable with new ones: do not, without rebuilding ``article_signatures``.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table, delete, insert, select, text, update
from sqlalchemy.orm import Session

from storage.keys import normalise_text
from storage.models import Article, ArticleBand, ArticleSignature, ArticleStopBand

SHINGLE_WORDS = 3
NUM_PERM = 120
BANDS = 40
ROWS = 3
# Fewer shingles than this (a one-line summary) is too little text to call two articles copies.
MIN_SHINGLES = 25
# A copy: Jaccard similarity of the shingle sets at least JACCARD_MIN, or the newer text is
# contained in the older one (a truncated copy) at least CONTAINMENT_MIN with a Jaccard of at
# least CONTAINED_JACCARD_MIN. A follow-up reusing 40 % of an earlier text scores about 0.25 and
# 0.4-0.67 (bench/dedup.py).
JACCARD_MIN = 0.5
CONTAINMENT_MIN = 0.9
CONTAINED_JACCARD_MIN = 0.3
# From signatures alone (the shingles pruned) the Jaccard is an estimate (standard error about
# 0.045 at 0.5 with 120 permutations): the thresholds are raised by this margin.
SIGNATURE_MARGIN = 0.05
# A candidate shares at least this many bands with the new article: at Jaccard 0.5 that keeps
# 97 % of the pairs (0.9993 at 0.6), at 0.1 (two reports on one topic) 0.08 % instead of 4 %
# with one band, so a one-topic store does not load hundreds of signatures per lookup.
MIN_BAND_HITS = 2
# Candidates whose signatures estimate a Jaccard below this are dropped before their shingles
# are loaded (the cheapest test first).
PREFILTER_JACCARD = 0.2
# A band key held by more than this many stored articles is a stop band (the bucket of a stock
# phrase of the stream, not of one story): its rows are deleted and new ones not written
# (``article_stop_bands``), so no lookup scans a crowded bucket and hits in it do not count.
# Copies do not write the keys their original holds, so a syndicated story fills no bucket.
# Measured in bench/dedup.py (docs/dedup.md); migration 0100 froze the value it applied.
STOP_BAND_ARTICLES = 100
# A lookup verifies at most this many candidates, those sharing the most bands first: a copy
# (Jaccard ≥ 0.5) shares 5 of 40 bands on average, a same-topic report 2 by chance.
MAX_CANDIDATES = 16
# Values of IN (...) per statement (SQLite allows 32,766 bound parameters, psycopg 65,535).
CHUNK = 4000
# PostgreSQL advisory lock taken by a transaction that stores articles, so two passes storing
# two copies of one story at once cannot both see no original.
PG_LOCK_KEY = 0x72756470726B  # "rudprk"

_MERSENNE = np.uint64((1 << 61) - 1)
_MASK32 = np.uint64(0xFFFFFFFF)

U32 = npt.NDArray[np.uint32]
_SIGNATURES = cast(Table, ArticleSignature.__table__)
_BANDS = cast(Table, ArticleBand.__table__)
_STOPS = cast(Table, ArticleStopBand.__table__)


def _seeded(label: str) -> int:
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=4).digest(), "little")


# Fixed permutations (a·h + b mod 2^61−1, low 32 bits), derived from names, not a random stream.
_A = np.array([_seeded(f"rudprk-minhash-a-{i}") | 1 for i in range(NUM_PERM)], dtype=np.uint64)
_B = np.array([_seeded(f"rudprk-minhash-b-{i}") for i in range(NUM_PERM)], dtype=np.uint64)


def shingle_hashes(text: str, words: int = SHINGLE_WORDS) -> U32:
    """The sorted, distinct 32-bit hashes of the text's word shingles."""
    tokens = normalise_text(text).split()
    if len(tokens) < words:
        return np.zeros(0, dtype=np.uint32)
    values = {
        zlib.crc32(" ".join(tokens[i : i + words]).encode()) for i in range(len(tokens) - words + 1)
    }
    return np.unique(np.fromiter(values, dtype=np.uint32, count=len(values)))


def minhash(shingles: U32) -> U32:
    """The MinHash signature of a non-empty shingle set."""
    values = shingles.astype(np.uint64)
    with np.errstate(over="ignore"):
        permuted: npt.NDArray[np.uint64] = (
            np.outer(_A, values) + _B[:, None]
        ) % _MERSENNE & _MASK32
    signature: U32 = permuted.min(axis=1).astype(np.uint32)
    return signature


def band_keys(signature: U32) -> list[int]:
    """One signed 64-bit key per band (its index and values hashed)."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


@dataclass(frozen=True)
class Fingerprint:
    shingles: U32
    signature: U32
    bands: tuple[int, ...]


def fingerprint(text: str) -> Fingerprint | None:
    """Shingles, signature and band keys of a text; ``None`` when it is too short to compare."""
    shingles = shingle_hashes(text)
    if len(shingles) < MIN_SHINGLES:
        return None
    signature = minhash(shingles)
    return Fingerprint(shingles, signature, tuple(band_keys(signature)))


@dataclass(frozen=True)
class Similarity:
    jaccard: float
    containment: float  # of the newer text in the older one
    exact: bool  # from the shingle sets (False: estimated from the signatures)


def similarity(
    new: Fingerprint,
    stored_signature: U32,
    stored_shingles: U32 | None,
    stored_count: int,
) -> Similarity:
    if stored_shingles is not None:
        common = len(np.intersect1d(new.shingles, stored_shingles, assume_unique=True))
        union = len(new.shingles) + len(stored_shingles) - common
        return Similarity(common / union, common / len(new.shingles), True)
    jaccard = float(np.mean(new.signature == stored_signature))
    common_est = jaccard * (len(new.shingles) + stored_count) / (1 + jaccard)
    return Similarity(jaccard, min(1.0, common_est / len(new.shingles)), False)


def is_copy(sim: Similarity) -> bool:
    margin = 0.0 if sim.exact else SIGNATURE_MARGIN
    return sim.jaccard >= JACCARD_MIN + margin or (
        sim.containment >= CONTAINMENT_MIN + margin
        and sim.jaccard >= CONTAINED_JACCARD_MIN + margin
    )


def _decode(blob: bytes | None) -> U32 | None:
    return None if blob is None else np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def lock_for_articles(session: Session) -> None:
    """Serialise article storage between concurrent passes on PostgreSQL (held until the
    transaction ends). SQLite needs none: the article insert already holds its write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


@dataclass(frozen=True)
class StoredPrint:
    article_id: int
    root_id: int  # the original this article copies, or itself
    signature: U32
    shingles: U32 | None
    count: int


def _candidates(session: Session, keys: Iterable[int]) -> dict[int, set[int]]:
    """``band_key`` → stored article ids in that bucket."""
    found: dict[int, set[int]] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        rows = session.execute(
            select(ArticleBand.band_key, ArticleBand.article_id).where(
                ArticleBand.band_key.in_(chunk)
            )
        )
        for key, article_id in rows:
            found.setdefault(key, set()).add(article_id)
    return found


def _within_reach(new: Sequence[Fingerprint], signature: U32) -> bool:
    return any(float(np.mean(fp.signature == signature)) >= PREFILTER_JACCARD for fp in new)


def _load_prints(session: Session, near: dict[int, list[Fingerprint]]) -> dict[int, StoredPrint]:
    """The stored fingerprints of the candidates ``near`` (id → the new fingerprints sharing
    bands with it) whose signature is within reach of one of them (:data:`PREFILTER_JACCARD`);
    the shingle sets are loaded for those only."""
    light: list[tuple[int, int, U32, int]] = []
    unique = sorted(near)
    for start in range(0, len(unique), CHUNK):
        rows = session.execute(
            select(
                ArticleSignature.article_id,
                Article.copy_of_id,
                ArticleSignature.signature,
                ArticleSignature.shingle_count,
            )
            .join(Article, Article.id == ArticleSignature.article_id)
            .where(ArticleSignature.article_id.in_(unique[start : start + CHUNK]))
        )
        for article_id, copy_of, sig, count in rows:
            signature = _decode(sig)
            assert signature is not None
            if _within_reach(near[article_id], signature):
                light.append((article_id, copy_of or article_id, signature, count))
    shingles: dict[int, bytes | None] = {}
    wanted = [row[0] for row in light]
    for start in range(0, len(wanted), CHUNK):
        shingles.update(
            session.execute(
                select(ArticleSignature.article_id, ArticleSignature.shingles).where(
                    ArticleSignature.article_id.in_(wanted[start : start + CHUNK])
                )
            )
            .tuples()
            .all()
        )
    return {
        article_id: StoredPrint(
            article_id, root, signature, _decode(shingles.get(article_id)), count
        )
        for article_id, root, signature, count in light
    }


def _hits(bands: Iterable[int], buckets: dict[int, set[int]]) -> set[int]:
    """The ids sharing at least :data:`MIN_BAND_HITS` of ``bands``."""
    counts = Counter(i for key in set(bands) for i in buckets.get(key, ()))
    return {i for i, n in counts.items() if n >= MIN_BAND_HITS}


def _lookup_sql(dialect: str, keys: int) -> str:
    """The statement of :func:`find_original` for ``keys`` band keys, in the driver's
    parameter style (``?`` for sqlite3, ``%s`` for psycopg)."""
    if dialect == "postgresql":
        where, mark = "band_key = ANY(CAST(%s AS bigint[]))", "%s"
    else:
        where, mark = f"band_key IN ({', '.join('?' * keys)})", "?"
    return (
        f"SELECT s.article_id, a.copy_of_id, s.signature, s.shingle_count, s.shingles FROM "
        f"(SELECT article_id FROM {_BANDS.name} WHERE {where} GROUP BY article_id "
        f"HAVING count(*) >= {mark} ORDER BY count(*) DESC, article_id LIMIT {mark}) AS h "
        f"JOIN {_SIGNATURES.name} AS s ON s.article_id = h.article_id "
        f"JOIN {cast(Table, Article.__table__).name} AS a ON a.id = h.article_id"
    )


def find_original(session: Session, new: Fingerprint, exclude: int | None = None) -> int | None:
    """The first stored original ``new`` is a copy of (its lowest id), if any.

    One statement: the ids sharing at least :data:`MIN_BAND_HITS` bands (stop bands have no
    rows), the :data:`MAX_CANDIDATES` sharing most, with their signatures and shingle sets;
    the shingles are decoded only for candidates whose signature is within reach. The SQL is
    sent as the driver's string: building and compiling a SQLAlchemy statement cost about
    1 ms of CPU per lookup, several times the index scan (bench/dedup.py)."""
    keys = sorted(set(new.bands))
    dialect = session.get_bind().dialect.name
    sql = _lookup_sql(dialect, len(keys))
    params: tuple[Any, ...] = (
        (keys, MIN_BAND_HITS, MAX_CANDIDATES)
        if dialect == "postgresql"
        else (*keys, MIN_BAND_HITS, MAX_CANDIDATES)
    )
    prints = []
    for article_id, copy_of, sig, count, shingles in session.connection().exec_driver_sql(
        sql, params
    ):
        signature = _decode(sig)
        assert signature is not None
        if article_id != exclude and _within_reach([new], signature):
            prints.append(
                StoredPrint(article_id, copy_of or article_id, signature, _decode(shingles), count)
            )
    return _first_original(new, prints)


def _first_original(new: Fingerprint, prints: Iterable[StoredPrint]) -> int | None:
    roots = [
        p.root_id for p in prints if is_copy(similarity(new, p.signature, p.shingles, p.count))
    ]
    return min(roots) if roots else None


def text_of(title: str, summary: str, body: str | None) -> str:
    """The text an article is fingerprinted by: its title and its body, else its summary."""
    return f"{title}\n{body or summary}"


def index_articles(session: Session, articles: Sequence[tuple[int, str]]) -> dict[int, int]:
    """Fingerprint new articles ``(id, text)`` (ascending ids), link each copy to its first
    original and store the signatures and band keys; returns ``{copy id: original id}``.

    Articles of the same call are compared with each other too, in id order. The caller holds
    :func:`lock_for_articles` in the same transaction.
    """
    prints: dict[int, Fingerprint] = {}
    for article_id, body in articles:
        fp = fingerprint(body)
        if fp is not None:
            prints[article_id] = fp
    if not prints:
        return {}
    stored_buckets = _candidates(session, (k for fp in prints.values() for k in fp.bands))
    near: dict[int, list[Fingerprint]] = {}
    for fp in prints.values():
        for stored_id in _hits(fp.bands, stored_buckets):
            near.setdefault(stored_id, []).append(fp)
    stored = _load_prints(session, near)
    batch_buckets: dict[int, set[int]] = {}
    batch: dict[int, StoredPrint] = {}
    copies: dict[int, int] = {}
    held: dict[int, set[int]] = {}  # copy id → the keys its original already holds
    for article_id in sorted(prints):
        fp = prints[article_id]
        nearby = _hits(fp.bands, stored_buckets) - {article_id}
        earlier = _hits(fp.bands, batch_buckets)
        original = _first_original(
            fp, [stored[i] for i in nearby if i in stored] + [batch[i] for i in earlier]
        )
        if original is not None:
            copies[article_id] = original
            held[article_id] = {
                key
                for key in fp.bands
                if original in stored_buckets.get(key, ()) or original in batch_buckets.get(key, ())
            }
        batch[article_id] = StoredPrint(
            article_id, original or article_id, fp.signature, fp.shingles, len(fp.shingles)
        )
        for key in fp.bands:
            batch_buckets.setdefault(key, set()).add(article_id)
    _store_prints(session, prints, stored_buckets, held)
    if copies:
        session.execute(
            update(Article),
            [{"id": copy_id, "copy_of_id": original} for copy_id, original in copies.items()],
        )
    return copies


def signature_row(article_id: int, fp: Fingerprint) -> dict[str, Any]:
    """The ``article_signatures`` row of a fingerprint (arrays stored as little-endian u32)."""
    return {
        "article_id": article_id,
        "signature": fp.signature.astype("<u4").tobytes(),
        "shingles": fp.shingles.astype("<u4").tobytes(),
        "shingle_count": len(fp.shingles),
    }


def stop_keys(session: Session, keys: Iterable[int]) -> set[int]:
    """The stop bands among ``keys``."""
    found: set[int] = set()
    unique = sorted(set(keys))
    for start in range(0, len(unique), CHUNK):
        found.update(
            session.scalars(
                select(ArticleStopBand.band_key).where(
                    ArticleStopBand.band_key.in_(unique[start : start + CHUNK])
                )
            )
        )
    return found


def _store_prints(
    session: Session,
    prints: dict[int, Fingerprint],
    buckets: dict[int, set[int]] | None = None,
    held: dict[int, set[int]] | None = None,
) -> None:
    """Write the signatures and band rows of ``prints``, leaving out stop bands and, for a
    copy, the keys its original holds (``held``); a bucket that grows past
    :data:`STOP_BAND_ARTICLES` becomes a stop band. ``buckets`` is what :func:`_candidates`
    read for these keys (read here when not given)."""
    ids = list(prints)
    session.execute(delete(ArticleBand).where(ArticleBand.article_id.in_(ids)))
    session.execute(delete(ArticleSignature).where(ArticleSignature.article_id.in_(ids)))
    # Core inserts on the tables (no ORM bookkeeping per row): the rows were deleted just above
    # and the caller holds the articles lock, so nothing can conflict.
    session.execute(insert(_SIGNATURES), [signature_row(i, fp) for i, fp in prints.items()])
    keys = {key for fp in prints.values() for key in fp.bands}
    if buckets is None:
        buckets = _candidates(session, keys)
    stops = stop_keys(session, keys)
    held = held or {}
    rows: list[dict[str, Any]] = [
        {"band_key": key, "article_id": i}
        for i, fp in prints.items()
        for key in set(fp.bands) - stops - held.get(i, set())
    ]
    sizes = Counter(row["band_key"] for row in rows)
    for key, found in buckets.items():
        if key in sizes:
            sizes[key] += len(found - set(ids))
    crowded = {key: n for key, n in sizes.items() if n > STOP_BAND_ARTICLES}
    rows = [row for row in rows if row["band_key"] not in crowded]
    for start in range(0, len(rows), 5000):
        session.execute(insert(_BANDS), rows[start : start + 5000])
    if crowded:
        session.execute(
            insert(_STOPS), [{"band_key": k, "articles": n} for k, n in crowded.items()]
        )
        listed = sorted(crowded)
        for start in range(0, len(listed), CHUNK):
            session.execute(
                delete(ArticleBand).where(ArticleBand.band_key.in_(listed[start : start + CHUNK]))
            )


def reindex_articles(session: Session, articles: Sequence[tuple[int, str]]) -> None:
    """Replace the fingerprints of edited articles ``(id, text)``; their copy links stay."""
    prints = {i: fp for i, body in articles if (fp := fingerprint(body)) is not None}
    stale = [i for i, _ in articles if i not in prints]
    if stale:
        session.execute(delete(ArticleBand).where(ArticleBand.article_id.in_(stale)))
        session.execute(delete(ArticleSignature).where(ArticleSignature.article_id.in_(stale)))
    if prints:
        _store_prints(session, prints)
