"""Event dates in running text, resolved against the publication date.

:func:`resolve_dates` is pure and fast: one compiled scan per language over a trie of the phrases
it knows ("la semaine dernière", "last Tuesday", "en juin dernier", "cet été"...) and of digit
runs ("19 juin 2024", "2024-06-19", "19/06/2024"), then a few anchored matches per hit. No model
and no dateparser call. Rules (past preference, windows for "fin octobre"...) are documented in
``docs/figures-and-dates.md``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from alerts.patterns import trie_pattern
from alerts.wordtables import LANGUAGES, load_table

__all__ = ["LANGUAGES", "PRECISIONS", "DateMention", "month_names", "resolve_dates"]

PRECISIONS = ("day", "week", "month", "season", "year")


@dataclass(frozen=True)
class DateMention:
    """A date or period the text speaks of, as the first and last day it can mean."""

    start: date
    end: date
    precision: str
    text: str
    start_idx: int
    end_idx: int
    relative: bool


def _split(text: str, sep: str | None = None) -> list[str]:
    """Vocabulary is written as one string per line, for readability."""
    return text.split(sep)


# --------------------------------------------------------------------------------------------
# Vocabulary per language
# --------------------------------------------------------------------------------------------

_DATA = Path(__file__).with_name("data")
_UNSPACED = frozenset({"ja", "zh"})  # no spaces between words: a date may follow any character


def _alphabetic(word: str) -> bool:
    return all(ch.isascii() or "\u00c0" <= ch <= "\u04ff" for ch in word)


def _calendar_words(code: str) -> tuple[dict[str, int], dict[str, int], dict[str, tuple[str, int]]]:
    """Months (1-12), weekdays (Monday = 0) and relative-day words from the generated table.

    Abbreviations count with their full stop in Latin and Cyrillic ("sept.", "janv."), never bare
    (a bare "mar", "set" or "out" is a word)."""
    table = load_table(_DATA / f"{code}.toml")
    months: dict[str, int] = {}
    for key, names in table["months"].items():
        for name in names:
            months.setdefault(name, int(key))
    for key, names in table["month_abbreviations"].items():
        for name in names:
            if len(name) >= 3 and _alphabetic(name):
                months.setdefault(name + ".", int(key))
    weekdays: dict[str, int] = {}
    for key, names in table["weekdays"].items():
        for name in names:
            weekdays.setdefault(name, int(key))
    relative = {
        phrase: (str(entry["unit"]), int(entry["offset"]))
        for phrase, entry in table["relative"].items()
    }
    return months, weekdays, relative


def month_names() -> frozenset[str]:
    """Every language's month names written with letters (and dotted abbreviations), plus the
    English abbreviations bare ("jun", "sept"): what makes "19 juin", "19 червня", "June 19"
    a date rather than a figure."""
    names = {
        name
        for months in _MONTHS.values()
        for name in months
        if not any(ch.isdigit() for ch in name) and not _ideographic(name)
    }
    en = load_table(_DATA / "en.toml")
    names.update(a for abbrs in en["month_abbreviations"].values() for a in abbrs)
    return frozenset(names)


def _ideographic(word: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3" for ch in word)


_MONTHS: dict[str, dict[str, int]] = {}
_WEEKDAYS: dict[str, dict[str, int]] = {}
_GENERATED_RELATIVE: dict[str, dict[str, tuple[str, int]]] = {}
for _code in LANGUAGES:
    _MONTHS[_code], _WEEKDAYS[_code], _GENERATED_RELATIVE[_code] = _calendar_words(_code)

# season name -> (first month, number of months); winter starts in December
_SEASON_SPAN = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}
_SEASONS: dict[str, dict[str, str]] = {
    "fr": {"printemps": "spring", "été": "summer", "automne": "autumn", "hiver": "winter"},
    "en": {
        "spring": "spring",
        "summer": "summer",
        "autumn": "autumn",
        "fall": "autumn",
        "winter": "winter",
    },
    "de": {
        "frühling": "spring",
        "frühjahr": "spring",
        "sommer": "summer",
        "herbst": "autumn",
        "winter": "winter",
    },
    "es": {"primavera": "spring", "verano": "summer", "otoño": "autumn", "invierno": "winter"},
    "ru": {"весной": "spring", "летом": "summer", "осенью": "autumn", "зимой": "winter"},
    "ko": {"봄": "spring", "여름": "summer", "가을": "autumn", "겨울": "winter"},
}

_NUMBERS: dict[str, dict[str, int]] = {
    "fr": dict(
        zip(
            _split("un une deux trois quatre cinq six sept huit neuf dix onze douze quinze vingt"),
            [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20],
            strict=True,
        )
    ),
    "en": dict(
        zip(
            _split(
                "a an one two three four five six seven eight nine ten eleven twelve fifteen twenty"
            ),
            [1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20],
            strict=True,
        )
    ),
    "de": dict(
        zip(
            _split(
                "einem einer ein eine zwei drei vier fünf sechs sieben acht neun zehn elf zwölf"
            ),
            [1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
            strict=True,
        )
    ),
    "es": dict(
        zip(
            _split(
                "un una dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte"
            ),
            [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20],
            strict=True,
        )
    ),
    "ru": dict(
        zip(
            _split(
                "один одну одного два две двух три трёх трех четыре пять шесть семь восемь девять "
                "десять"
            ),
            [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10],
            strict=True,
        )
    ),
    "ko": {},
}

_UNITS: dict[str, dict[str, str]] = {
    "fr": {
        "jour": "day",
        "jours": "day",
        "semaine": "week",
        "semaines": "week",
        "mois": "month",
        "an": "year",
        "ans": "year",
        "année": "year",
        "années": "year",
    },
    "en": {
        "day": "day",
        "days": "day",
        "week": "week",
        "weeks": "week",
        "month": "month",
        "months": "month",
        "year": "year",
        "years": "year",
    },
    "de": {
        "tag": "day",
        "tagen": "day",
        "tage": "day",
        "woche": "week",
        "wochen": "week",
        "monat": "month",
        "monaten": "month",
        "monate": "month",
        "jahr": "year",
        "jahren": "year",
        "jahre": "year",
    },
    "es": {
        "día": "day",
        "días": "day",
        "semana": "week",
        "semanas": "week",
        "mes": "month",
        "meses": "month",
        "año": "year",
        "años": "year",
    },
    "ru": {
        "день": "day",
        "дня": "day",
        "дней": "day",
        "неделю": "week",
        "недели": "week",
        "недель": "week",
        "месяц": "month",
        "месяца": "month",
        "месяцев": "month",
        "год": "year",
        "года": "year",
        "лет": "year",
    },
    "ko": {"일": "day", "주": "week", "개월": "month", "달": "month", "년": "year"},
}

# Fixed relative phrases: phrase -> (unit, offset). unit: day | week | weekend | month | year.
_RELATIVE: dict[str, dict[str, tuple[str, int]]] = {
    "fr": {
        "avant-hier": ("day", -2),
        "hier": ("day", -1),
        "hier soir": ("day", -1),
        "hier matin": ("day", -1),
        "aujourd'hui": ("day", 0),
        "ce matin": ("day", 0),
        "cet après-midi": ("day", 0),
        "ce soir": ("day", 0),
        "cette nuit": ("day", 0),
        "demain": ("day", 1),
        "après-demain": ("day", 2),
        "la semaine dernière": ("week", -1),
        "la semaine passée": ("week", -1),
        "cette semaine": ("week", 0),
        "la semaine prochaine": ("week", 1),
        "ce week-end": ("weekend", 0),
        "ce weekend": ("weekend", 0),
        "le week-end dernier": ("weekend", -1),
        "le weekend dernier": ("weekend", -1),
        "le week-end prochain": ("weekend", 1),
        "le mois dernier": ("month", -1),
        "le mois passé": ("month", -1),
        "ce mois-ci": ("month", 0),
        "le mois prochain": ("month", 1),
        "l'année dernière": ("year", -1),
        "l'année passée": ("year", -1),
        "l'an dernier": ("year", -1),
        "l'an passé": ("year", -1),
        "cette année": ("year", 0),
        "l'année prochaine": ("year", 1),
        "l'an prochain": ("year", 1),
    },
    "en": {
        "the day before yesterday": ("day", -2),
        "yesterday": ("day", -1),
        "last night": ("day", -1),
        "today": ("day", 0),
        "this morning": ("day", 0),
        "this afternoon": ("day", 0),
        "this evening": ("day", 0),
        "tonight": ("day", 0),
        "tomorrow": ("day", 1),
        "last week": ("week", -1),
        "this week": ("week", 0),
        "next week": ("week", 1),
        "this weekend": ("weekend", 0),
        "last weekend": ("weekend", -1),
        "next weekend": ("weekend", 1),
        "over the weekend": ("weekend_past", 0),
        "last month": ("month", -1),
        "this month": ("month", 0),
        "next month": ("month", 1),
        "last year": ("year", -1),
        "this year": ("year", 0),
        "next year": ("year", 1),
        "a week ago": ("week", -1),
        "a month ago": ("month", -1),
        "a year ago": ("year", -1),
    },
    "de": {
        "vorgestern": ("day", -2),
        "gestern": ("day", -1),
        "heute": ("day", 0),
        "heute morgen": ("day", 0),
        "übermorgen": ("day", 2),
        "letzte woche": ("week", -1),
        "vergangene woche": ("week", -1),
        "in der vergangenen woche": ("week", -1),
        "diese woche": ("week", 0),
        "nächste woche": ("week", 1),
        "am wochenende": ("weekend", 0),
        "letzten monat": ("month", -1),
        "vergangenen monat": ("month", -1),
        "im vergangenen monat": ("month", -1),
        "diesen monat": ("month", 0),
        "nächsten monat": ("month", 1),
        "letztes jahr": ("year", -1),
        "vergangenes jahr": ("year", -1),
        "im vergangenen jahr": ("year", -1),
        "im letzten jahr": ("year", -1),
        "dieses jahr": ("year", 0),
        "in diesem jahr": ("year", 0),
        "nächstes jahr": ("year", 1),
        "im nächsten jahr": ("year", 1),
    },
    "es": {
        "anteayer": ("day", -2),
        "antes de ayer": ("day", -2),
        "ayer": ("day", -1),
        "hoy": ("day", 0),
        "esta mañana": ("day", 0),
        "esta noche": ("day", 0),
        "pasado mañana": ("day", 2),
        "la semana pasada": ("week", -1),
        "esta semana": ("week", 0),
        "la próxima semana": ("week", 1),
        "la semana que viene": ("week", 1),
        "este fin de semana": ("weekend", 0),
        "el fin de semana": ("weekend", 0),
        "el fin de semana pasado": ("weekend", -1),
        "el mes pasado": ("month", -1),
        "este mes": ("month", 0),
        "el próximo mes": ("month", 1),
        "el mes que viene": ("month", 1),
        "el año pasado": ("year", -1),
        "este año": ("year", 0),
        "el próximo año": ("year", 1),
        "el año que viene": ("year", 1),
    },
    "ru": {
        "позавчера": ("day", -2),
        "вчера": ("day", -1),
        "сегодня": ("day", 0),
        "послезавтра": ("day", 2),
        "на прошлой неделе": ("week", -1),
        "на этой неделе": ("week", 0),
        "на следующей неделе": ("week", 1),
        "на выходных": ("weekend", 0),
        "в эти выходные": ("weekend", 0),
        "в прошлые выходные": ("weekend", -1),
        "в прошлом месяце": ("month", -1),
        "в этом месяце": ("month", 0),
        "в следующем месяце": ("month", 1),
        "в прошлом году": ("year", -1),
        "в этом году": ("year", 0),
        "в следующем году": ("year", 1),
    },
    "ko": {
        "그저께": ("day", -2),
        "그제": ("day", -2),
        "어제": ("day", -1),
        "오늘": ("day", 0),
        "내일": ("day", 1),
        "지난주": ("week", -1),
        "지난 주": ("week", -1),
        "이번 주": ("week", 0),
        "이번주": ("week", 0),
        "다음 주": ("week", 1),
        "다음주": ("week", 1),
        "이번 주말": ("weekend", 0),
        "지난 주말": ("weekend", -1),
        "지난달": ("month", -1),
        "지난 달": ("month", -1),
        "이번 달": ("month", 0),
        "이달": ("month", 0),
        "다음 달": ("month", 1),
        "다음달": ("month", 1),
        "작년": ("year", -1),
        "지난해": ("year", -1),
        "올해": ("year", 0),
        "내년": ("year", 1),
    },
}
_RELATIVE["fr"]["demain"] = ("day", 1)

# Templates; {w} = weekday, {m} = month, {s} = season.
_WEEKDAY_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "fr": {
        "default": ["{w}"],
        "last": ["{w} dernier", "{w} passé"],
        "next": ["{w} prochain"],
    },
    "en": {
        "default": ["{w}", "on {w}"],
        "last": ["last {w}", "on {w} last week"],
        "next": ["next {w}", "on {w} next week"],
    },
    "de": {
        "default": ["{w}", "am {w}"],
        "last": ["letzten {w}", "vergangenen {w}", "am vergangenen {w}", "am letzten {w}"],
        "next": ["nächsten {w}", "kommenden {w}", "am kommenden {w}", "am nächsten {w}"],
    },
    "es": {
        "default": ["{w}", "el {w}"],
        "last": ["el {w} pasado"],
        "next": ["el próximo {w}", "el {w} próximo", "el {w} que viene"],
    },
    "ru": {
        "default": ["{w}", "в {w}", "во {w}"],
        "last": ["в прошлый {w}", "в прошлую {w}", "в прошлое {w}", "во прошлый {w}"],
        "next": ["в следующий {w}", "в следующую {w}", "в следующее {w}"],
    },
    "ko": {
        "default": ["{w}"],
        "last": ["지난 {w}", "지난주 {w}"],
        "next": ["다음 {w}", "다음 주 {w}", "다음주 {w}"],
    },
}
_MONTH_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "fr": {
        "bare": ["{m}"],
        "default": ["en {m}", "au mois de {m}", "au mois d'{m}", "courant {m}", "depuis {m}"],
        "last": ["en {m} dernier", "{m} dernier", "au mois de {m} dernier"],
        "next": ["en {m} prochain", "{m} prochain"],
        "early": [
            "début {m}",
            "au début {m}",
            "début de {m}",
            "début d'{m}",
            "au début du mois de {m}",
        ],
        "mid": ["mi-{m}", "à la mi-{m}", "mi {m}"],
        "late": [
            "fin {m}",
            "fin de {m}",
            "fin d'{m}",
            "à la fin de {m}",
            "à la fin d'{m}",
            "à la fin du mois de {m}",
        ],
    },
    "en": {
        "bare": ["{m}"],
        "default": ["in {m}", "since {m}", "during {m}", "in the month of {m}"],
        "last": ["last {m}", "in {m} last year"],
        "next": ["next {m}", "in {m} next year"],
        "early": [
            "early {m}",
            "in early {m}",
            "early in {m}",
            "the beginning of {m}",
            "beginning of {m}",
            "the start of {m}",
            "start of {m}",
        ],
        "mid": ["mid-{m}", "in mid-{m}", "mid {m}", "the middle of {m}", "middle of {m}"],
        "late": ["late {m}", "in late {m}", "late in {m}", "the end of {m}", "end of {m}"],
    },
    "de": {
        "bare": ["{m}"],
        "default": ["im {m}", "seit {m}"],
        "last": ["im vergangenen {m}", "letzten {m}", "im letzten {m}"],
        "next": ["im kommenden {m}", "nächsten {m}", "im nächsten {m}"],
        "early": ["anfang {m}"],
        "mid": ["mitte {m}"],
        "late": ["ende {m}"],
    },
    "es": {
        "bare": ["{m}"],
        "default": ["en {m}", "desde {m}"],
        "last": ["en {m} pasado", "el pasado {m}", "en {m} del año pasado"],
        "next": ["el próximo {m}", "en {m} próximo"],
        "early": ["a principios de {m}", "principios de {m}", "a comienzos de {m}"],
        "mid": ["a mediados de {m}", "mediados de {m}"],
        "late": ["a finales de {m}", "finales de {m}", "a fines de {m}"],
    },
    "ru": {
        "bare": ["{m}"],
        "default": ["в {m}"],
        "last": [],
        "next": [],
        "early": ["в начале {m}"],
        "mid": ["в середине {m}"],
        "late": ["в конце {m}"],
    },
    "ko": {"bare": [], "default": [], "last": [], "next": [], "early": [], "mid": [], "late": []},
}
_SEASON_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "fr": {
        "bare": ["{s}"],
        "default": ["en {s}", "au {s}", "à l'{s}", "l'{s}"],
        "this": ["cet {s}", "ce {s}"],
        "last": ["l'{s} dernier", "{s} dernier", "le {s} dernier", "au {s} dernier"],
        "next": ["l'{s} prochain", "{s} prochain", "le {s} prochain", "au {s} prochain"],
    },
    "en": {
        "bare": ["{s}"],
        "default": ["in {s}", "in the {s}", "during the {s}", "over the {s}"],
        "this": ["this {s}"],
        "last": ["last {s}"],
        "next": ["next {s}"],
    },
    "de": {
        "bare": ["{s}"],
        "default": ["im {s}"],
        "this": ["diesen {s}", "in diesem {s}"],
        "last": ["letzten {s}", "im letzten {s}", "im vergangenen {s}", "vergangenen {s}"],
        "next": ["nächsten {s}", "im nächsten {s}", "im kommenden {s}"],
    },
    "es": {
        "bare": ["{s}"],
        "default": ["en {s}", "en el {s}"],
        "this": ["este {s}"],
        "last": ["el {s} pasado", "en el {s} pasado"],
        "next": ["el próximo {s}"],
    },
    "ru": {
        "bare": [],
        "default": ["{s}"],
        "this": ["этим {s}"],
        "last": ["прошлым {s}"],
        "next": ["следующим {s}"],
    },
    "ko": {
        "bare": [],
        "default": ["{s}"],
        "this": ["올{s}", "이번 {s}"],
        "last": ["지난{s}", "지난 {s}", "작년 {s}"],
        "next": ["내년 {s}"],
    },
}
# Languages read from the generated words only, with a few templates each (the month alone
# is taken after a preposition, never bare).
_WEEKDAY_TEMPLATES.update(
    {
        "uk": {
            "default": ["{w}", "у {w}", "в {w}"],
            "last": ["минулого {w}", "у минулий {w}", "в минулий {w}", "минулої {w}"],
            "next": ["наступного {w}", "у наступний {w}", "в наступний {w}"],
        },
        "it": {"default": ["{w}"], "last": ["{w} scorso", "{w} scorsa"], "next": ["{w} prossimo"]},
        "pt": {"default": ["na {w}", "no {w}"], "last": ["na {w} passada", "no {w} passado"]},
        "pl": {"default": ["w {w}", "we {w}"], "last": ["w ostatni {w}", "w ostatnią {w}"]},
        "ja": {"default": ["{w}"]},
        "zh": {"default": ["{w}"]},
        "ar": {"default": ["{w}", "يوم {w}"], "last": ["{w} الماضي"], "next": ["{w} المقبل"]},
        "hi": {"default": ["{w}", "{w} को"]},
    }
)
_MONTH_TEMPLATES.update(
    {
        "uk": {
            "default": ["у {m}", "в {m}"],
            "early": ["на початку {m}"],
            "mid": ["у середині {m}", "в середині {m}"],
            "late": ["наприкінці {m}", "у кінці {m}", "в кінці {m}"],
        },
        "it": {
            "default": ["a {m}", "in {m}", "nel mese di {m}", "da {m}"],
            "last": ["lo scorso {m}", "{m} scorso"],
            "next": ["il prossimo {m}", "{m} prossimo"],
            "early": ["all'inizio di {m}", "a inizio {m}", "ai primi di {m}"],
            "mid": ["a metà {m}", "a metà di {m}"],
            "late": ["alla fine di {m}", "a fine {m}"],
        },
        "pt": {
            "default": ["em {m}", "desde {m}", "no mês de {m}"],
            "last": ["em {m} passado", "no último mês de {m}"],
            "next": ["em {m} próximo", "no próximo mês de {m}"],
            "early": ["no início de {m}", "em início de {m}", "no começo de {m}"],
            "mid": ["em meados de {m}", "meados de {m}"],
            "late": ["no fim de {m}", "no final de {m}", "em fins de {m}", "em finais de {m}"],
        },
        "pl": {
            "default": ["w {m}", "od {m}"],
            "early": ["na początku {m}", "z początkiem {m}"],
            "mid": ["w połowie {m}"],
            "late": ["pod koniec {m}", "na koniec {m}", "z końcem {m}"],
        },
        "ar": {
            "default": ["في {m}", "خلال {m}", "منذ {m}"],
            "last": ["{m} الماضي", "في {m} الماضي"],
            "next": ["{m} المقبل", "في {m} المقبل", "{m} القادم"],
            "early": ["مطلع {m}", "أوائل {m}", "في مطلع {m}", "في أوائل {m}", "بداية {m}"],
            "mid": ["منتصف {m}", "في منتصف {m}", "أواسط {m}"],
            "late": ["أواخر {m}", "نهاية {m}", "في أواخر {m}", "في نهاية {m}"],
        },
        "hi": {
            "default": ["{m} में", "{m} से"],
            "last": ["पिछले {m}", "पिछले {m} में"],
            "next": ["अगले {m}", "अगले {m} में"],
            "early": ["{m} की शुरुआत में", "{m} के शुरू में"],
            "mid": ["{m} के मध्य में", "{m} के मध्य"],
            "late": ["{m} के अंत में", "{m} के आखिर में"],
        },
    }
)
for _code in LANGUAGES:
    if _code not in _RELATIVE:
        _RELATIVE[_code] = dict(_GENERATED_RELATIVE[_code])

# Words introducing a bare year ("en 2024", "fin 2024"): phrase -> part of the year (or "").
_YEAR_PREFIXES: dict[str, dict[str, str]] = {
    "fr": {
        "en": "",
        "courant": "",
        "depuis": "",
        "l'année": "",
        "au cours de l'année": "",
        "début": "early",
        "au début de": "early",
        "début de": "early",
        "mi-": "mid",
        "mi": "mid",
        "à la mi-": "mid",
        "fin": "late",
        "à la fin de": "late",
        "fin de": "late",
    },
    "en": {
        "in": "",
        "during": "",
        "since": "",
        "early": "early",
        "in early": "early",
        "early in": "early",
        "mid-": "mid",
        "in mid-": "mid",
        "late": "late",
        "in late": "late",
        "late in": "late",
        "the end of": "late",
        "end of": "late",
        "the beginning of": "early",
        "beginning of": "early",
        "the start of": "early",
        "start of": "early",
    },
    "de": {"im jahr": "", "seit": "", "anfang": "early", "mitte": "mid", "ende": "late"},
    "es": {
        "en": "",
        "desde": "",
        "a principios de": "early",
        "a mediados de": "mid",
        "a finales de": "late",
        "finales de": "late",
    },
    "ru": {"в": "", "с": "", "в начале": "early", "в середине": "mid", "в конце": "late"},
    "ko": {},
}
# Count-relative: phrase before the count -> sign; phrase after the unit -> sign.
_COUNT_BEFORE: dict[str, dict[str, int]] = {
    "fr": {"il y a": -1, "dans": 1, "d'ici": 1},
    "en": {"in": 1, "within": 1},
    "de": {"vor": -1, "in": 1},
    "es": {"hace": -1, "dentro de": 1, "en": 1},
    "ru": {"через": 1},
    "ko": {},
}
_COUNT_AFTER: dict[str, dict[str, int]] = {
    "fr": {},
    "en": {"ago": -1, "from now": 1},
    "de": {},
    "es": {"atrás": -1},
    "ru": {"назад": -1, "спустя": 1},
    "ko": {"전": -1, "후": 1, "뒤": 1},
}
_FUTURE = {
    "fr": r"\b(?:doit|doivent|devra|devront|devrait|devraient|prévue?s?|aura lieu|se tiendra|"
    r"va|vont|dès le|à partir du|attendue?s?|programmée?s?|sera|seront|d'ici|pourrait|"
    r"pourraient|prochaine?|aura|auront)\b"
    # verbs in the future tense: "partiront", "signera", "viendront"
    r"|\b\w{2,}(?:eront|iront|dront|ront|era|ira|dra)\b(?<!\bfront)(?<!opéra)(?<!caméra)"
    r"(?<!choléra)",
    "en": r"\b(?:will|is to|are to|scheduled|planned|plans|expected|due|set to|upcoming|next|"
    r"shall|going to|to be held)\b",
    "de": r"\b(?:wird|werden|soll|sollen|geplant|ab dem|nächste[nmrs]?|kommende[nmrs]?)\b",
    "es": r"\b(?:será|serán|va a|van a|prevista|previsto|previstas|previstos|a partir del|"
    r"próxim[oa]s?|tendrá lugar|se celebrará)\b",
    "ru": r"(?:будет|будут|планируется|состоится|запланирован\w*|намерен\w*|собирается)",
    "ko": r"(?:예정|계획|것으로|할 것)",
}
# "in" + count is also a duration ("the first time in 30 years"): taken as a future date only
# for up to 12 days, weeks or months, or in future wording
_AMBIGUOUS_IN = frozenset({"in", "en", "within"})


# --------------------------------------------------------------------------------------------
# Compiled per language
# --------------------------------------------------------------------------------------------

# Phrase kinds: ("rel", unit, offset) | ("wd", weekday, mode) | ("month", m, mode)
# | ("season", s, mode) | ("yearpre", part) | ("countpre", sign) | ("num", n)
_Kind = tuple[str, object, object]


@dataclass(frozen=True)
class _Lang:
    code: str
    scan: re.Pattern[str]
    phrases: dict[str, list[_Kind]]
    months: dict[str, int]
    units: dict[str, str]
    numbers: dict[str, int]
    count_after: dict[str, int]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    after_year: re.Pattern[str]
    count: re.Pattern[str]
    count_after_re: re.Pattern[str]
    future: re.Pattern[str]
    date_follows: re.Pattern[str]


def _add(phrases: dict[str, list[_Kind]], phrase: str, kind: _Kind) -> None:
    phrase = phrase.replace("’", "'")
    kinds = phrases.setdefault(phrase, [])
    if kind not in kinds:
        kinds.append(kind)


def _alt(words: Iterable[str]) -> str:
    return "(?:" + trie_pattern(words) + ")"


def _build(code: str) -> _Lang:
    phrases: dict[str, list[_Kind]] = {}
    for phrase, (unit, offset) in _RELATIVE.get(code, {}).items():
        _add(phrases, phrase, ("rel", unit, offset))
    for name, wd in _WEEKDAYS.get(code, {}).items():
        for mode, templates in _WEEKDAY_TEMPLATES.get(code, {}).items():
            for t in templates:
                _add(phrases, t.format(w=name), ("wd", wd, mode))
    months = _MONTHS.get(code, {})
    for name, m in months.items():
        for mode, templates in _MONTH_TEMPLATES.get(code, {}).items():
            for t in templates:
                _add(phrases, t.format(m=name), ("month", m, mode))
    for name, season in _SEASONS.get(code, {}).items():
        for mode, templates in _SEASON_TEMPLATES.get(code, {}).items():
            for t in templates:
                _add(phrases, t.format(s=name), ("season", season, mode))
    for phrase, part in _YEAR_PREFIXES.get(code, {}).items():
        _add(phrases, phrase, ("yearpre", part, None))
    for phrase, sign in _COUNT_BEFORE.get(code, {}).items():
        _add(phrases, phrase, ("countpre", sign, None))
    numbers = _NUMBERS.get(code, {})
    if code in ("en", "ru"):
        for word in numbers:
            _add(phrases, word, ("num", None, None))
    units = _UNITS.get(code, {})
    count_after = _COUNT_AFTER.get(code, {})
    hangul = code in ("ko", "ja", "zh")
    end = "" if hangul else r"(?![^\W\d_])"
    # No look-behind here: it would defeat the regex engine's fast scan; checked in Python.
    scan = re.compile("(?:" + trie_pattern(phrases) + ")" + end)
    month_alt = _alt(months) if months else "(?!)"
    day_month = re.compile(
        r"(?P<d1>\d{1,2})(?:er|st|nd|rd|th|\.)?"
        r"(?:\s*(?:-|–|au|à|to|and|et|ou|or|y|o|und|oder|bis|и|или|по|al)\s*"
        r"(?P<d2>\d{1,2})(?:er|st|nd|rd|th|\.)?)?"
        r"\s+(?:de\s+|of\s+)?(?P<m>" + month_alt + r")(?![^\W\d_])"
        r"(?:,?\s+(?:de\s+|del\s+)?(?P<y>\d{4})(?!\d)(?:\s*(?:года|г\.))?)?"
    )
    month_day = re.compile(
        r"\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:\s*[-–]\s*(?P<d2>\d{1,2})(?![\d:]))?"
        r"(?:,?\s+(?P<y>\d{4})(?!\d))?"
    )
    after_year = re.compile(r",?\s+(?:of\s+|de\s+|del\s+)?(?P<y>\d{4})(?!\d)(?:\s*(?:года|г\.))?")
    num_alt = r"\d{1,3}" + ("|" + _alt(numbers) if numbers else "")
    unit_alt = _alt(units) if units else "(?!)"
    sep = r"\s*" if hangul else r"\s+"
    count = re.compile(r"\s*(?P<n>" + num_alt + r")" + sep + r"(?P<u>" + unit_alt + r")" + end)
    count_after_re = re.compile(
        r"\s*(?P<a>" + (_alt(count_after) if count_after else "(?!)") + r")" + end
    )
    future = re.compile(_FUTURE.get(code, r"(?!)"))
    date_follows = re.compile(r",?\s+(?:the\s+)?(?:\d|" + month_alt + ")")
    return _Lang(
        code,
        scan,
        phrases,
        months,
        units,
        numbers,
        count_after,
        day_month,
        month_day,
        after_year,
        count,
        count_after_re,
        future,
        date_follows,
    )


_LANGS: dict[str, _Lang] = {code: _build(code) for code in LANGUAGES}
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d])")
_NUMERIC = re.compile(
    r"(?P<a>\d{1,2})(?P<s>[/.-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?!\d)(?![.,]\d)"
)
# Korean, Japanese and Chinese dates: 2024년 6월 19일, 2024年6月19日, 6月, 2024年
_KO_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s?[년年]\s?)?(?P<m>\d{1,2})\s?[월月](?:\s?(?P<d>\d{1,2})\s?[일日号號])?"
    r"|(?P<yo>\d{4})\s?[년年]"
)
_KO_DAY = re.compile(r"(?P<d>\d{1,2})\s?일(?!\s?(?:간|째|동안|전|후|뒤|만|이내|가량|정도|분))")
_YEAR = re.compile(r"(?P<y>(?:19|20)\d{2})(?![\d])(?![^\W\d_])")
_SENTENCE_START = re.compile(r"[.!?;\n]\s")
# where the clause governed by a date ends: "said on Tuesday that…", "a déclaré mardi qu'…"
_CLAUSE_END = re.compile(
    r"[.!?;\n]|\b(?:that|que|qu'|dass|что|which|who|after|before|après|avant|but|mais)\b"
)


# --------------------------------------------------------------------------------------------
# Calendar arithmetic
# --------------------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, _last_day(year, month))


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _week_span(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _season_span(season: str, season_year: int) -> tuple[date, date]:
    first = _SEASON_SPAN[season]
    y2, m2 = _shift_month(season_year, first, 2)
    return date(season_year, first, 1), date(y2, m2, _last_day(y2, m2))


def _part_of_month(year: int, month: int, part: str) -> tuple[date, date]:
    if part == "early":
        return date(year, month, 1), date(year, month, 10)
    if part == "mid":
        return date(year, month, 11), date(year, month, 20)
    return date(year, month, 21), date(year, month, _last_day(year, month))


def _part_of_year(year: int, part: str) -> tuple[date, date]:
    if part == "early":
        return date(year, 1, 1), date(year, 3, 31)
    if part == "mid":
        return date(year, 5, 1), date(year, 8, 31)
    if part == "late":
        return date(year, 10, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def _relative_span(unit: str, offset: int, published: date) -> tuple[date, date, str]:
    if unit == "day":
        d = published + timedelta(days=offset)
        return d, d, "day"
    if unit == "week":
        s, e = _week_span(published + timedelta(days=7 * offset))
        return s, e, "week"
    if unit == "weekend":
        return (*_weekend(published, offset), "week")
    if unit == "weekend_past":  # "over the weekend": the latest one begun
        wd = published.weekday()
        saturday = published - timedelta(days=(wd - 5) % 7)
        return saturday, saturday + timedelta(days=1), "week"
    if unit == "month":
        y, m = _shift_month(published.year, published.month, offset)
        s, e = _month_span(y, m)
        return s, e, "month"
    y = published.year + offset
    return date(y, 1, 1), date(y, 12, 31), "year"


def _weekend(published: date, offset: int) -> tuple[date, date]:
    """This weekend: the one containing ``published``; on Monday the one just past; else the
    coming one. ``offset`` moves by weeks from there."""
    wd = published.weekday()
    if wd >= 5:
        saturday = published - timedelta(days=wd - 5)
    elif wd == 0:
        saturday = published - timedelta(days=2)
    else:
        saturday = published + timedelta(days=5 - wd)
    if offset == -1 and wd < 5 and wd != 0:
        saturday -= timedelta(days=7)
    elif offset:
        saturday += timedelta(days=7 * offset)
    return saturday, saturday + timedelta(days=1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if (
        not (1 <= year <= 9999)
        or not (1 <= month <= 12)
        or not (1 <= day <= _last_day(year, month))
    ):
        return None
    return date(year, month, day)


def _resolve_day_month(month: int, day: int, published: date, future: bool) -> date | None:
    """A day and month without a year: the most recent one on or before publication, or the
    next one on or after it when the sentence speaks of the future."""
    this_year = _safe_date(published.year, month, day)
    if future:
        if this_year is not None and this_year >= published:
            return this_year
        return _safe_date(published.year + 1, month, day)
    if this_year is not None and this_year <= published:
        return this_year
    return _safe_date(published.year - 1, month, day)


def _month_year(month: int, mode: str, published: date, future: bool) -> int:
    pm = published.month
    if mode == "last":
        return published.year if month < pm else published.year - 1
    if mode == "next":
        return published.year if month > pm else published.year + 1
    if future:
        return published.year if month >= pm else published.year + 1
    return published.year if month <= pm else published.year - 1


def _season_year(season: str, mode: str, published: date, future: bool) -> int:
    """The year in which the meant season starts (winter starts in December).

    this ("cet été", "this summer"): the occurrence containing the publication date, else the one
    of the publication year; default ("en été", "à l'automne"): the occurrence containing the
    publication date, else the latest one begun (the next one in future wording); last: the
    latest one over before publication; next: the first one starting after it."""
    years = (published.year - 2, published.year - 1, published.year, published.year + 1)
    spans = {sy: _season_span(season, sy) for sy in years}
    if mode == "last":
        return max(sy for sy, (_, e) in spans.items() if e < published)
    if mode == "next":
        return min(sy for sy, (s, _) in spans.items() if s > published)
    for sy, (s, e) in spans.items():
        if s <= published <= e:
            return sy
    start, end = spans[published.year]
    if mode == "this":
        return published.year + 1 if future and end < published else published.year
    # a bare season: the latest one begun, or the next one in future wording
    if future:
        return published.year if start > published else published.year + 1
    return published.year if start <= published else published.year - 1


def _weekday_date(weekday: int, mode: str, published: date, future: bool) -> date:
    delta = (published.weekday() - weekday) % 7
    if mode == "last":
        return published - timedelta(days=delta or 7)
    ahead = (weekday - published.weekday()) % 7
    if mode == "next":
        return published + timedelta(days=ahead or 7)
    if future:
        return published + timedelta(days=ahead)
    return published - timedelta(days=delta)


# --------------------------------------------------------------------------------------------
# The scanner
# --------------------------------------------------------------------------------------------


def _norm_lang(lang: str | None) -> tuple[str, ...]:
    if not lang:
        return ("fr", "en")
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code in _LANGS:
        return (code,)
    return ("en",)


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low.replace("’", "'")


def _is_future(spec: _Lang, low: str, start: int, end: int) -> bool:
    """Whether the sentence around ``low[start:end]`` speaks of the future: a marker before it
    in the same sentence, or after it in the same clause ("On Saturday, storms will…", but not
    "said on Tuesday that it will…")."""
    lo = max(0, start - 80)
    window = low[lo:start]
    cut = None
    for m in _SENTENCE_START.finditer(window):
        cut = m.end()
    if cut is not None:
        window = window[cut:]
    if spec.future.search(window) is not None:
        return True
    after = low[end : end + 60]
    stop = _CLAUSE_END.search(after)
    if stop is not None:
        after = after[: stop.start()]
    return spec.future.search(after) is not None


def _mention(
    text: str, s: date, e: date, precision: str, i: int, j: int, relative: bool
) -> DateMention:
    return DateMention(s, e, precision, text[i:j], i, j, relative)


def _scan_digits(
    spec: _Lang, text: str, low: str, pos: int, published: date
) -> tuple[DateMention | None, int]:
    """Dates that start with a digit. Returns (mention, end of what was consumed)."""
    m = _ISO.match(low, pos)
    if m is not None:
        d = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if d is not None:
            return _mention(text, d, d, "day", pos, m.end(), False), m.end()
    m = _NUMERIC.match(low, pos)
    if m is not None:
        a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
        if y < 100:
            y += 2000
        day, month = (b, a) if spec.code == "en" and b > 12 else (a, b)
        d = _safe_date(y, month, day)
        if d is not None:
            return _mention(text, d, d, "day", pos, m.end(), False), m.end()
    window = low[pos : pos + 8]
    if spec.code in ("ko", "ja", "zh") or any(ch in window for ch in "년월年月"):
        m = _KO_DATE.match(low, pos)
        if m is not None:
            if m["yo"]:
                y = int(m["yo"])
                return (
                    _mention(text, date(y, 1, 1), date(y, 12, 31), "year", pos, m.end(), False),
                    m.end(),
                )
            month = int(m["m"])
            if 1 <= month <= 12:
                if m["d"]:
                    if m["y"]:
                        when = _safe_date(int(m["y"]), month, int(m["d"]))
                        rel = False
                    else:
                        when = _resolve_day_month(
                            month, int(m["d"]), published, _is_future(spec, low, pos, m.end())
                        )
                        rel = True
                    if when is not None:
                        return _mention(text, when, when, "day", pos, m.end(), rel), m.end()
                else:
                    if m["y"]:
                        y, rel = int(m["y"]), False
                    else:
                        future = _is_future(spec, low, pos, m.end())
                        y = _month_year(month, "default", published, future)
                        rel = True
                    s, e = _month_span(y, month)
                    return _mention(text, s, e, "month", pos, m.end(), rel), m.end()
    if spec.code == "ko" and (pos == 0 or not low[pos - 1].isdigit()):
        # "12일": the 12th of this month in Korean news (of last month when still to come)
        m = _KO_DAY.match(low, pos)
        if m is not None and 1 <= int(m["d"]) <= 31:
            day = int(m["d"])
            future = _is_future(spec, low, pos, m.end())
            y, mo = published.year, published.month
            if day > published.day and not future:
                y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
            when = _safe_date(y, mo, day)
            if when is not None:
                return _mention(text, when, when, "day", pos, m.end(), True), m.end()
    m = spec.day_month.match(low, pos)
    if m is not None:
        month = spec.months[m["m"]]
        d1 = int(m["d1"])
        d2 = int(m["d2"]) if m["d2"] else d1
        if m["y"]:
            y = int(m["y"])
            s1, s2 = _safe_date(y, month, d1), _safe_date(y, month, d2)
            rel = False
        else:
            future = _is_future(spec, low, pos, m.end())
            s1 = _resolve_day_month(month, d1, published, future)
            s2 = None if s1 is None else _safe_date(s1.year, month, d2)
            rel = True
        if s1 is not None and s2 is not None and s1 <= s2:
            return _mention(text, s1, s2, "day", pos, m.end(), rel), m.end()
    # counts written with digits: "3 days ago", "3일 전", "3 дня назад"
    if spec.count_after:
        cm = spec.count.match(low, pos)
        if cm is not None:
            am = spec.count_after_re.match(low, cm.end())
            if am is not None:
                n = int(cm["n"]) if cm["n"].isdigit() else spec.numbers[cm["n"]]
                sign = spec.count_after[am["a"]]
                unit = spec.units[cm["u"]]
                s, e, precision = _count_span(unit, sign * n, published)
                return _mention(text, s, e, precision, pos, am.end(), True), am.end()
    return None, pos + 1


def _count_span(unit: str, delta: int, published: date) -> tuple[date, date, str]:
    if unit == "day":
        d = published + timedelta(days=delta)
        return d, d, "day"
    if unit == "week":
        s, e = _week_span(published + timedelta(days=7 * delta))
        return s, e, "week"
    return _relative_span(unit, delta, published)


def _resolve_phrase(
    spec: _Lang, text: str, low: str, start: int, end: int, kinds: list[_Kind], published: date
) -> tuple[DateMention | None, int]:
    for kind, a, b in kinds:
        if kind == "rel":
            assert isinstance(a, str) and isinstance(b, int)
            s, e, precision = _relative_span(a, b, published)
            return _mention(text, s, e, precision, start, end, True), end
        if kind == "wd":
            assert isinstance(a, int) and isinstance(b, str)
            if spec.date_follows.match(low, end):
                return None, end  # "jeudi 12 décembre": the date itself follows
            future = b == "default" and _is_future(spec, low, start, end)
            d = _weekday_date(a, b, published, future)
            return _mention(text, d, d, "day", start, end, True), end
        if kind == "month":
            assert isinstance(a, int) and isinstance(b, str)
            res = _resolve_month(spec, text, low, start, end, a, b, published)
            if res[0] is not None:
                return res
            continue
        if kind == "season":
            assert isinstance(a, str) and isinstance(b, str)
            ym = spec.after_year.match(low, end)
            if ym is not None:
                sy = int(ym["y"])
                s, e = _season_span(a, sy)
                return _mention(text, s, e, "season", start, ym.end(), False), ym.end()
            if b == "bare":
                continue
            future = b in ("default", "this") and _is_future(spec, low, start, end)
            sy = _season_year(a, b, published, future)
            s, e = _season_span(a, sy)
            return _mention(text, s, e, "season", start, end, True), end
        if kind == "yearpre":
            assert isinstance(a, str)
            ym = _YEAR.match(low, end + 1 if low[end : end + 1] == " " else end)
            if ym is not None and (low[end : end + 1] == " " or text[end - 1] == "-"):
                y = int(ym["y"])
                s, e = _part_of_year(y, a)
                precision = "season" if a else "year"
                return _mention(text, s, e, precision, start, ym.end(), False), ym.end()
            continue
        if kind == "countpre":
            assert isinstance(b, type(None)) and isinstance(a, int)
            cm = spec.count.match(low, end)
            if cm is not None:
                n = int(cm["n"]) if cm["n"].isdigit() else spec.numbers[cm["n"]]
                unit = spec.units[cm["u"]]
                if (
                    low[start:end] in _AMBIGUOUS_IN
                    and (n > 12 or unit == "year")
                    and not _is_future(spec, low, start, cm.end())
                ):
                    continue  # "the worst crash in 30 years" is a duration
                s, e, precision = _count_span(unit, a * n, published)
                return _mention(text, s, e, precision, start, cm.end(), True), cm.end()
            continue
        if kind == "num":
            cm = spec.count.match(low, start)
            if cm is not None:
                am = spec.count_after_re.match(low, cm.end())
                if am is not None:
                    n = spec.numbers[cm["n"]] if not cm["n"].isdigit() else int(cm["n"])
                    sign = spec.count_after[am["a"]]
                    unit = spec.units[cm["u"]]
                    s, e, precision = _count_span(unit, sign * n, published)
                    return _mention(text, s, e, precision, start, am.end(), True), am.end()
            continue
    return None, end


def _resolve_month(
    spec: _Lang,
    text: str,
    low: str,
    start: int,
    end: int,
    month: int,
    mode: str,
    published: date,
) -> tuple[DateMention | None, int]:
    # English "may"/"march" are months only when written with a capital
    if spec.code == "en":
        last = low[start:end].rsplit(" ", 1)[-1].rsplit("-", 1)[-1]
        if last in ("may", "march") and not text[end - len(last)].isupper():
            return None, end
    if mode in ("bare", "default"):
        dm = spec.month_day.match(low, end)
        if dm is not None and not (low[end : end + 1] == "." and spec.code != "en"):
            d1 = int(dm["d1"])
            d2 = int(dm["d2"]) if dm["d2"] else d1
            if dm["y"]:
                y = int(dm["y"])
                s1, s2 = _safe_date(y, month, d1), _safe_date(y, month, d2)
                rel = False
            else:
                future = _is_future(spec, low, start, dm.end())
                s1 = _resolve_day_month(month, d1, published, future)
                s2 = None if s1 is None else _safe_date(s1.year, month, d2)
                rel = True
            if s1 is not None and s2 is not None and s1 <= s2:
                return _mention(text, s1, s2, "day", start, dm.end(), rel), dm.end()
    ym = spec.after_year.match(low, end)
    if ym is not None and mode not in ("last", "next"):
        y = int(ym["y"])
        if mode in ("early", "mid", "late"):
            s, e = _part_of_month(y, month, mode)
        else:
            s, e = _month_span(y, month)
        return _mention(text, s, e, "month", start, ym.end(), False), ym.end()
    if mode == "bare":
        return None, end
    future = mode not in ("last", "next") and _is_future(spec, low, start, end)
    y = _month_year(
        month, "default" if mode in ("early", "mid", "late") else mode, published, future
    )
    if mode in ("early", "mid", "late"):
        s, e = _part_of_month(y, month, mode)
    else:
        s, e = _month_span(y, month)
    return _mention(text, s, e, "month", start, end, True), end


_DIGIT_RUN = re.compile(r"\d+")
_DIGIT_BOUNDARY = frozenset(".,/")


def _events(spec: _Lang, low: str) -> list[tuple[int, int]]:
    """Where a date may start, in order: (position, end of the phrase or -1 for a digit run)."""
    events: list[tuple[int, int]] = []
    unspaced = spec.code in _UNSPACED
    for dm in _DIGIT_RUN.finditer(low):
        i = dm.start()
        before = low[i - 1] if i else ""
        if i and (
            (before.isalpha() and not (unspaced and not _alphabetic(before)))
            or before in _DIGIT_BOUNDARY
            or before == "_"
        ):
            continue
        events.append((i, -1))
    pos = 0
    n = len(low)
    scan = spec.scan
    while pos < n:
        m = scan.search(low, pos)
        if m is None:
            break
        i = m.start()
        if i and not unspaced and (low[i - 1].isalpha() or low[i - 1] == "_"):
            pos = i + 1  # inside a word
            continue
        events.append((i, m.end()))
        pos = m.end()
    events.sort()
    return events


def resolve_dates(text: str, lang: str | None, published: date) -> list[DateMention]:
    """Every date or period mentioned in ``text``, resolved against ``published``."""
    low = _lower(text)
    found: list[DateMention] = []
    codes = _norm_lang(lang)
    for code in codes:
        spec = _LANGS[code]
        consumed = 0
        for start, end in _events(spec, low):
            if start < consumed:
                continue
            try:
                if end < 0:
                    mention, consumed = _scan_digits(spec, text, low, start, published)
                else:
                    mention, consumed = _resolve_phrase(
                        spec, text, low, start, end, spec.phrases[low[start:end]], published
                    )
            except (ValueError, OverflowError):
                # a year outside 1..9999 ("juin 0000", "next year" said in 9999)
                mention, consumed = None, max(end, start + 1)
            if mention is not None:
                found.append(mention)
    if len(codes) > 1:
        found = _drop_overlaps(found)
    return found


def _drop_overlaps(found: list[DateMention]) -> list[DateMention]:
    found.sort(key=lambda m: (m.start_idx, -(m.end_idx - m.start_idx)))
    out: list[DateMention] = []
    for m in found:
        if out and m.start_idx < out[-1].end_idx:
            continue
        out.append(m)
    return out
