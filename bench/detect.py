"""Detection speed on synthetic 800-word articles (French and English), one core.

Prints the median milliseconds per article and articles per second for ``detect_article``
(language identification, alias and vocabulary scan, figures, dates, events), and the same
for its stages. The target of issue 3 is a median under 5 ms per 800-word article.

    .venv/bin/python bench/detect.py [--articles 200] [--words 800]
"""

from __future__ import annotations

import argparse
import random
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
    t0, c0 = time.perf_counter(), time.thread_time()
    for text, _lang in texts:
        detect_article(text, published=published)
    wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
    print(
        f"throughput, detect_article end to end: {len(texts) / cpu:.0f} articles/s of CPU "
        f"({len(texts) / wall:.0f}/s wall clock on this machine now)"
    )


if __name__ == "__main__":
    main()
