"""Write ``alerts/figures/data/<lang>.toml``, the number words of 14 languages (a development tool).

``python -m alerts.figures.build`` regenerates every file; ``--check`` only says whether the
committed files are what the generator writes today (exit status 1 when they differ). Sources:

- number words 0–999 and the scale words of thousands, millions and billions: num2words' own
  spelling of every number (split into words; in German and Italian, which glue a number into
  one word, "einundzwanzig", "ventuno", into the parts the compounds are made of);
- their inflected forms: pymorphy3's Russian and Ukrainian dictionaries (every form of the
  word's lexeme whose likeliest reading is that word: "шести", "тисячами", but not "семью",
  which is "family" first) and simplemma's Polish dictionary (every form of the same lemma:
  "pięciu", "tysięcy"); feminine forms in the Romance languages ("doscientas", "uma", "une")
  by their regular endings, kept when text2num reads them;
- words written after digits ("12 тисяч", "3 हज़ार", "2 لاكه", "1,5 Mio.", "5万"): CLDR's compact
  number formats as babel ships them, long and short, with their plural forms;
- Chinese and Japanese numerals (三千, 一万二千, 两百): num2words' Japanese digits and multipliers;
  Chinese writes the same characters, plus its own forms of two (两, 兩), ten thousand (萬) and
  a hundred million (亿, 億), given below.

In the languages text2num reads (fr, en, es, pt, de, it) a word is kept only when text2num
reads it, alone or in a compound, as num2words meant it. The libraries are development
dependencies: the scanner reads only the TOML files.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path

from alerts.wordtables import LANGUAGES, dump_table, write_tables

DATA_DIR = Path(__file__).with_name("data")
TEXT2NUM = frozenset({"fr", "en", "es", "pt", "de", "it"})
COMPOUNDING = frozenset({"de", "it"})
SPELLED = frozenset({"fr", "en", "es", "pt", "de", "it", "ru", "uk", "pl", "ar"})
_PYMORPHY = frozenset({"ru", "uk"})
_SIMPLEMMA = frozenset({"pl"})
_CJK = frozenset({"ja", "zh"})
# Chinese forms the Japanese table lacks (num2words has no Chinese).
_CHINESE_EXTRA = {"两": 2, "兩": 2, "零": 0, "〇": 0}
_CHINESE_MULTIPLIERS = {"萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_SCALES = (1_000, 1_000_000, 1_000_000_000)
_SPLIT = re.compile(r"[\s\-]+")
_CLDR_QUOTE = re.compile(r"'([^']*)'")


def _spell(lang: str, n: int) -> str:
    """num2words' spelling of ``n`` in ``lang``, lower-cased."""
    from num2words import num2words

    return str(num2words(n, lang=lang)).lower()


def _tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text) if t]


# num2words' regional variants spelled as well (Brazilian "dezesseis" beside "dezasseis").
_VARIANTS = {"pt": ("pt", "pt_BR")}


def _spellings(lang: str, variant: str | None = None) -> dict[int, str]:
    """num2words' spelling of 0–999 and of 1–9 (and 11, 21) thousands, millions, billions."""
    code = variant or lang
    out = {n: _spell(code, n) for n in range(1000)}
    for scale in _SCALES:
        for k in (1, 2, 3, 4, 5, 9, 11, 21):
            out[k * scale] = _spell(code, k * scale)
    return out


def _feminine(lang: str, word: str, value: int) -> list[str]:
    """Feminine forms num2words does not write ("doscientas", "veintiuna", "uma", "duas",
    "une"), by the regular endings, and Spanish "veintiún"; kept only when text2num reads them."""
    if value == 2 and word == "dois":
        return ["duas"]
    if value not in (1, 21) and not (200 <= value < 1000 and value % 100 == 0):
        return []
    if word == "un":
        return ["une"] if lang == "fr" else ["una"]
    if word == "um":
        return ["uma"]
    if word.endswith("os"):
        return [word[:-2] + "as"]
    if word.endswith("uno"):
        return [word[:-1] + "a", word[:-3] + "ún"] if lang == "es" else [word[:-1] + "a"]
    if word.endswith("o"):
        return [word[:-1] + "a"]
    return []


