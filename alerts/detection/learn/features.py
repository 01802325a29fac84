"""Feature blocks: what a head sees of an item, the same at training and at run time.

A head's input is an :class:`Inputs`: the title, the lead, the language, and optional named
numbers (rule outputs, framing, …) and token lists (lemmas, …) supplied by the caller. A
:class:`FeatureSet` is an ordered list of blocks, each turning inputs into columns of one
sparse matrix:

* ``embedding`` — multilingual-e5-small of title + lead, cut to a token budget, standardised;
* ``char_ngrams`` — hashed word-bounded character n-grams of title + lead;
* ``word_ngrams`` — hashed word n-grams of title + lead, or of a named token list (lemmas);
* ``dense`` — named numbers from :attr:`Inputs.features`, standardised;
* ``language`` — one column per language seen in training.

Each block has a weight (its columns are multiplied by it, so blocks are balanced under one
L2 penalty), a JSON spec for the manifest and fitted arrays (standardiser, kept hash columns)
for the ``.npz``. Hashed columns seen in fewer than ``min_df`` training items are dropped, so
the stored weights hold only columns that training could learn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from alerts.detection.learn.embedder import DIM
from alerts.detection.learn.hashing import CharNgrams, WordNgrams, rows_to_csr, tf_values, words
from alerts.detection.learn.logistic import Standardizer
from alerts.errors import ModelError

EmbedFn = Callable[[Sequence[str], int], NDArray[np.float16]]
Arrays = dict[str, NDArray[Any]]


@dataclass(frozen=True)
class Inputs:
    """What a head is given about one article."""

    title: str
    lead: str
    lang: str
    features: Mapping[str, float] = field(default_factory=dict)
    tokens: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @property
    def title_lead(self) -> str:
        """Title and lead on two lines (the lead alone when there is no title)."""
        parts = [p.strip() for p in (self.title, self.lead) if p and p.strip()]
        return "\n".join(parts)


def _standardise(block: NDArray[np.float64], std: Standardizer | None) -> NDArray[np.float64]:
    if std is None:
        raise ModelError("feature block used before it was fitted")
    return std.transform(block)


class Block(Protocol):
    kind: str
    weight: float

    def spec(self) -> dict[str, Any]: ...
    def arrays(self) -> Arrays: ...
    def width(self) -> int: ...
    def fit(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix: ...
    def transform(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix: ...


@dataclass
class EmbeddingBlock:
    """e5 vector of title + lead (``budget`` tokens at most), standardised, scaled by
    ``weight / sqrt(384)`` so that the block's rows have a norm of about ``weight``."""

    budget: int = 64
    weight: float = 1.0
    model: str = ""
    std: Standardizer | None = None
    kind: str = "embedding"

    def spec(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "budget": self.budget,
            "weight": self.weight,
            "model": self.model,
        }

    def arrays(self) -> Arrays:
        assert self.std is not None
        return {
            "mean": self.std.mean.astype(np.float32),
            "scale": self.std.scale.astype(np.float32),
        }

    def width(self) -> int:
        return DIM

    def _raw(self, inputs: Sequence[Inputs], embed: EmbedFn) -> NDArray[np.float64]:
        vectors = embed([i.title_lead for i in inputs], self.budget)
        return np.asarray(vectors, np.float16).astype(np.float64)

    def _scaled(self, raw: NDArray[np.float64]) -> sp.csr_matrix:
        factor = self.weight / math.sqrt(DIM)
        return sp.csr_matrix(_standardise(raw, self.std) * factor)

    def fit(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        raw = self._raw(inputs, embed)
        self.std = Standardizer.fit(raw)
        return self._scaled(raw)

    def transform(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        return self._scaled(self._raw(inputs, embed))


def _keep(
    ids: NDArray[np.int64], values: NDArray[np.float64], columns: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    pos = np.searchsorted(columns, ids)
    pos_clipped = np.minimum(pos, max(columns.size - 1, 0))
    hit = (
        (pos < columns.size) & (columns[pos_clipped] == ids)
        if columns.size
        else np.zeros(ids.size, bool)
    )
    return pos[hit].astype(np.int64), values[hit]


@dataclass
class _HashedBlock:
    weight: float = 1.0
    min_df: int = 2
    columns: NDArray[np.int64] | None = None

    def _rows(
        self, inputs: Sequence[Inputs]
    ) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
        raise NotImplementedError

    def arrays(self) -> Arrays:
        assert self.columns is not None
        return {"columns": self.columns.astype(np.int64)}

    def width(self) -> int:
        assert self.columns is not None
        return int(self.columns.size)

    def _matrix(self, rows: list[tuple[NDArray[np.int64], NDArray[np.float64]]]) -> sp.csr_matrix:
        if self.columns is None:
            raise ModelError("feature block used before it was fitted")
        kept = [_keep(ids, tf_values(counts) * self.weight, self.columns) for ids, counts in rows]
        return rows_to_csr(kept, int(self.columns.size))

    def fit(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        rows = self._rows(inputs)
        if rows and any(r[0].size for r in rows):
            ids, df = np.unique(np.concatenate([r[0] for r in rows]), return_counts=True)
            self.columns = ids[df >= self.min_df].astype(np.int64)
        else:
            self.columns = np.zeros(0, np.int64)
        return self._matrix(rows)

    def transform(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        return self._matrix(self._rows(inputs))


@dataclass
class CharNgramBlock(_HashedBlock):
    """Hashed character n-grams of title + lead."""

    hasher: CharNgrams = field(default_factory=CharNgrams)
    kind: str = "char_ngrams"

    def spec(self) -> dict[str, Any]:
        h = self.hasher
        return {
            "kind": self.kind,
            "weight": self.weight,
            "min_df": self.min_df,
            "min_n": h.min_n,
            "max_n": h.max_n,
            "bits": h.bits,
            "fold_digits": h.fold_digits,
            "max_chars": h.max_chars,
        }

    def _rows(
        self, inputs: Sequence[Inputs]
    ) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
        return [self.hasher.counts(i.title_lead) for i in inputs]


@dataclass
class WordNgramBlock(_HashedBlock):
    """Hashed word n-grams of title + lead (``source="words"``) or of ``Inputs.tokens[source]``."""

    source: str = "words"
    hasher: WordNgrams = field(default_factory=WordNgrams)
    kind: str = "word_ngrams"

    def spec(self) -> dict[str, Any]:
        h = self.hasher
        return {
            "kind": self.kind,
            "weight": self.weight,
            "min_df": self.min_df,
            "source": self.source,
            "min_n": h.min_n,
            "max_n": h.max_n,
            "bits": h.bits,
        }

    def _tokens(self, item: Inputs) -> Sequence[str]:
        if self.source == "words":
            return words(item.title_lead)
        if self.source not in item.tokens:
            raise ModelError(f"token list {self.source!r} not supplied to the model")
        return item.tokens[self.source]

    def _rows(
        self, inputs: Sequence[Inputs]
    ) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
        return [self.hasher.counts(self._tokens(i)) for i in inputs]


@dataclass
class DenseBlock:
    """Named numbers (rule outputs) from ``Inputs.features``, standardised."""

    names: tuple[str, ...] = ()
    weight: float = 1.0
    std: Standardizer | None = None
    kind: str = "dense"

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "weight": self.weight, "names": list(self.names)}

    def arrays(self) -> Arrays:
        assert self.std is not None
        return {
            "mean": self.std.mean.astype(np.float32),
            "scale": self.std.scale.astype(np.float32),
        }

    def width(self) -> int:
        return len(self.names)

    def _raw(self, inputs: Sequence[Inputs]) -> NDArray[np.float64]:
        out = np.zeros((len(inputs), len(self.names)))
        for r, item in enumerate(inputs):
            missing = [n for n in self.names if n not in item.features]
            if missing:
                raise ModelError(f"features not supplied to the model: {', '.join(missing)}")
            out[r] = [float(item.features[n]) for n in self.names]
        if not np.all(np.isfinite(out)):
            raise ModelError("a supplied feature is not a finite number")
        return out

    def fit(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        raw = self._raw(inputs)
        self.std = Standardizer.fit(raw)
        return sp.csr_matrix(_standardise(raw, self.std) * self.weight)

    def transform(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        return sp.csr_matrix(_standardise(self._raw(inputs), self.std) * self.weight)


@dataclass
class LanguageBlock:
    """One column per language seen in training (value ``weight``); others get none."""

    weight: float = 1.0
    langs: tuple[str, ...] = ()
    kind: str = "language"

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "weight": self.weight, "langs": list(self.langs)}

    def arrays(self) -> Arrays:
        return {}

    def width(self) -> int:
        return len(self.langs)

    def transform(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        index = {lang: i for i, lang in enumerate(self.langs)}
        rows = []
        for item in inputs:
            col = index.get(item.lang)
            rows.append(
                (np.array([col], np.int64), np.array([self.weight]))
                if col is not None
                else (np.zeros(0, np.int64), np.zeros(0))
            )
        return rows_to_csr(rows, len(self.langs))

    def fit(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        self.langs = tuple(sorted({i.lang for i in inputs}))
        return self.transform(inputs, embed)


def block_from_spec(spec: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> Block:
    """Rebuild a fitted block from its manifest spec and its arrays (keys without prefix)."""
    kind = spec.get("kind")
    try:
        if kind == "embedding":
            return EmbeddingBlock(
                budget=int(spec["budget"]),
                weight=float(spec["weight"]),
                model=str(spec["model"]),
                std=Standardizer(
                    arrays["mean"].astype(np.float64), arrays["scale"].astype(np.float64)
                ),
            )
        if kind == "char_ngrams":
            return CharNgramBlock(
                weight=float(spec["weight"]),
                min_df=int(spec["min_df"]),
                columns=arrays["columns"].astype(np.int64),
                hasher=CharNgrams(
                    min_n=int(spec["min_n"]),
                    max_n=int(spec["max_n"]),
                    bits=int(spec["bits"]),
                    fold_digits=bool(spec["fold_digits"]),
                    max_chars=int(spec["max_chars"]),
                ),
            )
        if kind == "word_ngrams":
            return WordNgramBlock(
                weight=float(spec["weight"]),
                min_df=int(spec["min_df"]),
                columns=arrays["columns"].astype(np.int64),
                source=str(spec["source"]),
                hasher=WordNgrams(
                    min_n=int(spec["min_n"]), max_n=int(spec["max_n"]), bits=int(spec["bits"])
                ),
            )
        if kind == "dense":
            return DenseBlock(
                names=tuple(str(n) for n in spec["names"]),
                weight=float(spec["weight"]),
                std=Standardizer(
                    arrays["mean"].astype(np.float64), arrays["scale"].astype(np.float64)
                ),
            )
        if kind == "language":
            return LanguageBlock(
                weight=float(spec["weight"]), langs=tuple(str(x) for x in spec["langs"])
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"feature block {kind!r}: bad spec or arrays ({exc})") from None
    raise ModelError(f"unknown feature block kind {kind!r}")


@dataclass
class FeatureSet:
    """The ordered blocks of one head; columns of block ``i`` follow those of block ``i-1``."""

    blocks: list[Block]

    def fit(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        return _hstack([b.fit(inputs, embed) for b in self.blocks], len(inputs))

    def transform(self, inputs: Sequence[Inputs], embed: EmbedFn) -> sp.csr_matrix:
        return _hstack([b.transform(inputs, embed) for b in self.blocks], len(inputs))

    def specs(self) -> list[dict[str, Any]]:
        return [b.spec() for b in self.blocks]

    def arrays(self) -> Arrays:
        return {f"b{i}.{k}": v for i, b in enumerate(self.blocks) for k, v in b.arrays().items()}

    @property
    def width(self) -> int:
        return sum(b.width() for b in self.blocks)

    @classmethod
    def load(
        cls, specs: Sequence[Mapping[str, Any]], arrays: Mapping[str, NDArray[Any]]
    ) -> FeatureSet:
        blocks: list[Block] = []
        for i, spec in enumerate(specs):
            prefix = f"b{i}."
            own = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            blocks.append(block_from_spec(spec, own))
        return cls(blocks)


def _hstack(parts: list[sp.csr_matrix], n: int) -> sp.csr_matrix:
    if not parts:
        return sp.csr_matrix((n, 0))
    out = sp.hstack(parts, format="csr", dtype=np.float64)
    out.sort_indices()
    return sp.csr_matrix(out)


LEAD_MIN_CHARS = 300


def lead_of(text: str, min_chars: int = LEAD_MIN_CHARS) -> str:
    """The lead of a body: its first paragraphs (blank-line separated) until ``min_chars``
    characters are reached; a short item (one paragraph) is its own lead."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    out: list[str] = []
    size = 0
    for p in paragraphs:
        out.append(p)
        size += len(p)
        if size >= min_chars:
            break
    return "\n".join(out)
