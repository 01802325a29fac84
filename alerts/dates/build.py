"""Write ``alerts/dates/data/<lang>.toml`` from dateparser's language data (a development tool).

``python -m alerts.dates.build`` regenerates every file; ``--check`` only says whether the
committed files are what the generator writes today (exit status 1 when they differ). Sources:

- month and weekday names and their abbreviations: dateparser's ``date_translation_data``;
- their inflected forms in Russian and Ukrainian (genitive "января", prepositional "в июне",
  accusative "в среду"...): every singular form of the noun's lexeme in pymorphy3's dictionaries;
- Latin-script names also without their accents ("fevrier", "aout"), as the press writes them;
- relative-day words ("вчора", "w zeszłym tygodniu", "先週"): dateparser's ``relative-type``
  entries for days, weeks, months and years, offsets −2…+2, without the abbreviated variants
  and without words that mean two offsets (Hindi "कल" is yesterday and tomorrow).

dateparser and pymorphy3 are development dependencies: the resolver reads only the TOML files.
"""

from __future__ import annotations

import importlib
import re
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path
from typing import Any

from alerts.wordtables import LANGUAGES, dump_table, write_tables

DATA_DIR = Path(__file__).with_name("data")
_MONTH_KEYS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_WEEKDAY_KEYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RELATIVE_KEY = re.compile(
    r"^(?:(?P<ago>\d) (?P<u1>day|week|month|year) ago|in (?P<in>\d) (?P<u2>day|week|month|year))$"
)
_INFLECTED = {"ru": "ru", "uk": "uk"}
_LATIN = frozenset({"fr", "en", "de", "es", "it", "pt", "pl"})


def _translation(lang: str) -> dict[str, Any]:
    module = importlib.import_module(f"dateparser.data.date_translation_data.{lang}")
    info: dict[str, Any] = module.info
    return info


