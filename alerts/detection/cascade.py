"""Choose the cascade's confidence bands on the validation split: ``python -m alerts.detection.cascade``.

For each decision (relevance, event type, novelty) the fast head (no embedding) decides alone
when its probability for its answer reaches a confidence; below it the full head decides. The
confidence chosen is the lowest of a fixed grid at which the cascade is right on the
validation split at least as often as the full head alone (so the cascade never costs accuracy
on validation), which embeds the fewest articles. The result goes to
``alerts/detection/cascade.json`` with the model set's version; the run time ignores a file
made for another model set. The same models and corpus give the same file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from alerts.detection.corpus import DEFAULT_CORPUS_DIR, CorpusItem, load_corpus
from alerts.detection.decisions import CASCADE_FILE, DECISIONS, FAST, _answer, head_probabilities
from alerts.detection.heads import rule_inputs
from alerts.detection.learn.splits import assign, group_of
from alerts.detection.learned import ModelSet
from alerts.detection.training import DEFAULT_SEED, registered_heads

GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99, 1.01)


def choose_bands(
    ms: ModelSet, items: Sequence[CorpusItem], seed: int = DEFAULT_SEED
) -> dict[str, Any]:
    split = assign([group_of(i.event_key, i.id) for i in items], seed)
    validation = [i for i, s in zip(items, split, strict=True) if s == "validation"]
    heads = {h.name: h for h in registered_heads()}
    memo: dict[tuple[int, str], NDArray[np.float16]] = {}

    def embed(texts: Sequence[str], budget: int) -> NDArray[np.float16]:
        out = []
        for t in texts:
            if (budget, t) not in memo:
                memo[(budget, t)] = ms._embedder().embed([t], budget)[0].astype(np.float16)
            out.append(memo[(budget, t)])
        return np.stack(out)

    confidence: dict[str, float] = {}
    report: dict[str, Any] = {}
    for name in DECISIONS:
        rows = []
        for item in validation:
            gold = heads[name].label(item)
            if gold is None:
                continue
            inputs = rule_inputs(item)
            fast = _answer(ms, name + FAST, head_probabilities(ms, name + FAST, inputs, embed))
            full = _answer(ms, name, head_probabilities(ms, name, inputs, embed))
            rows.append((gold, fast, full))
        full_right = sum(g == full[0] for g, _f, full in rows)
        chosen = GRID[-1]
        for level in GRID:
            right = sum(g == (f[0] if f[1] >= level else full[0]) for g, f, full in rows)
            if right >= full_right:
                chosen = level
                break
        skipped = sum(f[1] >= chosen for _g, f, _full in rows)
        confidence[name] = chosen
        report[name] = {
            "items": len(rows),
            "full_accuracy": round(full_right / max(1, len(rows)), 4),
            "cascade_accuracy": round(
                sum(g == (f[0] if f[1] >= chosen else full[0]) for g, f, full in rows)
                / max(1, len(rows)),
                4,
            ),
            "decided_without_embedding": round(skipped / max(1, len(rows)), 4),
        }
    return {
        "model_set_version": ms.version,
        "seed": seed,
        "confidence": confidence,
        "validation": report,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=Path, default=None, help="model folder (default: shipped)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--out", type=Path, default=CASCADE_FILE)
    args = parser.parse_args(argv)
    from alerts.detection.learned import models_dir

    ms = ModelSet(args.models or models_dir())
    result = choose_bands(ms, load_corpus(args.corpus))
    text = json.dumps(result, indent=1, sort_keys=True) + "\n"
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
