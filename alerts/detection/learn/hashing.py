"""Stable feature hashing of character n-grams and word (or lemma) n-grams.

Python's ``hash()`` of a string changes from one process to the next, so it is never used.
A character n-gram is hashed by a 64-bit polynomial over its Unicode code points, seeded by
the feature family and ``n`` and finished by the MurmurHash3 64-bit mixer; a word is hashed by
BLAKE2b (8 bytes) of its UTF-8 bytes, and a word n-gram by mixing its words' hashes. All of it
is unsigned 64-bit integer arithmetic, so a text gets the same buckets on every machine and in
every process. The hashing scheme is named by :data:`HASH_SCHEME`, recorded in each model's
manifest.

Character n-grams are word-boundary aware (like scikit-learn's ``char_wb``): the text is cut
into words (runs of letters and digits), each word is padded with one space on each side, and
only n-grams inside a padded word are counted.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

HASH_SCHEME = "poly64-fmix64+blake2b8-v1"

I64 = NDArray[np.int64]
U64 = NDArray[np.uint64]

_PRIME = np.uint64(0x100000001B3)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_SPACE = 32
_WORD_RE = re.compile(r"\w+")
_DIGIT_RE = re.compile(r"\d")
_CHAR_SEED = 0x9E3779B97F4A7C15
_WORD_SEED = 0xD6E8FEB86659FD93


def fmix64(h: U64) -> U64:
    """The MurmurHash3 finaliser: every input bit affects every output bit."""
    h = h ^ (h >> _S33)
    h = h * _M1
    h = h ^ (h >> _S33)
    h = h * _M2
    return h ^ (h >> _S33)


def normalise(text: str, *, fold_digits: bool = True) -> str:
    """NFKC, lower case, and (by default) every digit written as ``0``."""
    out = unicodedata.normalize("NFKC", text).lower()
    return _DIGIT_RE.sub("0", out) if fold_digits else out


def words(text: str, *, fold_digits: bool = True) -> list[str]:
    """The words of ``text`` (runs of letters and digits), normalised."""
    return _WORD_RE.findall(normalise(text, fold_digits=fold_digits))


class _RecentCounts:
    """The last few (hasher, text) → counts results: the heads of one article hash the same
    title and lead with the same settings, each head on its own (10 times an article in the
    shipped cascade). The arrays handed out are read-only, so a hit cannot be changed."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, tuple[I64, NDArray[np.float64]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[I64, NDArray[np.float64]] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(
        self, key: Hashable, value: tuple[I64, NDArray[np.float64]]
    ) -> tuple[I64, NDArray[np.float64]]:
        for array in value:
            array.flags.writeable = False
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


_RECENT = _RecentCounts()


def _bucket_counts(hashes: U64, bits: int) -> tuple[I64, NDArray[np.float64]]:
    if hashes.size == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    buckets = (hashes & np.uint64((1 << bits) - 1)).astype(np.int64)
    ids, counts = np.unique(buckets, return_counts=True)
    return ids, counts.astype(np.float64)


@dataclass(frozen=True)
class CharNgrams:
    """Hashed counts of the word-bounded character n-grams of a text."""

    min_n: int = 2
    max_n: int = 5
    bits: int = 20
    fold_digits: bool = True
    max_chars: int = 2000

    def __post_init__(self) -> None:
        if not 1 <= self.min_n <= self.max_n or not 8 <= self.bits <= 30:
            raise ValueError("need 1 <= min_n <= max_n and 8 <= bits <= 30")

    @property
    def dim(self) -> int:
        return 1 << self.bits

    def hashes(self, text: str) -> U64:
        """The 64-bit hash of every n-gram occurrence."""
        ws = words(text[: self.max_chars], fold_digits=self.fold_digits)
        if not ws:
            return np.zeros(0, np.uint64)
        padded = " " + " ".join(ws) + " "
        cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        is_space = np.concatenate([[0], np.cumsum(cp == _SPACE)])
        length = cp.size
        parts: list[U64] = []
        for n in range(self.min_n, self.max_n + 1):
            count = length - n + 1
            if count <= 0:
                break
            h = np.full(count, np.uint64((_CHAR_SEED + n) & 0xFFFFFFFFFFFFFFFF))
            for j in range(n):
                h = h * _PRIME + cp[j : j + count]
            if n > 2:  # no space inside the n-gram (its first and last characters may be)
                start = np.arange(count)
                inner = is_space[start + n - 1] - is_space[start + 1]
                h = h[inner == 0]
            parts.append(h)
        return fmix64(np.concatenate(parts)) if parts else np.zeros(0, np.uint64)

    def counts(self, text: str) -> tuple[I64, NDArray[np.float64]]:
        """Sorted bucket ids and how often each occurs in ``text`` (read-only arrays)."""
        key = (self, text)
        found = _RECENT.get(key)
        if found is not None:
            return found
        return _RECENT.put(key, _bucket_counts(self.hashes(text), self.bits))


@dataclass(frozen=True)
class WordNgrams:
    """Hashed counts of word (or lemma) n-grams of a token sequence."""

    min_n: int = 1
    max_n: int = 2
    bits: int = 20

    def __post_init__(self) -> None:
        if not 1 <= self.min_n <= self.max_n or not 8 <= self.bits <= 30:
            raise ValueError("need 1 <= min_n <= max_n and 8 <= bits <= 30")

    @property
    def dim(self) -> int:
        return 1 << self.bits

    def hashes(self, tokens: Sequence[str]) -> U64:
        if not tokens:
            return np.zeros(0, np.uint64)
        base = np.array(
            [
                int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
                for t in tokens
            ],
            dtype=np.uint64,
        )
        parts: list[U64] = []
        for n in range(self.min_n, self.max_n + 1):
            count = base.size - n + 1
            if count <= 0:
                break
            h = np.full(count, np.uint64((_WORD_SEED + n) & 0xFFFFFFFFFFFFFFFF))
            for j in range(n):
                h = fmix64(h * _PRIME + base[j : j + count])
            parts.append(h)
        return np.concatenate(parts) if parts else np.zeros(0, np.uint64)

    def counts(self, tokens: Sequence[str]) -> tuple[I64, NDArray[np.float64]]:
        """Sorted bucket ids and how often each occurs in ``tokens`` (read-only arrays)."""
        key = (self, tuple(tokens))
        found = _RECENT.get(key)
        if found is not None:
            return found
        return _RECENT.put(key, _bucket_counts(self.hashes(tokens), self.bits))


def tf_values(counts: NDArray[np.float64]) -> NDArray[np.float64]:
    """Square-root term frequencies scaled to unit L2 norm (exact operations only)."""
    if counts.size == 0:
        return counts
    out: NDArray[np.float64] = np.sqrt(counts) / np.sqrt(np.sum(counts))
    return out


def rows_to_csr(rows: Sequence[tuple[I64, NDArray[np.float64]]], n_cols: int) -> sp.csr_matrix:
    """Stack (column ids, values) rows into a CSR matrix of ``n_cols`` columns."""
    indptr = np.zeros(len(rows) + 1, np.int64)
    for i, (ids, _) in enumerate(rows):
        indptr[i + 1] = indptr[i] + ids.size
    indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int64)
    data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))
