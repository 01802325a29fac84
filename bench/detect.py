"""Detection speed on synthetic 800-word articles (French and English): rules only vs full.

``--langs`` adds Russian, Korean, German or Polish articles (lemmatised by pymorphy3,
kiwipiepy and simplemma); the document stage is timed with lemmas and with them turned off
(``RUDPRK_MORPHOLOGY=off``), after the time each lemmatiser takes to load.

Prints the median CPU milliseconds of each rule stage, then the wall-clock median and p95 of
``detect_article`` with the rules alone (``RUDPRK_DETECTION=rules``), with the learned
decisions and their cascade (the shipped setting), and with the learned decisions always
embedding; then the memory the models add. Issue 7's target: median < 25 ms and p95 < 80 ms
per 800-word candidate article on 2 cores including embeddings; models < 300 MB.

    .venv/bin/python bench/detect.py [--articles 200] [--words 800] [--langs fr,en,ru,ko]
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
    "ru": [
        "По данным южнокорейской разведки, Пхеньян направил в Курскую область ещё {n} военнослужащих.",
        "В Кремле отказались комментировать эти сообщения, назвав их домыслами.",
        "В июне 2024 года стороны подписали договор о всеобъемлющем стратегическом партнёрстве.",
        "Эксперты полагают, что военное сотрудничество двух стран продолжит расширяться.",
        "Министр обороны России прибыл в Пхеньян для переговоров с Ким Чен Ыном.",
        "Обстановка на фронте остаётся напряжённой, обе стороны несут тяжёлые потери.",
        "Европейские биржи завершили торги небольшим ростом благодаря акциям технологических компаний.",
        "Правительство внесло законопроект о жилье, который депутаты обсудят в следующем месяце.",
        "С осени, по данным украинских источников, было доставлено около {n} артиллерийских снарядов.",
        "Синоптики обещают сильные дожди на севере страны в выходные.",
    ],
    "ko": [
        "국가정보원은 북한이 러시아 쿠르스크 지역에 병력 {n}명을 추가로 파병했다고 밝혔다.",
        "크렘린궁은 이 보도에 대해 추측에 불과하다며 논평을 거부했다.",
        "양국은 2024년 6월 포괄적 전략적 동반자 관계 조약을 체결했다.",
        "전문가들은 양국의 군사 협력이 내년에 더 깊어질 수 있다고 내다봤다.",
        "러시아 국방장관은 김정은 국무위원장과 회담하기 위해 평양을 방문했다.",
        "전선의 상황은 여전히 긴박하며 양측 모두 큰 손실을 입은 것으로 전해졌다.",
        "유럽 증시는 기술주 강세에 힘입어 소폭 상승 마감했다.",
        "정부는 다음 달 국회에서 논의될 주택 법안을 공개했다.",
        "우크라이나 소식통에 따르면 지난 가을 이후 포탄 약 {n}발이 전달됐다.",
        "기상청은 주말 동안 북부 지역에 많은 비가 내릴 것으로 예보했다.",
    ],
    "de": [
        "Nach Angaben des südkoreanischen Geheimdienstes hat Pjöngjang weitere {n} Soldaten in die russische Region Kursk geschickt.",
        "Der Kreml lehnte einen Kommentar ab und sprach von Spekulationen.",
        "Die beiden Länder unterzeichneten im Juni 2024 einen Vertrag über eine umfassende strategische Partnerschaft.",
        "Fachleute erwarten, dass sich die militärische Zusammenarbeit im kommenden Jahr vertieft.",
        "Der russische Verteidigungsminister reiste zu Gesprächen mit Kim Jong Un nach Pjöngjang.",
        "Die Lage an der Front bleibt angespannt, beide Seiten melden schwere Verluste.",
        "Die europäischen Börsen schlossen leicht im Plus, getragen von Technologiewerten.",
        "Die Regierung stellte ein Wohnungsgesetz vor, über das der Bundestag im nächsten Monat berät.",
        "Seit dem Herbst wurden nach ukrainischen Angaben rund {n} Artilleriegranaten geliefert.",
        "Für das Wochenende sagen die Meteorologen im Norden starken Regen voraus.",
    ],
    "pl": [
        "Według wywiadu Korei Południowej Pjongjang wysłał do obwodu kurskiego kolejnych {n} żołnierzy.",
        "Kreml odmówił komentarza, nazywając te doniesienia spekulacjami.",
        "W czerwcu 2024 roku oba państwa podpisały traktat o wszechstronnym partnerstwie strategicznym.",
        "Analitycy uważają, że współpraca wojskowa obu krajów może się jeszcze pogłębić.",
        "Rosyjski minister obrony przybył do Pjongjangu na rozmowy z Kim Dzong Unem.",
        "Sytuacja na froncie pozostaje napięta, obie strony ponoszą ciężkie straty.",
        "Europejskie giełdy zakończyły sesję niewielkim wzrostem dzięki spółkom technologicznym.",
        "Rząd przedstawił projekt ustawy mieszkaniowej, nad którym Sejm będzie debatował w przyszłym miesiącu.",
        "Od jesieni, według źródeł ukraińskich, dostarczono około {n} pocisków artyleryjskich.",
        "Synoptycy zapowiadają na weekend ulewne deszcze na północy kraju.",
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
    parser.add_argument("--langs", default="fr,en", help=f"from {','.join(SENTENCES)}")
    parser.add_argument(
        "--corpus",
        action="store_true",
        help="also time the document stage on the labelled corpus's full articles, by language",
    )
    args = parser.parse_args()
    langs = [code for code in args.langs.split(",") if code]
    unknown = sorted(set(langs) - set(SENTENCES))
    if unknown:
        parser.error(f"no synthetic sentences for {', '.join(unknown)}")
    rng = random.Random(7)
    texts = [
        (make_article(rng, lang, args.words), lang)
        for lang in langs
        for _ in range(args.articles // len(langs))
    ]
    published = date(2025, 1, 15)
    lexicons = default_lexicons()
    rss_start = _rss_mb()
    print(f"{'lemmatiser load':<36} {'seconds':>13}")
    for lang in langs:
        lexicon = lexicons.for_language(lang)
        t0 = time.perf_counter()
        lemmatiser = lexicon.lemmatiser()
        backend = lemmatiser.backend if lemmatiser is not None else "none"
        print(f"{lang + ' (' + backend + ')':<36} {time.perf_counter() - t0:13.2f}")
    print(f"memory added by the lemmatisers: {_rss_mb() - rss_start:.0f} MB\n")
    for text, lang in texts[: len(langs) * 4]:  # warm up: model, tables and word caches
        detect_article(text, lang=lang, published=published)

    stages = {
        "language (py3langid, restricted)": lambda t, lang: detect_language(t),
        "lexicon scan (names + language)": lambda t, lang: lexicons.for_language(lang).matcher.find(
            t
        ),
        "document stage": lambda t, lang: read_document(t, lang=lang, published=published),
        "document stage, lemmas off": lambda t, lang: _without_lemmas(
            read_document, t, lang=lang, published=published
        ),
        "figures": lambda t, lang: extract_quantities(t, lang),
        "dates": lambda t, lang: resolve_dates(t, lang, published),
        "detect_article, language given": lambda t, lang: detect_article(
            t, lang=lang, published=published
        ),
        "detect_article, language detected": lambda t, lang: detect_article(t, published=published),
    }
    words = statistics.median(len(t.split()) for t, _ in texts)
    print(
        f"{len(texts)} synthetic articles ({', '.join(langs)}), median {words:.0f} words, one core"
    )
    print(f"{'stage':<36} {'median CPU ms':>13} {'articles/s':>11}")
    for name, fn in stages.items():
        ms = median_ms(fn, texts)
        print(f"{name:<36} {ms:13.2f} {1000 / ms:11.0f}")
    print(f"\n{'document stage, by language':<36} {'lemmas ms':>13} {'off ms':>8}")
    for lang in langs:
        mine = [(t, code) for t, code in texts if code == lang]
        with_lemmas = median_ms(
            lambda t, code: read_document(t, lang=code, published=published), mine
        )
        without = median_ms(
            lambda t, code: _without_lemmas(read_document, t, lang=code, published=published),
            mine,
        )
        print(f"{lang:<36} {with_lemmas:13.2f} {without:8.2f}")
    if args.corpus:
        corpus_lemma_cost(published)
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


def corpus_lemma_cost(published: date) -> None:
    """The document stage on the corpus's full articles (real vocabulary, so the lemmatisers'
    word caches fill as they would on a feed), with lemmas and without."""
    from alerts.detection.corpus import load_corpus

    by_lang: dict[str, list[tuple[str, str]]] = {}
    for item in load_corpus():
        if item.format != "short":
            by_lang.setdefault(item.lang, []).append((item.text, item.lang))
    print(
        f"\n{'corpus full articles, document stage':<36} {'n':>5} {'lemmas ms':>10} {'off ms':>8}"
    )
    for lang, items in sorted(by_lang.items()):
        with_lemmas = median_ms(
            lambda t, code: read_document(t, lang=code, published=published), items
        )
        without = median_ms(
            lambda t, code: _without_lemmas(read_document, t, lang=code, published=published),
            items,
        )
        print(f"{lang:<36} {len(items):5d} {with_lemmas:10.2f} {without:8.2f}")


def _without_lemmas(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    os.environ["RUDPRK_MORPHOLOGY"] = "off"
    try:
        return fn(*args, **kwargs)
    finally:
        os.environ.pop("RUDPRK_MORPHOLOGY", None)


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
