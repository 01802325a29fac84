"""The learned decisions at run time: relevance, event type and novelty by the shipped heads.

The rule stages' outputs are the heads' features (:mod:`alerts.detection.features`); the heads
decide. A cascade keeps the cost down: each decision is first taken by its ``_fast`` head
(no embedding); when that head's probability for its answer is below the confidence the
cascade file names for it (``alerts/detection/cascade.json``, chosen on the validation split
by ``python -m alerts.detection.cascade``), the article's title and lead are embedded once and
the full heads decide. Without a model set (or with ``RUDPRK_DETECTION=rules``) the rules
decide alone.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from alerts.detection.features import FEATURE_NAMES, Analysis, evidence_tokens, rule_features
from alerts.detection.learn.features import Inputs, lead_of
from alerts.detection.learned import ModelSet, model_set, models_dir
from alerts.errors import ModelError

MODE_ENV = "RUDPRK_DETECTION"
CASCADE_FILE = Path(__file__).with_name("cascade.json")
DECISIONS = ("relevance", "event_type", "novelty")
FAST = "_fast"
EVIDENCE = "evidence"


@dataclass(frozen=True)
class Decision:
    """What the heads decided for one article, and how."""

    relevant: bool
    relevance: float  # P(relevant)
    event_type: str
    event_type_p: float
    novelty: str
    novelty_p: float
    model: str  # the model set's version
    embedded: bool  # the cascade needed the full heads for at least one decision


def mode() -> str:
    """``learned`` (default) or ``rules`` (``RUDPRK_DETECTION``)."""
    value = os.environ.get(MODE_ENV, "learned").strip().lower() or "learned"
    if value not in ("learned", "rules"):
        raise ModelError(f"{MODE_ENV}: expected 'learned' or 'rules', got {value!r}")
    return value


_lock = threading.Lock()
_state: dict[str, object] = {}


def _models() -> ModelSet | None:
    """The shipped model set when it has every head this module needs, else ``None``."""
    with _lock:
        if "models" not in _state:
            found: ModelSet | None = None
            if (models_dir() / "MANIFEST.json").exists():
                ms = model_set()
                wanted = {n for d in DECISIONS for n in (d, d + FAST)}
                found = ms if wanted <= set(ms.heads) else None
            _state["models"] = found
        models = _state["models"]
    return models if isinstance(models, ModelSet) else None


def cascade_bands(version: str) -> Mapping[str, float]:
    """Per decision, the fast head's confidence from which it decides alone (``{}``: always
    embed). Bands computed for another model set are ignored."""
    try:
        data = json.loads(CASCADE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("model_set_version") != version:
        return {}
    bands = data.get("confidence", {})
    return {k: float(v) for k, v in bands.items() if isinstance(v, int | float)}


def inputs_of(a: Analysis, title: str, text: str, lang: str) -> Inputs:
    return Inputs(
        title=title or "",
        lead=lead_of(text or ""),
        lang=lang or "",
        features=rule_features(a),
        tokens={EVIDENCE: evidence_tokens(a)},
    )


Embed = Callable[[Sequence[str], int], NDArray[np.float16]]


def head_probabilities(ms: ModelSet, name: str, inputs: Inputs, embed: Embed) -> dict[str, float]:
    head = ms.heads[name]
    x = head.features.transform([inputs], embed)
    p = head.model.predict_proba(x)[0]
    return {c: float(v) for c, v in zip(head.classes, p, strict=True)}


def _answer(ms: ModelSet, name: str, probs: Mapping[str, float]) -> tuple[str, float]:
    """The head's label (a binary head's threshold, else the most probable class) and the
    probability of that answer."""
    head = ms.heads[name]
    if head.positive is not None:
        positive = head.positive
        other = next(c for c in head.classes if c != positive)
        label = positive if probs[positive] >= head.thresholds[positive] else other
        return label, probs[label]
    label = max(head.classes, key=lambda c: probs[c])
    return label, probs[label]


def decide(a: Analysis, title: str, text: str, lang: str | None) -> Decision | None:
    """The heads' decisions for an analysed article (``None``: the rules decide)."""
    if mode() == "rules":
        return None
    ms = _models()
    if ms is None:
        return None
    inputs = inputs_of(a, title, text, lang or a.doc.language or "")
    bands = cascade_bands(ms.version)
    memo: dict[tuple[int, str], NDArray[np.float16]] = {}

    def embed(texts: Sequence[str], budget: int) -> NDArray[np.float16]:
        out = []
        for t in texts:
            if (budget, t) not in memo:
                memo[(budget, t)] = ms._embedder().embed([t], budget)[0].astype(np.float16)
            out.append(memo[(budget, t)])
        return np.stack(out)

    def no_embedding(texts: Sequence[str], budget: int) -> NDArray[np.float16]:
        raise ModelError("a fast head asked for an embedding")

    answers: dict[str, tuple[str, float]] = {}
    embedded = False
    for name in DECISIONS:
        fast = _answer(ms, name + FAST, head_probabilities(ms, name + FAST, inputs, no_embedding))
        band = bands.get(name)
        if band is not None and fast[1] >= band:
            answers[name] = fast
            continue
        answers[name] = _answer(ms, name, head_probabilities(ms, name, inputs, embed))
        embedded = True
    relevant_p = answers["relevance"][1]
    relevant = answers["relevance"][0] == "relevant"
    return Decision(
        relevant=relevant,
        relevance=relevant_p if relevant else 1.0 - relevant_p,
        event_type=answers["event_type"][0],
        event_type_p=answers["event_type"][1],
        novelty=answers["novelty"][0],
        novelty_p=answers["novelty"][1],
        model=ms.version,
        embedded=embedded,
    )


__all__ = ["FEATURE_NAMES", "Decision", "cascade_bands", "decide", "inputs_of", "mode"]