def _values(spellings: dict[int, str]) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """Numbers (word -> value), scales (word -> multiplier) and connectors ("and", "و")."""
    numbers: dict[str, int] = {}
    for n, text in sorted(spellings.items()):
        toks = _tokens(text)
        if len(toks) == 1 and n < 1000:
            numbers.setdefault(toks[0], n)
    scales: dict[str, int] = {}
    for n, text in sorted(spellings.items()):
        if n < 1000:
            continue
        scale = max(s for s in _SCALES if n % s == 0 and n >= s)
        toks = _tokens(text)
        if len(toks) == 1:
            numbers.setdefault(toks[0], n)  # "mille", "ألفان" (two thousand): complete numbers
            if n in _SCALES:
                scales.setdefault(toks[0], n)  # "tysiąc", "ألف" also multiply: "pięć tysięcy"
            continue
        # "две тысячи", "ثلاثة آلاف", "dos millones": the count, then the scale word
        scales.setdefault(toks[-1], scale)
        if len(toks) == 2 and toks[0] not in numbers and toks[0] not in scales:
            numbers[toks[0]] = n // scale  # "две", "одна": forms of the count
    # A word only seen inside longer spellings takes the value left over ("عشر" in "ثلاثة عشر",
    # 13 - 3); repeated until nothing changes ("أحد" in "أحد عشر" needs "عشر" first). What is
    # left over with nothing to add is a connector ("and", "et", "و").
    connectors: set[str] = set()
    for text in spellings.values():
        for tok in _tokens(text):
            base = next(
                (w for w in sorted(numbers, key=len, reverse=True) if tok.startswith(w)), None
            )
            if tok not in numbers and tok not in scales and base and len(tok) - len(base) <= 1:
                numbers[tok] = numbers[base]  # "vingts", "cents": plural forms
                if base in scales:
                    scales[tok] = scales[base]
    for k in range(1, 10):
        toks = _tokens(spellings[k * 100])
        if len(toks) == 2 and numbers.get(toks[0]) == k and toks[1] not in numbers:
            numbers[toks[1]] = 100  # "hundred" in "two hundred": a multiplier of a hundred
    round_values = {*range(1, 20), *range(20, 100, 10), *range(100, 1000, 100)}
    changed = True
    while changed:
        changed = False
        for n, text in sorted(spellings.items()):
            if n >= 1000:
                continue
            toks = _tokens(text)
            unknown = [t for t in toks if t not in numbers and t not in scales]
            unknown = [t for t in unknown if t not in connectors]
            if len(unknown) == 1 and len(toks) > 1:
                rest = n - sum(numbers[t] for t in toks if t in numbers)
                if rest == 0:
                    connectors.add(unknown[0])  # "e" in "vinte e um"
                    changed = True
                elif rest in round_values and rest != n:
                    numbers[unknown[0]] = rest
                    changed = True
    for _, text in sorted(spellings.items()):
        for tok in _tokens(text):
            if tok not in numbers and tok not in scales:
                connectors.add(tok)
    return numbers, scales, connectors


def _morphemes(spellings: dict[int, str], known: Iterable[str]) -> list[str]:
    """The parts glued compounds are made of ("vent" in "ventuno", "und" in "einundzwanzig"),
    found by segmenting every spelling against the parts known so far, scales first."""
    parts = set(known)

    def segments(word: str) -> bool:
        ok = [True] + [False] * len(word)
        for i in range(len(word)):
            if ok[i]:
                for p in parts:
                    if word.startswith(p, i):
                        ok[i + len(p)] = True
        return ok[len(word)]

    def rank(n: int) -> int:
        if (200 <= n < 1000 and n % 100 == 0) or (2000 <= n < 10_000 and n % 1000 == 0):
            return 0  # "zweihundert", "duemila": the scale parts first
        return 1 if n in (100, 1000) else 2  # then "einhundert": the combining form "ein"

    for n in sorted(spellings, key=lambda n: (rank(n), n)):
        for word in _tokens(spellings[n]):
            if segments(word):
                continue
            # the unknown part: an elided known part ("vent" of "venti", "sech" of "sechs")
            # first, else the shortest of three letters or more ("und")
            best: tuple[int, int, str] | None = None
            for i in range(len(word)):
                for j in range(i + 3, len(word) + 1):
                    head, mid, tail = word[:i], word[i:j], word[j:]
                    if (not head or segments(head)) and (not tail or segments(tail)):
                        elided = any(p.startswith(mid) for p in parts)
                        key = (0 if elided else 1, len(mid), mid)
                        if best is None or key < best:
                            best = key
            if best is not None:
                parts.add(best[2])
    return sorted(parts)


