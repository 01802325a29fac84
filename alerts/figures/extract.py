"""Quantities stated in running text: "12 000 soldats", "about 3,000 troops", "1만 명", "около 3 тысяч".

:func:`extract_quantities` is pure and fast (one compiled scan per language, no model). It returns
headcounts and counts as integer ranges with a qualifier, the noun that follows them and whether
they are *additional*. It does not return years, dates, clock times, percentages, money amounts,
ordinals, article/resolution numbers, phone numbers or model designations ("KN-23").
See ``docs/figures-and-dates.md`` for the rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import text2num

from alerts.figures.atoms import (
    _Atom,
)
from alerts.figures.cjk import (
    _cjk_atoms,
    _cjk_prefix,
)
from alerts.figures.context import (
    _after_name,
    _find_unit,
    _is_additional,
    _is_excluded,
    _is_hangul,
    _ko_unit,
    _merge_ranges,
    _suffix_qualifier,
    _tail,
)
from alerts.figures.numerals import (
    CJK,
    COMPOSED,
    LANGUAGES,
    number_words,
    words_value,
)
from alerts.figures.vocabulary import (
    _BILLION,
    _CLOCK_PREPOSITIONS,
    _CLOCK_UNITS,
    _COMPOUNDING,
    _CONNECTORS,
    _COUNTED_NOUN,
    _EXCLUDED_SUFFIXES,
    _HEADCOUNT_NOUN,
    _KO_EXCLUDED,
    _KO_TOKEN,
    _LONE_ONE,
    _MILLION,
    _MONEY_AFTER,
    _MONTH_RE,
    _MONTHS,
    _NEXT_IS_NUMBER_WORD,
    _NON_DIGIT,
    _NOUNS_CAPITALISED,
    _OCCURRENCE_AFTER,
    _ORDINAL_SUFFIXES,
    _POOLED_WORDS,
    _PREFIX_QUALIFIERS,
    _SCALE_RE,
    _THOUSAND,
    _VAGUE_PHRASES,
    _WORD_LISTS,
    _WORD_SEPARATE,
    _WORD_TOKEN,
    _YEAR_WORDS,
    _composed_run,
    _composed_words,
    _scale_table,
)
from alerts.patterns import trie_pattern

__all__ = ["Quantity", "extract_quantities"]

QUALIFIERS = ("exact", "approx", "more_than", "less_than", "up_to", "range", "vague")


@dataclass(frozen=True)
class Quantity:
    """A figure stated in text, as an integer range with its qualifier."""

    low: int
    high: int
    qualifier: str
    text: str
    start: int
    end: int
    unit: str | None
    additional: bool


# --------------------------------------------------------------------------------------------
# The scanner
# --------------------------------------------------------------------------------------------

_SEPS = " \u00a0\u202f\u2009'.,"
_DIGITS = (
    r"(?P<num>\d{1,3}(?P<sep>[" + _SEPS + r"])\d{3}(?:(?P=sep)\d{3})*(?![\d])(?![.,]\d)"
    # grouped with a decimal part: "7.612,52", "12 000,5", "1,234.5"
    r"|(?P<dec>\d{1,3}(?:[" + _SEPS + r"]\d{3})+[.,]\d+(?!\d))"
    r"|\d+(?:[.,]\d+)?)"
)
_NUM_ALT = (
    r"(?<![\w.,/:])(?<![^\W\d_]-)"
    + _DIGITS
    + r"(?:(?P<k>[kK])(?![\w])|\s?(?P<scale>"
    + _SCALE_RE
    + r")|-(?P<hsuffix>[^\W\d_]+)|(?P<suffix>[^\W\d_]+))?"
)

_KO_ALT = (
    r"(?<![\w.,])(?P<ko>\d[\d,]*(?:\.\d+)?\s?[억만천](?:\s?\d[\d,]*(?:\.\d+)?\s?[억만천])*"
    r"(?:\s?\d+(?:,\d{3})*(?![\d.,]))?)(?P<kosuffix>[^\W\d_]+)?"
)
_DATE_DAY_FIRST = (
    r"(?P<date>"
    # 19 juin / 1er mai / 19. Juni / 19 de junio / du 11 au 13 juillet / le 4 ou 5 août
    r"(?<![\w.,])\d{1,2}(?:er|º|st|nd|rd|th)?\.?"
    r"(?:\s*(?:-|–|au|à|to|and|et|or|ou|y|und|bis|и|по|o)\s*\d{1,2}(?:er|º|st|nd|rd|th)?\.?)?"
    r"\s+(?:de\s+|of\s+)?" + _MONTH_RE + r"(?:\s+(?:de\s+)?\d{4})?"
    # 19/06/2024, 2024-06-19, 19.06.2024
    r"|(?<![\w.,/])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}/\d{4})(?![\d])"
    # Korean dates: 12·3 (3 December), 5·18
    r"|(?<![\w.,])\d{1,2}·\d{1,2}(?!\d)"
    # Korean and Japanese dates: 2024년 6월 19일
    r"|(?<![\w.,])\d{1,4}\s?년(?:\s?\d{1,2}\s?월)?(?:\s?\d{1,2}\s?일)?|\d{1,2}\s?월(?:\s?\d{1,2}\s?일)?"
    r")"
)
# June 19 / June 19th, 2024 / June 19-21 (matched where a month name starts)
_MONTH_FIRST = (
    _MONTH_RE + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?(?![\d,.]\d)(?:\s*[-–]\s*\d{1,2})?(?:,?\s+\d{4})?"
)
_TIME_ALT = (
    r"(?P<time>(?<![\w.,])\d{1,2}(?:[:h]\d{2}|\s?h(?![\w])(?:\s?\d{2})?"
    r"|\s?(?:a\.m\.|p\.m\.|am|pm|uhr|o'clock)(?![\w])))"
)
_PHONE_ALT = r"(?P<phone>(?:\+|(?<![\w.,])0)\d(?:[\d \-.()]){7,}\d)"

_KO_VAGUE_ALT = r"(?P<kovague>수(?:십만|백만|십|백|천|만))"
# Everything that starts with a digit (or "+", or the Korean "수"), in one scan.
_DIGIT_SCAN = re.compile(
    "|".join([_DATE_DAY_FIRST, _TIME_ALT, _PHONE_ALT, _KO_ALT, _NUM_ALT, _KO_VAGUE_ALT])
)
# No look-behind in scanning patterns: it defeats the engine's fast scan (checked in Python).
_DIGIT_START = re.compile(r"[\d+수]\d*")
_MONTH_SET = frozenset(_MONTHS)
_MONTH_FIRST_DATE = re.compile(_MONTH_FIRST)
_VAGUE_MATCH = re.compile(trie_pattern(_VAGUE_PHRASES))


@dataclass(frozen=True)
class _WordScanner:
    triggers: re.Pattern[str]
    runs: tuple[tuple[str, re.Pattern[str]], ...]  # (language, number-word run)


def _word_run(code: str) -> re.Pattern[str]:
    words = _WORD_LISTS[code].split()
    word = "(?:" + trie_pattern(words) + ")"
    if code in _COMPOUNDING:
        word = "(?:" + word + "+|" + trie_pattern(_WORD_SEPARATE[code].split()) + ")"
    conn = _CONNECTORS[code]
    return re.compile(
        word + r"(?![^\W\d_])(?:[\s-]+(?:" + conn + r"[\s-]+)?" + word + r"(?![^\W\d_]))*"
    )


def _script(word: str) -> str:
    ch = word[:1]
    if "가" <= ch <= "힣":
        return "hangul"
    if "\u0400" <= ch <= "\u04ff":
        return "cyrillic"
    if "\u0600" <= ch <= "\u06ff":
        return "arabic"
    if "\u0900" <= ch <= "\u097f":
        return "devanagari"
    if "\u3000" <= ch <= "\u9fff":
        return "cjk"
    return "latin"


_SCRIPTS = {
    "ru": "cyrillic",
    "uk": "cyrillic",
    "bg": "cyrillic",
    "pl": "latin",
    "ko": "hangul",
    "ar": "arabic",
    "hi": "devanagari",
    "ja": "cjk",
    "zh": "cjk",
}


def _build_word_scanner(lang: str) -> _WordScanner:
    script = _SCRIPTS.get(lang, "latin" if lang else "")
    first_words = {p for p in _VAGUE_PHRASES if not script or _script(p) == script}
    runs: list[tuple[str, re.Pattern[str]]] = []
    for code in _word_languages(lang):
        first_words.update(_WORD_LISTS[code].split())
        first_words.update(_WORD_SEPARATE.get(code, "").split())
        runs.append((code, _word_run(code)))
    if lang in COMPOSED:
        for code in _POOLED_WORDS.get(lang, (lang,)):
            first_words.update(_composed_words(code))
            runs.append((code, _composed_run(code)))
    first_words.discard("")
    return _WordScanner(re.compile(trie_pattern(first_words)), tuple(runs))


def _word_languages(lang: str) -> tuple[str, ...]:
    if lang in _WORD_LISTS:
        return (lang,)
    if lang in ("", "und"):
        return ("fr", "en")
    return ()


_SCANNERS: dict[str, _WordScanner] = {
    code: _build_word_scanner(code) for code in (*_WORD_LISTS, *sorted(COMPOSED), "hi", "")
}
_OTHER_SCANNER = _build_word_scanner("xx")


def _norm_lang(lang: str | None) -> str:
    if not lang:
        return ""
    return lang.strip().lower().replace("_", "-").split("-")[0]


def _parse_digits(num: str, sep: str | None, grouped_decimal: bool = False) -> float | None:
    if grouped_decimal:
        cut = max(num.rfind(","), num.rfind("."))
        return float(_NON_DIGIT.sub("", num[:cut]) + "." + num[cut + 1 :])
    if sep is not None:
        return float(int(_NON_DIGIT.sub("", num)))
    if "," in num or "." in num:
        whole, _, frac = num.replace(",", ".").partition(".")
        return float(f"{whole}.{frac}")
    return float(int(num))


def _words_value(span: str, lang: str) -> list[tuple[int, int, int, int]]:
    """Parse a run of number words with text2num: (rel_start, rel_end, value, scale) per number."""
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD_TOKEN.finditer(span)]
    conn = _CONNECTORS.get(lang, "")
    out: list[tuple[int, int, int, int]] = []
    i = 0
    while i < len(tokens):
        if tokens[i][0].lower() == conn:
            i += 1
            continue
        found = False
        for j in range(len(tokens), i, -1):
            if tokens[j - 1][0].lower() == conn:
                continue
            phrase = span[tokens[i][1] : tokens[j - 1][2]]
            value = _text2num(phrase.lower(), lang)
            if value is None:
                continue
            if j - i == 1 and tokens[i][0].lower() in _LONE_ONE:
                break
            last = tokens[j - 1][0].lower()
            scale = (
                _BILLION
                if last.startswith(("milliard", "billion"))
                else _MILLION
                if last.startswith(("million", "millón", "millon", "milhão", "milhõ", "milion"))
                else _THOUSAND
                if last in ("mille", "thousand", "mil", "tausend", "mila")
                else 1
            )
            out.append((tokens[i][1], tokens[j - 1][2], value, scale))
            i = j
            found = True
            break
        if not found:
            i += 1
    return out


@lru_cache(maxsize=4096)
def _text2num(phrase: str, lang: str) -> int | None:
    try:
        value = text2num(phrase, lang)
    except (ValueError, TypeError):
        return None
    return int(value)


def _ko_value(span: str) -> int | None:
    value = 0
    part = 0.0
    for tok in _KO_TOKEN.findall(span):
        if tok == "억":
            value += round(part * 100_000_000)
            part = 0.0
        elif tok == "만":
            value += round(part * 10_000)
            part = 0.0
        elif tok == "천":
            value += round(part * 1_000)
            part = 0.0
        else:
            part = float(tok.replace(",", ""))
    return value + round(part)


def _lower(text: str) -> str:
    """Lower-case ``text`` keeping every offset (a few characters grow when lower-cased)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def _atoms(low: str, lang: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    blocked: list[tuple[int, int]] = []  # dates, times, phone numbers
    owned: list[tuple[int, int]] = []
    if lang in CJK:
        atoms, owned = _cjk_atoms(low, lang)
    owned_starts = [s for s, _ in owned]
    pos = 0
    while True:
        t = _DIGIT_START.search(low, pos)
        if t is None:
            break
        ts = t.start()
        if owned and _covered(ts, owned, owned_starts):
            pos = next(e for s, e in owned if s <= ts < e)
            continue
        if ts and low[ts - 1] == " ":
            month = _tail(low, ts, _MONTH_SET)  # "June 19, 2024"
            if month is not None:
                dm = _MONTH_FIRST_DATE.match(low, month[1])
                if dm is not None and dm.end() > ts:
                    blocked.append((dm.start(), dm.end()))
                    pos = dm.end()
                    continue
        m = _DIGIT_SCAN.match(low, ts)
        if m is None or m.end() == m.start():
            pos = t.end()
            continue
        pos = m.end()
        kind = m.lastgroup
        if m.group("date") is not None or m.group("time") is not None or kind == "phone":
            blocked.append((m.start(), m.end()))
        elif m.group("ko") is not None:
            ko_value = _ko_value(m.group("ko"))
            suffix = m.group("kosuffix")
            if not ko_value or (suffix and suffix in _EXCLUDED_SUFFIXES):
                continue
            atom = _Atom(m.start(), m.end("ko"), ko_value, ko_value, "exact", 10_000)
            atoms.append(atom)
        elif m.group("num") is not None:
            atom_or_none = _digit_atom(low, m, lang)
            if atom_or_none is not None:
                atoms.append(atom_or_none)
        elif m.group("kovague") is not None:
            lo, hi, q = _VAGUE_PHRASES[m.group("kovague")]
            atoms.append(_Atom(m.start(), m.end(), lo, hi, q, 1))
    occupied = sorted(blocked + owned + [(a.start, a.end) for a in atoms])
    word_atoms = _word_atoms(low, lang, occupied)
    if blocked:
        atoms = [a for a in atoms if not _inside(a.start, a.end, blocked)]
    if word_atoms or owned:
        atoms.extend(word_atoms)
        atoms.sort(key=lambda a: a.start)
    return atoms


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _covered(pos: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether ``pos`` falls in one of ``spans`` (sorted, ``starts`` their first offsets)."""
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < spans[i][1]


def _word_atoms(low: str, lang: str, blocked: list[tuple[int, int]]) -> list[_Atom]:
    scanner = _SCANNERS.get(lang, _OTHER_SCANNER)
    out: list[_Atom] = []
    starts = [s for s, _ in blocked]
    pos = 0
    n = len(low)
    while pos < n:
        t = scanner.triggers.search(low, pos)
        if t is None:
            break
        start = t.start()
        if start and (low[start - 1].isalpha() or low[start - 1] == "_"):
            pos = start + 1  # inside a word
            continue
        pos = max(t.end(), start + 1)
        if blocked and _covered(start, blocked, starts):
            continue
        vm = _VAGUE_MATCH.match(low, start)
        if vm is not None and vm.group(0) in _VAGUE_PHRASES:
            phrase = vm.group(0)
            if not ("가" <= phrase[-1] <= "힣") and low[vm.end() : vm.end() + 1].isalpha():
                vm = None
        else:
            vm = None
        if vm is not None:
            lo, hi, q = _VAGUE_PHRASES[vm.group(0)]
            out.append(_Atom(start, vm.end(), lo, hi, q, 1))
            pos = vm.end()
            continue
        if (
            t.group(0) in _LONE_ONE
            and not low[t.end() : t.end() + 1].isalpha()
            and not _NEXT_IS_NUMBER_WORD.match(low, t.end())
        ):
            continue  # "un", "une", "one": an article, not a figure
        for code, run in scanner.runs:
            rm = run.match(low, start)
            if rm is None:
                continue
            span = rm.group(0)
            if span.startswith("cent") and low[max(0, start - 5) : start] in ("pour ", " per "):
                pos = rm.end()
                break
            if code in COMPOSED:
                composed = words_value(span.split(), number_words(code))
                if composed is not None:
                    value, scale = composed
                    out.append(_Atom(start, rm.end(), value, value, "exact", scale))
            else:
                for rs, rend, value, scale in _words_value(span, code):
                    s0 = start + rs
                    # "a thousand", "a hundred": the article stands for one
                    if (
                        code == "en"
                        and scale > 1
                        and value == scale
                        and low[max(0, s0 - 2) : s0] == "a "
                    ):
                        s0 -= 2
                    out.append(_Atom(s0, start + rend, value, value, "exact", scale))
            pos = rm.end()
            break
    return out


def _digit_atom(text: str, m: re.Match[str], lang: str) -> _Atom | None:
    value = _parse_digits(m.group("num"), m.group("sep"), m.group("dec") is not None)
    if value is None:
        return None
    scale = 1
    end = m.end()
    unit: str | None = None
    if m.group("k"):
        scale = _THOUSAND
    elif m.group("scale"):
        # another language's scale word is a unit here ("3 miles" in English)
        scale = _scale_table(lang if lang in LANGUAGES else "").get(m.group("scale").lower(), 0)
        if not scale:
            scale = 1
            end = m.end("num")
    elif m.group("hsuffix"):
        hs = m.group("hsuffix").lower()
        if hs in _ORDINAL_SUFFIXES:
            return None
        unit = hs
    elif m.group("suffix"):
        suffix = m.group("suffix").lower()
        if suffix in _ORDINAL_SUFFIXES or suffix in _EXCLUDED_SUFFIXES:
            return None
        if _is_hangul(suffix[0]):
            if suffix.startswith(_KO_EXCLUDED):
                return None
            suffix = _ko_unit(suffix)
        else:
            cut = next((i for i, ch in enumerate(suffix) if _is_hangul(ch)), len(suffix))
            if cut < len(suffix):  # "110m가량": the unit, then a Korean word
                end = m.start("suffix") + cut
                suffix = suffix[:cut]
        unit = suffix
    total = value * scale
    if total != int(total):
        return None
    ivalue = round(total)
    start = m.start()
    digits = _NON_DIGIT.sub("", m.group("num"))
    if scale == 1 and m.group("sep") is None and len(digits) >= 7:
        return None  # ID-like
    if len(digits) > 1 and digits.startswith("0") and m.group("sep") is None:
        return None  # "007", "05"
    atom = _Atom(start, end, ivalue, ivalue, "exact", scale, unit=unit)
    if unit is not None:
        atom.skip_unit = True
        atom.end = m.end("num")
        atom.unit_end = end
    if (
        scale == 1
        and m.group("sep") is None
        and len(digits) == 4
        and 1900 <= ivalue <= 2100
        and unit is None
    ):
        atom.maybe_year = True
    return atom


def extract_quantities(text: str, lang: str | None) -> list[Quantity]:
    """Every figure stated in ``text`` (ISO 639-1 ``lang`` or None), in order of appearance."""
    code = _norm_lang(lang)
    lowered = _lower(text)
    atoms = _merge_ranges(lowered, _atoms(lowered, code))
    result: list[Quantity] = []
    for atom in atoms:
        start, end = atom.start, atom.end
        if _is_excluded(lowered, start, end):
            continue
        low, high, qualifier = atom.low, atom.high, atom.qualifier
        prefix = _tail(lowered, start, _PREFIX_QUALIFIERS)
        if prefix is None and code in CJK:
            prefix = _cjk_prefix(lowered, start)
        if prefix is not None and (
            qualifier == "exact"
            or (qualifier == "approx" and _PREFIX_QUALIFIERS[prefix[0]] != "approx")
        ):
            qualifier = _PREFIX_QUALIFIERS[prefix[0]]  # "plus d'une centaine": more than
        designator = (
            prefix is None
            and qualifier == "exact"
            and atom.low < 10_000
            and atom.scale == 1
            and code not in _NOUNS_CAPITALISED
            and _after_name(text, start)
        )
        unit = atom.unit
        unit_end = atom.unit_end if atom.unit_end > 0 else end
        if not atom.skip_unit:
            after_scale = atom.scale > 1 or atom.qualifier != "exact"
            unit, unit_end = _find_unit(lowered, end, after_scale)
            if unit is not None and _MONEY_AFTER.fullmatch(unit):
                continue
        if _OCCURRENCE_AFTER.match(lowered, end):
            continue  # "30 fois", "10여 차례", "three times": how often, never how many
        if designator and (unit is None or not _COUNTED_NOUN.match(unit)):
            # "Highway 287", "ATR 72", "CAC 40", "Zone 1"; but a count of people or items after
            # a place name stays a figure ("envoyer en Russie 2 000 ingénieurs").
            continue
        if unit in _CLOCK_UNITS and _tail(lowered, start, _CLOCK_PREPOSITIONS) is not None:
            continue  # "à 6 heures"
        if qualifier == "exact":
            qualifier = _suffix_qualifier(lowered, end, unit_end)
        if atom.maybe_year and prefix is None:
            if unit is None or not (_HEADCOUNT_NOUN.match(unit) or _COUNTED_NOUN.match(unit)):
                continue
            if _tail(lowered, start, _YEAR_WORDS) is not None:
                continue
        result.append(
            Quantity(
                low=low,
                high=high,
                qualifier=qualifier,
                text=text[start:end],
                start=start,
                end=end,
                unit=unit,
                additional=_is_additional(lowered, atom, unit_end),
            )
        )
    return result
