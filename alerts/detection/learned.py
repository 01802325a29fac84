"""Run-time scoring with the shipped model set (``alerts/detection/models/``).

:func:`scores` gives the probabilities of every head for one article::

    s = scores(title, lead, "fr", extra_features={...})
    s["relevance"].probability("relevant"), s["relevance"].decided   # threshold from validation
    s["event_type"].label, s["novelty"].probabilities

The model set is loaded once per process, on first use, and checked against its manifest
(every problem is one :class:`~alerts.errors.ModelError` naming the file). Heads that share an
embedding spec share one embedding call per article. ``RUDPRK_MODELS_DIR`` points at another
model folder (one written by ``rudprk train --out``); ``RUDPRK_EMBED_THREADS`` (default 1)
sets the embedder's thread count, read at first load. One thread, because an embedding is a
title and a lead (32 tokens): on a busy machine a second OpenMP thread waits for a core at
every step, and one call took 640 ms on two threads against 86 ms on one (bench/coldpass.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from alerts.detection.learn.bundle import FORMAT_VERSION, load_bundle, read_json, sha256_file
from alerts.detection.learn.embedder import Embedder, model_id
from alerts.detection.learn.features import EmbeddingBlock, FeatureSet, Inputs
from alerts.detection.learn.logistic import LogisticRegression
from alerts.errors import ModelError

DEFAULT_MODELS_DIR = Path(__file__).with_name("models")
MANIFEST = "MANIFEST.json"
DEFAULT_THREADS = 1


def models_dir() -> Path:
    """``RUDPRK_MODELS_DIR`` when set, else the shipped folder."""
    raw = os.environ.get("RUDPRK_MODELS_DIR", "").strip()
    return Path(raw) if raw else DEFAULT_MODELS_DIR


def embed_threads() -> int:
    raw = os.environ.get("RUDPRK_EMBED_THREADS", "").strip()
    if not raw:
        return DEFAULT_THREADS
    try:
        value = int(raw)
    except ValueError:
        raise ModelError(f"RUDPRK_EMBED_THREADS: expected a whole number, got {raw!r}") from None
    if not 1 <= value <= 64:
        raise ModelError(f"RUDPRK_EMBED_THREADS: must be between 1 and 64, got {value}")
    return value


@dataclass(frozen=True)
class HeadScores:
    """One head's output for one article."""

    head: str
    classes: tuple[str, ...]
    probabilities: Mapping[str, float]
    label: str  # the decision: thresholded positive class for binary heads, else argmax
    decided: bool  # binary heads: the positive probability reached the threshold
    thresholds: Mapping[str, float]

    def probability(self, cls: str) -> float:
        return self.probabilities[cls]


@dataclass(frozen=True)
class ModelScores:
    """Every head's scores for one article, by head name."""

    model_set_version: str
    heads: Mapping[str, HeadScores]

    def __getitem__(self, name: str) -> HeadScores:
        return self.heads[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.heads)


@dataclass
class _LoadedHead:
    name: str
    classes: tuple[str, ...]
    positive: str | None
    thresholds: dict[str, float]
    features: FeatureSet
    model: LogisticRegression
    model_version: str


