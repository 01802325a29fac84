"""Number words per language, read from the generated tables in ``alerts/figures/data``.

The tables are written by ``python -m alerts.figures.build`` (num2words, pymorphy3, simplemma,
CLDR); this module only reads them and composes values: words ("шести тысяч", "pięciu
tysięcy", "ثلاثة آلاف") and Chinese and Japanese numerals ("三千", "1万2千", "两百").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alerts.wordtables import LANGUAGES, load_table

__all__ = [
    "LANGUAGES",
    "NumberWords",
    "cjk_value",
    "number_words",
    "scale_words",
    "words_value",
]

_DATA = Path(__file__).with_name("data")
# Languages whose number words this package composes itself (text2num reads fr/en/es/pt/de/it).
COMPOSED = frozenset({"ru", "uk", "pl", "ar"})
CJK = frozenset({"ja", "zh"})
# Text labelled with one of these is often in the other: their words are read in both.
_POOLED = {"ru": ("ru", "uk"), "uk": ("uk", "ru")}


@dataclass(frozen=True)
class NumberWords:
    """One language's number words: values, multipliers, connectors and numeral characters."""

    code: str
    numbers: dict[str, int]
    scales: dict[str, int]
    connectors: frozenset[str]
    compound_parts: frozenset[str]
    after_digits: dict[str, int]
    cjk_digits: dict[str, int]
    cjk_multipliers: dict[str, int]


@cache
def number_words(code: str) -> NumberWords:
    """The generated number words of ``code`` (one of :data:`LANGUAGES`)."""
    table = load_table(_DATA / f"{code}.toml")

    def ints(name: str) -> dict[str, int]:
        return {str(k): int(v) for k, v in table.get(name, {}).items()}

    return NumberWords(
        code=code,
        numbers=ints("numbers"),
        scales=ints("scales"),
        connectors=frozenset(table.get("connectors", {})),
        compound_parts=frozenset(table.get("compound_parts", {})),
        after_digits=ints("after_digits"),
        cjk_digits=ints("cjk_digits"),
        cjk_multipliers=ints("cjk_multipliers"),
    )


def _written_words(code: str) -> dict[str, int]:
    nw = number_words(code)
    words = dict(nw.after_digits)
    for word, mult in nw.scales.items():
        words.setdefault(word, mult)
    return {w: m for w, m in words.items() if not any(ch.isdigit() for ch in w)}


@cache
def scale_words(code: str) -> dict[str, int]:
    """Scale words read after digits in ``code`` text ("12 тисяч", "1,5 Mio.", "3 हज़ार"):
    the language's own (Russian and Ukrainian pooled), then English's; every language's when
    ``code`` is empty. A word with two values ("billion": 10⁹ in English, 10¹² in French)
    keeps its own language's, else the smaller."""
    own = _POOLED.get(code, (code,)) if code in LANGUAGES else ()
    others = ("en",) if code in LANGUAGES else LANGUAGES
    out: dict[str, int] = {}
    for c in others:
        for word, mult in _written_words(c).items():
            out[word] = min(mult, out.get(word, mult))
    for c in reversed(own):  # the language's own meaning last, so it stands
        out.update(_written_words(c))
    return out


def words_value(words: list[str], nw: NumberWords) -> tuple[int, int] | None:
    """The value of a run of number words in a composed language, and the multiplier of its
    last scale word (1 if none): "шести тысяч" -> (6000, 1000). Arabic "و" (and) may be glued
    to the next word ("وثلاثون"). None when a word is not a number word or the run is a lone
    "one" (an article or pronoun as often as a figure)."""
    total = 0
    current = 0
    scale = 1
    seen = 0
    for raw in words:
        word = raw
        if word not in nw.numbers and word not in nw.scales and word not in nw.connectors:
            if nw.code == "ar" and word.startswith("و") and word[1:] in nw.numbers:
                word = word[1:]
            else:
                return None
        if word in nw.connectors:
            continue
        seen += 1
        if word in nw.scales and (word not in nw.numbers or current):
            mult = nw.scales[word]
            total += max(current, 1) * mult
            current = 0
            scale = mult
        else:
            value = nw.numbers[word]
            if value >= 1000:  # "ألفان" (two thousand), "тысяча" alone
                total += value
                scale = max(scale, 1000 if value < 1_000_000 else 1_000_000)
            else:
                current += value
    value = total + current
    if seen == 0 or (value == 1 and scale == 1):
        return None
    return value, scale


def cjk_value(span: str, nw: NumberWords) -> tuple[int, int] | None:
    """The value of a Chinese or Japanese numeral ("三千", "一万二千", "1万2千", "1.5万") and
    its largest multiplier. None when it is not one."""
    total = 0.0
    section = 0.0
    digit: float | None = None
    largest = 1
    i = 0
    n = len(span)
    while i < n:
        ch = span[i]
        if ch.isdigit() or ch == ".":
            j = i
            while j < n and (span[j].isdigit() or span[j] in ".,"):
                j += 1
            text = span[i:j].replace(",", "")
            try:
                digit = float(text)
            except ValueError:
                return None
            i = j
            continue
        if ch in nw.cjk_digits:
            digit = (
                (digit or 0) * 10 + nw.cjk_digits[ch] if digit is not None else nw.cjk_digits[ch]
            )
        elif ch in nw.cjk_multipliers:
            mult = nw.cjk_multipliers[ch]
            if mult >= 10_000:
                total += (section + (digit or 0)) * mult if (section or digit) else mult
                section = 0.0
            else:
                section += (digit if digit is not None else 1) * mult
            digit = None
            largest = max(largest, mult)
        else:
            return None
        i += 1
    value = total + section + (digit or 0)
    if value != int(value) or value <= 0:
        return None
    return int(value), largest
