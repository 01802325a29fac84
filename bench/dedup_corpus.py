"""The generated one-topic reports of bench/dedup.py: the same actors, places, verbs and
background paragraphs everywhere, running text from a Zipf vocabulary of made-up words, and the
edits that make a copy or a follow-up of a report. No article text is copied; seeds are fixed.
"""

from __future__ import annotations

import itertools
import random

SUBJECTS = [
    "North Korea",
    "Pyongyang",
    "Russia",
    "Moscow",
    "the Kremlin",
    "South Korea's spy agency",
    "the Pentagon",
    "Ukrainian military intelligence",
    "Kim Jong Un",
    "Vladimir Putin",
    "the Russian defence ministry",
    "Seoul",
    "a United Nations panel",
    "Sergei Shoigu",
    "the North Korean foreign ministry",
    "Japan's defence ministry",
]
VERBS = [
    "has sent",
    "plans to send",
    "denied sending",
    "is preparing to send",
    "agreed to supply",
    "said it had received",
    "is believed to have shipped",
    "pledged to deliver",
    "discussed sending",
    "confirmed the arrival of",
]
OBJECTS = [
    "{n} troops",
    "{n} military engineers",
    "{n} construction workers",
    "{n} artillery shells",
    "short-range ballistic missiles",
    "air defence systems",
    "{n} sappers",
    "a battalion of marines",
    "fuel and food aid",
    "rocket launchers",
    "drone components",
    "{n} tonnes of rice",
]
PLACES = [
    "to the Kursk region",
    "to Vladivostok",
    "across the Tumen river",
    "to the Far East",
    "to occupied Donetsk",
    "near the Ukrainian border",
    "to the Primorye region",
    "to training grounds in Russia",
    "through the port of Rajin",
    "by rail via Khasan",
]
TIMES = [
    "on Monday",
    "on Tuesday",
    "last week",
    "in November",
    "this spring",
    "since the summer",
    "over the past month",
    "earlier this year",
    "on Thursday",
    "in recent days",
]
ATTRIBUTIONS = [
    "officials said",
    "lawmakers were told",
    "a report said",
    "according to satellite images",
    "two sources said",
    "the agency said",
    "analysts said",
    "state media reported",
]
BACKGROUND = [
    "The two countries signed a comprehensive strategic partnership treaty in June 2024 that "
    "includes a clause on mutual military assistance in case of an attack on either side.",
    "Pyongyang and Moscow deny that weapons have been traded, although both governments have "
    "promised to deepen military cooperation.",
    "Western governments say North Korea has supplied millions of artillery shells to Russia "
    "since the start of the war.",
    "The road bridge across the Tumen river is due to open next year and will be the first road "
    "link between the two countries.",
    "North Korean troops were first reported in the Kursk region in the autumn of 2024.",
]
FILLER = [
    "meanwhile",
    "analysts",
    "cautioned",
    "further",
    "details",
    "remained",
    "unclear",
    "while",
    "diplomats",
    "in",
    "several",
    "capitals",
    "urged",
    "restraint",
    "and",
    "called",
    "for",
    "new",
    "talks",
    "on",
    "sanctions",
    "monitoring",
    "and",
    "shipping",
]


# The rest of a sentence: words of a 4,000-word vocabulary of made-up words drawn with Zipf
# frequencies, as the running text of real reports (measured on real wire copy, two reports of
# one story share a few per cent of their word 3-grams, not a quarter).
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
VOCABULARY = sorted(
    {"".join(random.Random(i).choices(_SYLLABLES, k=1 + i % 3)) for i in range(6000)}
)[:4000]
_CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


def clause(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=words))


def sentence(rng: random.Random) -> str:
    obj = rng.choice(OBJECTS).format(n=f"{rng.randrange(1, 200) * 100:,}")
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {obj} {rng.choice(PLACES)} "
        f"{rng.choice(TIMES)}, {clause(rng, rng.randint(6, 14))}, {rng.choice(ATTRIBUTIONS)}."
    )


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def report(rng: random.Random) -> tuple[str, list[str]]:
    """A title and paragraphs on the one topic, with background boilerplate now and then."""
    paras = [paragraph(rng) for _ in range(rng.randint(5, 8))]
    for _ in range(rng.choice((0, 1, 1, 2))):
        paras.insert(rng.randrange(1, len(paras) + 1), rng.choice(BACKGROUND))
    return sentence(rng).rstrip("."), paras


def change_words(paras: list[str], share: float, rng: random.Random) -> list[str]:
    words = " ".join(paras).split(" ")
    for i in rng.sample(range(len(words)), int(share * len(words))):
        words[i] = rng.choice(FILLER)
    return [" ".join(words)]


def _edit(kind: str, title: str, paras: list[str], rng: random.Random) -> tuple[str, list[str]]:
    if kind == "edited title":
        return title + ", " + rng.choice(ATTRIBUTIONS), paras
    if kind == "added paragraph":
        return title, [*paras, paragraph(rng)]
    if kind == "reordered":
        return title, rng.sample(paras, len(paras))
    if kind == "truncated":
        return title, paras[: max(2, round(len(paras) * 0.65))]
    if kind == "5% words changed":
        return title, change_words(paras, 0.05, rng)
    if kind == "10% words changed":
        return title, change_words(paras, 0.10, rng)
    if kind == "wire credit, one sentence reworded":
        edited = list(paras)
        edited[1] = sentence(rng) + " " + edited[1].split(". ", 1)[-1]
        return title + " (AFP)", [*edited, "(With AFP)"]
    if kind == "follow-up reusing ~40%":
        keep = max(2, round(len(paras) * 0.4))
        return sentence(rng).rstrip("."), paras[:keep] + [paragraph(rng) for _ in range(keep)]
    raise ValueError(kind)


COPY_KINDS = [
    "edited title",
    "added paragraph",
    "reordered",
    "truncated",
    "5% words changed",
    "10% words changed",
    "wire credit, one sentence reworded",
]
NEGATIVE_KIND = "follow-up reusing ~40%"


def as_text(title: str, paras: list[str]) -> str:
    return title + "\n" + "\n".join(paras)