class ModelSet:
    """A loaded, checked model folder."""

    def __init__(self, directory: Path, embedder: Embedder | None = None) -> None:
        self.directory = Path(directory)
        manifest_path = self.directory / MANIFEST
        manifest = read_json(manifest_path)
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"{manifest_path}: format version {manifest.get('format_version')!r}, "
                f"this program reads {FORMAT_VERSION}"
            )
        heads = manifest.get("heads")
        if not isinstance(heads, dict) or not heads:
            raise ModelError(f"{manifest_path}: lists no heads")
        self.manifest = manifest
        self.version = str(manifest.get("model_set_version"))
        wanted = manifest.get("embedding_models", [])
        if wanted and model_id() not in wanted:
            raise ModelError(
                f"{manifest_path}: trained with {', '.join(wanted)}, but {model_id()} is installed"
            )
        self.heads: dict[str, _LoadedHead] = {}
        for name, entry in sorted(heads.items()):
            json_path = self.directory / f"{name}.json"
            if json_path.exists() and sha256_file(json_path) != entry.get("json_sha256"):
                raise ModelError(f"{json_path}: does not match {manifest_path} (mixed model sets?)")
            bundle = load_bundle(self.directory, name, required=("thresholds",))
            m = bundle.manifest
            try:
                classes = tuple(str(c) for c in m["classes"])
                features = FeatureSet.load(m["features"], bundle.arrays)
                model = LogisticRegression()
                model.set_weights(bundle.arrays["coef"], bundle.arrays["intercept"])
            except (KeyError, TypeError, ValueError, ModelError) as exc:
                raise ModelError(f"{bundle.json_path}: cannot build the model ({exc})") from None
            if model.coef_.shape[0] != features.width or model.n_classes != len(classes):
                raise ModelError(
                    f"{bundle.json_path}: weights {model.coef_.shape} do not fit "
                    f"{features.width} feature columns and {len(classes)} classes"
                )
            self.heads[name] = _LoadedHead(
                name=name,
                classes=classes,
                positive=m.get("positive"),
                thresholds={str(k): float(v) for k, v in m["thresholds"].items()},
                features=features,
                model=model,
                model_version=str(m["model_version"]),
            )
        self.embedder = embedder

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            self.embedder = Embedder(threads=embed_threads())
        return self.embedder

    @property
    def uses_embeddings(self) -> bool:
        return any(
            isinstance(b, EmbeddingBlock) for h in self.heads.values() for b in h.features.blocks
        )

    def scores(
        self,
        title: str,
        lead: str,
        lang: str,
        extra_features: Mapping[str, float] | None = None,
        extra_tokens: Mapping[str, Sequence[str]] | None = None,
    ) -> ModelScores:
        inputs = Inputs(
            title=title or "",
            lead=lead or "",
            lang=lang or "",
            features=dict(extra_features or {}),
            tokens=dict(extra_tokens or {}),
        )
        memo: dict[tuple[int, str], NDArray[np.float16]] = {}

        def embed(texts: Sequence[str], budget: int) -> NDArray[np.float16]:
            out = []
            for t in texts:
                if (budget, t) not in memo:
                    vec = self._embedder().embed([t], budget)[0]
                    memo[(budget, t)] = vec.astype(np.float16)
                out.append(memo[(budget, t)])
            return np.stack(out)

        result: dict[str, HeadScores] = {}
        for name, head in self.heads.items():
            x = head.features.transform([inputs], embed)
            p = head.model.predict_proba(x)[0]
            probs = {c: float(v) for c, v in zip(head.classes, p, strict=True)}
            if head.positive is not None:
                decided = probs[head.positive] >= head.thresholds[head.positive]
                other = next(c for c in head.classes if c != head.positive)
                label = head.positive if decided else other
            else:
                label = head.classes[int(np.argmax(p))]
                decided = probs[label] >= head.thresholds.get(label, 0.0)
            result[name] = HeadScores(
                head=name,
                classes=head.classes,
                probabilities=probs,
                label=label,
                decided=decided,
                thresholds=dict(head.thresholds),
            )
        return ModelScores(model_set_version=self.version, heads=result)


_lock = threading.Lock()
_loaded: dict[Path, ModelSet] = {}


def model_set(directory: Path | None = None) -> ModelSet:
    """The model set of ``directory`` (default :func:`models_dir`), loaded once per process."""
    path = Path(directory) if directory is not None else models_dir()
    with _lock:
        if path not in _loaded:
            _loaded[path] = ModelSet(path)
        return _loaded[path]


def scores(
    title: str,
    lead: str,
    lang: str,
    extra_features: Mapping[str, float] | None = None,
    extra_tokens: Mapping[str, Sequence[str]] | None = None,
) -> ModelScores:
    """Probabilities of every shipped head for one article (title, lead = first paragraphs,
    language code; ``extra_features`` / ``extra_tokens`` for heads trained with rule features
    or lemma n-grams)."""
    return model_set().scores(title, lead, lang, extra_features, extra_tokens)


def model_set_info(directory: Path | None = None) -> dict[str, Any] | None:
    """Version, corpus digest and heads of a model folder from its manifest alone (no
    arrays loaded); ``None`` when the folder has no readable manifest."""
    path = (Path(directory) if directory is not None else models_dir()) / MANIFEST
    try:
        manifest = read_json(path)
    except ModelError:
        return None
    return {
        "version": manifest.get("model_set_version"),
        "corpus_digest": manifest.get("corpus_digest"),
        "heads": sorted(manifest.get("heads", {})),
        "path": str(path.parent),
    }
