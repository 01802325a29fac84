"""Detection speed on synthetic 800-word articles (French and English): rules only vs full.

Prints the median CPU milliseconds of each rule stage, then the wall-clock median and p95 of
``detect_article`` with the rules alone (``RUDPRK_DETECTION=rules``), with the learned
decisions and their cascade (the shipped setting), and with the learned decisions always
embedding; then the memory the models add. Issue 7's target: median < 25 ms and p95 < 80 ms
per 800-word candidate article on 2 cores including embeddings; models < 300 MB.

    .venv/bin/python bench/detect.py [--articles 200] [--words 800]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from datetime import date

from alerts.dates import resolve_dates
from alerts.detect import detect_article
from alerts.detection.document import read_document
from alerts.detection.lexicon import default_lexicons
from alerts.figures import extract_quantities
from alerts.language import detect_language

SENTENCES = {
    "fr": [
        "Selon le renseignement sud-coréen, Pyongyang a envoyé {n} soldats supplémentaires dans la région russe de Koursk mardi.",
        "Le Kremlin a refusé de commenter ces informations, évoquant des « spéculations ».",
        "Les deux pays ont signé en juin 2024 un traité de partenariat stratégique global.",
        "Des analystes estiment que la coopération militaire pourrait encore s'intensifier l'an prochain.",
        "Le ministre russe de la Défense s'est rendu à Pyongyang pour des entretiens avec Kim Jong-un.",
        "La situation sur le front reste tendue, et les pertes seraient lourdes des deux côtés.",
        "Les marchés européens ont terminé la séance en légère hausse, portés par les valeurs technologiques.",
        "Le gouvernement a présenté un projet de loi sur le logement qui sera débattu à l'Assemblée.",
        "Environ {n} obus auraient été livrés depuis l'automne, selon des sources ukrainiennes.",
        "La météo s'annonce pluvieuse sur la moitié nord du pays pour le week-end.",
    ],
    "en": [
        "North Korea has sent {n} more troops to Russia's Kursk region, the NIS said on Monday.",
        "The Kremlin declined to comment, calling the reports speculation.",
        "The two countries signed a comprehensive strategic partnership treaty in June 2024.",
        "Analysts say military cooperation could deepen further next year.",
        "Russia's defence minister travelled to Pyongyang for talks with Kim Jong Un.",
        "Fighting on the front remains intense, with heavy losses reported on both sides.",
        "European stocks closed slightly higher, lifted by technology shares.",
        "The government unveiled a housing bill that will be debated in parliament next month.",
        "About {n} artillery shells have been delivered since the autumn, Ukrainian sources said.",
        "Forecasters expect heavy rain across the north of the country over the weekend.",
    ],
}


def make_article(rng: random.Random, lang: str, words: int) -> str:
    out: list[str] = []
    count = 0
    while count < words:
        sentence = rng.choice(SENTENCES[lang]).format(n=f"{rng.randint(1, 30) * 1000:,}")
        out.append(sentence)
        count += len(sentence.split())
    return " ".join(out)


def median_ms(fn, texts: list[tuple[str, str]]) -> float:  # type: ignore[no-untyped-def]
    """Median CPU time of one call (thread CPU clock: other processes on a busy machine
    do not inflate it the way they inflate wall time)."""
    times = []
    for text, lang in texts:
        t0 = time.thread_time()
        fn(text, lang)
        times.append((time.thread_time() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--words", type=int, default=800)
    args = parser.parse_args()
    rng = random.Random(7)
    texts = [
        (make_article(rng, lang, args.words), lang)
        for lang in ("fr", "en")
        for _ in range(args.articles // 2)
    ]
    published = date(2025, 1, 15)
    lexicons = default_lexicons()
    detect_article(texts[0][0], published=published)  # warm up: model and tables loaded once

    stages = {
        "language (py3langid, restricted)": lambda t, lang: detect_language(t),
        "lexicon scan (names + language)": lambda t, lang: lexicons.for_language(lang).matcher.find(
            t
        ),
        "document stage": lambda t, lang: read_document(t, lang=lang, published=published),
        "figures": lambda t, lang: extract_quantities(t, lang),
        "dates": lambda t, lang: resolve_dates(t, lang, published),
        "detect_article, language given": lambda t, lang: detect_article(
            t, lang=lang, published=published
        ),
        "detect_article, language detected": lambda t, lang: detect_article(t, published=published),
    }
    words = statistics.median(len(t.split()) for t, _ in texts)
    print(f"{len(texts)} synthetic articles (fr, en), median {words:.0f} words, one core")
    print(f"{'stage':<36} {'median CPU ms':>13} {'articles/s':>11}")
    for name, fn in stages.items():
        ms = median_ms(fn, texts)
        print(f"{name:<36} {ms:13.2f} {1000 / ms:11.0f}")
    import alerts.detection.decisions as decisions

    rss_before = _rss_mb()
    print(f"\n{'detect_article, wall clock':<44} {'median ms':>10} {'p95 ms':>8}")
    bands = decisions.cascade_bands
    for name, env, cascade in (
        ("rules only", "rules", True),
        ("learned, cascade (shipped)", "learned", True),
        ("learned, always embedding", "learned", False),
    ):
        os.environ["RUDPRK_DETECTION"] = env
        decisions.cascade_bands = bands if cascade else (lambda _version: {})  # type: ignore[assignment]
        detect_article(texts[0][0], lang=texts[0][1], published=published)  # load once
        times = []
        for text, lang in texts:
            t0 = time.perf_counter()
            detect_article(text, lang=lang, published=published)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95)]
        print(f"{name:<44} {statistics.median(times):10.2f} {p95:8.2f}")
    decisions.cascade_bands = bands  # type: ignore[assignment]
    os.environ.pop("RUDPRK_DETECTION", None)
    print(
        f"\nresident memory: {rss_before:.0f} MB with the rules, {_rss_mb():.0f} MB with the "
        f"models and the embedder loaded (peak {_peak_mb():.0f} MB)"
    )


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
