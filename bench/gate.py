"""The relevance gate of issue 13, against one compiled alternation and the full detector.

Entries are the real feed snapshots of ``../shared/corpus/feeds`` (title + summary, when that
folder is there), then synthetic feed items (title + a 300-word summary) in French, English,
Russian and Korean, one in twenty on the theme. Prints the median and p95 microseconds per
entry of:

* ``screen`` — the pyahocorasick automaton over every alias of every language;
* one compiled ``re`` alternation of the same aliases (case-insensitive, word-bounded);
* the old prefilter: the full detector's relevance on the entry (what ``is_candidate`` ran).

The target is < 50 µs per entry at p95 for the gate.

    .venv/bin/python bench/gate.py [--entries 2000] [--words 300]
"""

from __future__ import annotations

import argparse
import html
import random
import re
import statistics
import time
from pathlib import Path

from alerts.detect import detect_article
from alerts.detection.gate import default_gate
from alerts.detection.lexicon import default_lexicons

OFF_THEME = {
    "en": "The central bank left rates unchanged as inflation eased and markets rallied on technology shares while rain is expected in the north",
    "fr": "La banque centrale a laissé ses taux inchangés alors que l'inflation ralentit et que les marchés progressent portés par la technologie",
    "ru": "Центральный банк сохранил ставку, инфляция замедлилась, а рынки выросли благодаря технологическим компаниям и хорошей погоде",
    "ko": "중앙은행은 금리를 동결했고 물가 상승세가 둔화되면서 기술주 중심으로 증시가 올랐으며 주말에는 비가 예보됐다",
}
ON_THEME = {
    "en": "North Korea has sent 3,000 more troops to Russia's Kursk region, the NIS said on Monday",
    "fr": "Pyongyang a envoyé 3 000 soldats supplémentaires dans la région russe de Koursk, selon Séoul",
    "ru": "КНДР направила в Курскую область ещё три тысячи военных, сообщила южнокорейская разведка",
    "ko": "국정원은 북한이 러시아 쿠르스크에 병력 3천 명을 추가 파병했다고 밝혔다",
}


SNAPSHOTS = next(
    (
        p / "shared" / "corpus" / "feeds"
        for p in Path(__file__).resolve().parents[1:4]
        if (p / "shared" / "corpus" / "feeds").is_dir()
    ),
    Path("shared/corpus/feeds"),
)
_TAG_RE = re.compile(r"<[^>]+>")


def snapshot_entries() -> list[str]:
    """Title and summary of every entry of the real feed snapshots (empty without them)."""
    import feedparser  # type: ignore[import-untyped]

    entries: list[str] = []
    for path in sorted(SNAPSHOTS.rglob("*")) if SNAPSHOTS.is_dir() else []:
        if path.is_dir() or path.suffix == ".md":
            continue
        for e in feedparser.parse(path.read_bytes()).entries:
            summary = html.unescape(_TAG_RE.sub(" ", e.get("summary", "") or ""))
            entries.append(f"{e.get('title', '')}\n{summary}")
    return entries


def make_entry(rng: random.Random, lang: str, words: int, on_theme: bool) -> str:
    parts: list[str] = []
    while sum(len(p.split()) for p in parts) < words:
        parts.append(OFF_THEME[lang])
    if on_theme:
        parts.insert(rng.randrange(len(parts)), ON_THEME[lang])
    return ". ".join(parts)


def alternation() -> tuple[re.Pattern[str], dict[str, str]]:
    """One regular expression of every alias, the side of each alias by its lower-case form."""
    lexicons = default_lexicons()
    side_of: dict[str, str] = {}
    words: list[str] = []
    for label, patterns in lexicons.names.labelled.items():
        kind, _, ident = label.partition(":")
        entity = lexicons.entities.get(ident)
        if kind not in ("entity", "demonym") or entity is None or not entity.side:
            continue
        for p in patterns:
            if p.startswith("re:"):
                continue
            word = p.rstrip("*").lower()
            side_of[word] = entity.side
            words.append(re.escape(word) + (r"\w*" if p.endswith("*") else ""))
    words.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE), side_of


def timed(fn, entries: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for e in entries:
        t0 = time.perf_counter()
        fn(e)
        times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--words", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(13)
    langs = list(OFF_THEME)
    entries = [
        make_entry(rng, langs[i % len(langs)], args.words, on_theme=i % 20 == 0)
        for i in range(args.entries)
    ]
    t0 = time.perf_counter()
    gate = default_gate()
    built = time.perf_counter() - t0
    rx, side_of = alternation()

    def by_regex(text: str) -> bool:
        sides = {side_of.get(m.group(0).lower(), "") for m in rx.finditer(text)}
        return "KP" in sides and bool(sides & {"RU", "UA"})

    def by_detector(text: str) -> bool:
        rel = detect_article(text).relevance
        return rel.relevant or len({m.entity for m in rel.reasons}) >= 2

    def by_gate(text: str) -> bool:
        return gate.screen(text).candidate

    print(f"gate: {gate.size} keys in one automaton, built in {built * 1000:.0f} ms")
    real = snapshot_entries()
    for title, sample in (
        (f"{len(real)} real feed entries (../shared snapshots)", real),
        (f"{len(entries)} synthetic entries of ~{args.words} words, 1 in 20 on the theme", entries),
    ):
        if not sample:
            continue
        chars = sorted(len(e) for e in sample)
        print(f"\n{title}: median {chars[len(chars) // 2]} characters")
        print(f"{'prefilter':<44} {'median µs':>10} {'p95 µs':>10} {'candidates':>11}")
        for name, fn, part in (
            ("screen (pyahocorasick, every alias)", by_gate, sample),
            ("one compiled alternation (re)", by_regex, sample),
            ("full detector relevance (old is_candidate)", by_detector, sample[:300]),
        ):
            median, p95 = timed(fn, part)
            passed = sum(1 for e in part if fn(e))
            print(f"{name:<44} {median:10.1f} {p95:10.1f} {passed:>5}/{len(part)}")


if __name__ == "__main__":
    main()