class _Morphology:
    """Inflected forms of a word, from pymorphy3 (ru, uk) or simplemma (pl)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._forms: dict[str, list[str]] = {}
        if lang in _PYMORPHY:
            import pymorphy3

            self._morph = pymorphy3.MorphAnalyzer(lang=lang)
        elif lang in _SIMPLEMMA:
            from simplemma.strategies.dictionaries import DefaultDictionaryFactory

            self._mapping = DefaultDictionaryFactory().get_dictionary(lang)
            self._lemmas: set[str] = set()

    def collect(self, lemmas: Iterable[str]) -> None:
        """Index simplemma's forms of ``lemmas`` (one pass over its form -> lemma table)."""
        if self.lang not in _SIMPLEMMA:
            return
        wanted = {w.encode() for w in lemmas} - {w.encode() for w in self._lemmas}
        self._lemmas.update(lemmas)
        raw: dict[bytes, bytes] = getattr(self._mapping, "_dict", {})
        for form, lemma in raw.items():
            if lemma in wanted:
                self._forms.setdefault(lemma.decode(), []).append(form.decode())

    def forms(self, word: str) -> list[str]:
        if self.lang in _PYMORPHY:
            parses = self._morph.parse(word)
            if not parses:
                return []
            lemma = parses[0].normal_form
            out = set()
            for f in parses[0].lexeme:
                if self._morph.parse(f.word)[0].normal_form == lemma:
                    out.add(f.word)
            return sorted(out - {word})
        if self.lang in _SIMPLEMMA:
            return sorted(
                {f.lower() for f in self._forms.get(word, []) if f.isalpha() and f.islower()}
                - {word}
            )
        return []


def _text2num_reads(lang: str, phrase: str, value: int) -> bool:
    from text_to_num import text2num

    try:
        return bool(text2num(phrase, lang) == value)
    except (ValueError, TypeError):
        return False


def _inflect(
    lang: str, table: dict[str, int], morphology: _Morphology, probe: Callable[[str, int], bool]
) -> dict[str, int]:
    out = dict(table)
    morphology.collect(table)
    for word, value in sorted(table.items()):
        for form in morphology.forms(word):
            if form not in out and probe(form, value):
                out[form] = value
    return out


def _unnukta(word: str) -> str:
    """Hindi written without the nukta dot (हजार for हज़ार), as much of the press does."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word).replace("\u093c", ""))


def _cldr_scales(lang: str) -> dict[str, int]:
    """Words written after digits in CLDR's compact formats: "0 тысячи" -> тысячи = 1000."""
    from babel import Locale

    formats = Locale.parse(lang)._data["compact_decimal_formats"]
    out: dict[str, int] = {}
    for kind in ("long", "short"):
        for plural in sorted(formats.get(kind, {})):
            for magnitude, pattern in sorted(formats[kind][plural].items()):
                text = _CLDR_QUOTE.sub(r"\1", str(pattern.pattern)).replace("\xa0", " ")
                zeros = text.count("0")
                if zeros != 1:
                    continue
                word = text.replace("0", "").strip().lower()
                letters = sum(ch.isalpha() for ch in word)
                if not word or (kind == "short" and letters < 2 and not word.endswith(".")):
                    continue
                if kind == "short" and letters < 3 and not _ideographic(word):
                    continue  # "M", "mi", "k": too short to tell from a word
                out.setdefault(word, int(magnitude))
                if lang == "hi":
                    out.setdefault(_unnukta(word), int(magnitude))
                if word.endswith("."):
                    out.setdefault(word[:-1], int(magnitude))  # "тыс" as well as "тыс."
                bare = _unaccented(word)
                if lang in _LATIN and bare != word:
                    out.setdefault(bare, int(magnitude))  # "milhoes", "millon"
    return out


