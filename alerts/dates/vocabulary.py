"""The words the date resolver reads, per language.

Month, weekday and relative-day words are generated (``alerts/dates/data/<lang>.toml``, by
``python -m alerts.dates.build``); the templates around them ("en {m} dernier", "наприкінці
{m}", "{m} के अंत में"), seasons, count words and future markers are written here.
"""

from __future__ import annotations

from pathlib import Path

from alerts.wordtables import LANGUAGES, load_table


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