def _clean(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        w = word.strip().lower()
        if w and w not in out and not any(ch in w for ch in "()[]"):
            out.append(w)
    return out


def _alphabetic(word: str) -> bool:
    """Latin or Cyrillic (where a letter is a character): the length rules apply."""
    return all(ch.isascii() or "\u00c0" <= ch <= "\u04ff" for ch in word)


def _split_abbreviations(words: list[str]) -> tuple[list[str], list[str]]:
    """Names and abbreviations. A form is an abbreviation when a longer form starts with it
    ("janv" for "janvier", "水" for "水曜日"; two letters longer in Latin and Cyrillic, where
    "luty"/"lutym" are two cases), or, in Latin and Cyrillic, when it has at most two letters or
    three beside a longer form ("jun" beside "june", "пнд" beside "понедельник")."""
    names: list[str] = []
    abbreviations: list[str] = []
    for w in words:
        bare = w.rstrip(".\u0970")
        alphabetic = _alphabetic(bare)
        others = [o for o in words if o != w]
        longer = 2 if alphabetic else 1
        prefix = any(o.startswith(bare) and len(o) >= len(bare) + longer for o in others)
        short = alphabetic and (
            len(bare) <= 2 or (len(bare) == 3 and any(len(o) >= 4 for o in others))
        )
        if (prefix and (not alphabetic or len(bare) <= 5)) or short:
            abbreviations.append(bare)
        else:
            names.append(w)
    return names, abbreviations


def _unaccented(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _Inflector:
    """Singular forms of a noun's lexeme, from pymorphy3's dictionary for ``lang``."""

    def __init__(self, lang: str) -> None:
        import pymorphy3

        self._morph = pymorphy3.MorphAnalyzer(lang=lang)

    def lemma(self, word: str) -> str:
        parses = [p for p in self._morph.parse(word) if "NOUN" in p.tag]
        return str(parses[0].normal_form) if parses else word

    def names(self, word: str, lemma: str) -> bool:
        """Whether the likeliest reading of ``word`` is the singular noun ``lemma``."""
        parse = self._morph.parse(word)[0]
        return "NOUN" in parse.tag and parse.normal_form == lemma and "plur" not in parse.tag

    def forms(self, word: str, cases: frozenset[str]) -> list[str]:
        for parse in self._morph.parse(word):
            if "NOUN" in parse.tag and parse.normal_form == parse.normal_form.lower():
                found = {
                    f.word for f in parse.lexeme if "plur" not in f.tag and f.tag.case in cases
                }
                return sorted(found - {word})
        return []


# A month is named in the nominative, genitive ("5 июня"), accusative and locative ("в июне");
# a weekday in the nominative and accusative ("в среду", "у середу"): other cases are other words
# as often ("в среде" is "in the milieu").
_MONTH_CASES = frozenset({"nomn", "gent", "accs", "loct"})
_WEEKDAY_CASES = frozenset({"nomn", "accs"})


def _names(
    lang: str, entries: list[str], inflector: _Inflector | None, cases: frozenset[str]
) -> tuple[list[str], list[str]]:
    names, abbreviations = _split_abbreviations(_clean(entries))
    if inflector is not None and names:
        # a form whose likeliest reading is another word ("серед", a preposition) or a plural
        # ("субот") is no name
        lemma = inflector.lemma(max(names, key=len))
        abbreviations.extend(n for n in names if not inflector.names(n, lemma))
        names = [n for n in names if inflector.names(n, lemma)]
        for name in list(names):
            names.extend(f for f in inflector.forms(name, cases) if f not in names)
    if lang in _LATIN:
        names.extend(u for u in [_unaccented(n) for n in names] if u not in names)
    return names, sorted(set(abbreviations) - set(names))


def _relative(info: dict[str, Any]) -> dict[str, dict[str, object]]:
    found: dict[str, set[tuple[str, int]]] = {}
    for key, phrases in info.get("relative-type", {}).items():
        m = _RELATIVE_KEY.match(key)
        if m is None:
            continue
        unit = m.group("u1") or m.group("u2")
        offset = -int(m.group("ago")) if m.group("ago") else int(m.group("in"))
        if abs(offset) > 2:
            continue
        cleaned = _clean(phrases)
        for phrase in cleaned:
            tokens = phrase.split()
            others = [t for p in cleaned if p != phrase for t in p.split()]
            if any(o != t and o.startswith(t) for t in tokens for o in others):
                continue  # "цього міс" beside "цього місяця": an abbreviation
            found.setdefault(phrase, set()).add((unit, offset))
    return {
        phrase: {"unit": unit, "offset": offset}
        for phrase, meanings in found.items()
        if len(meanings) == 1
        for unit, offset in meanings
    }


def build(lang: str) -> str:
    """The TOML text of ``alerts/dates/data/<lang>.toml``."""
    info = _translation(lang)
    inflector = _Inflector(_INFLECTED[lang]) if lang in _INFLECTED else None
    months: dict[str, object] = {}
    month_abbr: dict[str, object] = {}
    for i, key in enumerate(_MONTH_KEYS, start=1):
        names, abbreviations = _names(lang, info.get(key, []), inflector, _MONTH_CASES)
        months[f"{i:02d}"] = names
        month_abbr[f"{i:02d}"] = abbreviations
    weekdays: dict[str, object] = {}
    weekday_abbr: dict[str, object] = {}
    for i, key in enumerate(_WEEKDAY_KEYS):
        names, abbreviations = _names(lang, info.get(key, []), inflector, _WEEKDAY_CASES)
        weekdays[str(i)] = names
        weekday_abbr[str(i)] = abbreviations
    sources = f"dateparser {version('dateparser')}"
    if inflector is not None:
        sources += f", pymorphy3 {version('pymorphy3')} ({_INFLECTED[lang]} dictionary)"
    header = (
        f"Calendar words for {lang!r}. Generated by `python -m alerts.dates.build` from {sources}.\n"
        "Do not edit: change the generator and run it again.\n"
        "months/weekdays: names (with inflected and unaccented forms); *_abbreviations: short\n"
        "forms; weekdays are numbered from Monday = 0; relative: phrase -> unit and offset."
    )
    return dump_table(
        header,
        {
            "months": months,
            "month_abbreviations": month_abbr,
            "weekdays": weekdays,
            "weekday_abbreviations": weekday_abbr,
            "relative": dict(_relative(info)),
        },
    )


def main(argv: list[str]) -> int:
    return write_tables(DATA_DIR, LANGUAGES, build, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