_LATIN = frozenset({"fr", "en", "es", "pt", "de", "it", "pl"})


def _unaccented(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def _ideographic(word: str) -> bool:
    return all("\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3" for ch in word)


def _cjk(lang: str) -> dict[str, dict[str, object]]:
    digits = {_spell("ja", n): n for n in range(10)}
    multipliers = {_spell("ja", m).removeprefix(_spell("ja", 1)): m for m in (10, 100, 1000)}
    multipliers.update(
        {_spell("ja", m).removeprefix(_spell("ja", 1)): m for m in (10_000, 100_000_000)}
    )
    if lang == "zh":
        for ch, n in _CHINESE_EXTRA.items():
            digits.setdefault(ch, n)
        multipliers.update(_CHINESE_MULTIPLIERS)
    return {"cjk_digits": dict(digits), "cjk_multipliers": dict(multipliers)}


def build(lang: str) -> str:
    """The TOML text of ``alerts/figures/data/<lang>.toml``."""
    sections: dict[str, dict[str, object]] = {}
    sources = [f"babel {version('babel')} (CLDR)"]
    if lang in SPELLED:
        sources.insert(0, f"num2words {version('num2words')}")
        if lang in _VARIANTS:
            sources.insert(0, sources.pop(0))
        spellings = _spellings(lang)
        numbers, scales, connectors = _values(spellings)
        for variant in _VARIANTS.get(lang, ())[1:]:
            more = _values(_spellings(lang, variant))
            for word, value in more[0].items():
                numbers.setdefault(word, value)
            for word, value in more[1].items():
                scales.setdefault(word, value)
            connectors |= more[2]
            sources[0] += f" ({lang} and {variant})"
        morphology = _Morphology(lang)
        if lang in _PYMORPHY:
            sources.append(f"pymorphy3 {version('pymorphy3')} ({lang} dictionary)")
        elif lang in _SIMPLEMMA:
            sources.append(f"simplemma {version('simplemma')}")

        def probe(form: str, value: int) -> bool:
            return lang not in TEXT2NUM or _text2num_reads(lang, form, value)

        numbers = _inflect(lang, numbers, morphology, probe)
        if lang in TEXT2NUM:
            for word, value in sorted(numbers.items()):
                for form in _feminine(lang, word, value):
                    if form not in numbers and probe(form, value):
                        numbers[form] = value
        scales = _inflect(lang, scales, morphology, lambda form, value: True)
        if lang in TEXT2NUM:
            sources.append(f"inflected forms checked with text2num {version('text2num')}")
        sections["numbers"] = dict(numbers)
        sections["scales"] = dict(scales)
        sections["connectors"] = {c: True for c in connectors}
        if lang in COMPOUNDING:
            seeds = [w for w, v in numbers.items() if v < 20 or (v < 100 and v % 10 == 0)]
            parts = _morphemes(spellings, seeds)
            sections["compound_parts"] = {p: True for p in parts}
            sections["numbers"] = {w: v for w, v in numbers.items() if w in parts}
    after_digits = {w: m for w, m in _cldr_scales(lang).items() if not _ideographic(w)}
    sections["after_digits"] = dict(after_digits)
    if lang in _CJK:
        sources.insert(0, f"num2words {version('num2words')} (Japanese numerals)")
        sections.update(_cjk(lang))
    header = (
        f"Number words for {lang!r}. Generated by `python -m alerts.figures.build` from "
        + ", ".join(sources)
        + ".\nDo not edit: change the generator and run it again.\n"
        "numbers: word -> value; scales: word -> multiplier; connectors: words between parts;\n"
        "compound_parts: what glued compounds are made of; after_digits: scale words written\n"
        "after digits (CLDR); cjk_*: Chinese and Japanese numeral characters."
    )
    return dump_table(header, sections)


def main(argv: list[str]) -> int:
    return write_tables(DATA_DIR, LANGUAGES, build, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
