"""Dates in the 14 languages of the corpus, read with the generated calendar words
(alerts/dates/data: dateparser's month, weekday and relative-day words, pymorphy3's Russian and
Ukrainian cases). Published on Wednesday 15 January 2025 unless said otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from alerts.dates import resolve_dates
from alerts.dates.resolve import LANGUAGES

PUBLISHED = date(2025, 1, 15)

# (lang, text, mention text, start, end, precision)
CASES: list[tuple[str, str, str, date, date, str]] = [
    (
        "fr",
        "Le 19 juin 2024, Moscou a confirmé.",
        "19 juin 2024",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    (
        "fr",
        "Mardi dernier, Séoul a réagi.",
        "Mardi dernier",
        date(2025, 1, 14),
        date(2025, 1, 14),
        "day",
    ),
    ("en", "Troops arrived on Tuesday.", "on Tuesday", date(2025, 1, 14), date(2025, 1, 14), "day"),
    (
        "en",
        "It was signed in Sept. 2024.",
        "in Sept. 2024",
        date(2024, 9, 1),
        date(2024, 9, 30),
        "month",
    ),
    (
        "ru",
        "Это произошло 19 июня 2024 года.",
        "19 июня 2024 года",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    ("ru", "Войска прибыли в среду.", "в среду", date(2025, 1, 15), date(2025, 1, 15), "day"),
    (
        "ko",
        "2024년 6월 19일 평양에서",
        "2024년 6월 19일",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    ("ko", "어제 발표했다", "어제", date(2025, 1, 14), date(2025, 1, 14), "day"),
    # Ukrainian: its own months in the genitive and locative, weekdays in the accusative
    (
        "uk",
        "Це сталося 19 червня 2024 року.",
        "19 червня 2024",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    ("uk", "Війська прибули у червні.", "у червні", date(2024, 6, 1), date(2024, 6, 30), "month"),
    ("uk", "У вівторок Київ повідомив.", "У вівторок", date(2025, 1, 14), date(2025, 1, 14), "day"),
    ("uk", "Про це стало відомо вчора.", "вчора", date(2025, 1, 14), date(2025, 1, 14), "day"),
    (
        "uk",
        "наприкінці жовтня 2024 року",
        "наприкінці жовтня 2024",
        date(2024, 10, 21),
        date(2024, 10, 31),
        "month",
    ),
    (
        "de",
        "Am 19. Juni 2024 trafen sie ein.",
        "19. Juni 2024",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    ("de", "Gestern hieß es,", "Gestern", date(2025, 1, 14), date(2025, 1, 14), "day"),
    (
        "es",
        "el 19 de junio de 2024",
        "19 de junio de 2024",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    ("es", "el martes pasado", "el martes pasado", date(2025, 1, 14), date(2025, 1, 14), "day"),
    (
        "it",
        "Il 19 giugno 2024 sono arrivati.",
        "19 giugno 2024",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    ("it", "a metà giugno", "a metà giugno", date(2024, 6, 11), date(2024, 6, 20), "month"),
    ("it", "ieri sera", "ieri", date(2025, 1, 14), date(2025, 1, 14), "day"),
    (
        "pt",
        "Em 19 de junho de 2024 chegaram.",
        "19 de junho de 2024",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    ("pt", "em junho passado", "em junho passado", date(2024, 6, 1), date(2024, 6, 30), "month"),
    ("pt", "na segunda-feira", "na segunda-feira", date(2025, 1, 13), date(2025, 1, 13), "day"),
    (
        "pl",
        "19 czerwca 2024 r. przybyli",
        "19 czerwca 2024",
        date(2024, 6, 19),
        date(2024, 6, 19),
        "day",
    ),
    ("pl", "w czerwcu", "w czerwcu", date(2024, 6, 1), date(2024, 6, 30), "month"),
    ("pl", "w zeszłym tygodniu", "w zeszłym tygodniu", date(2025, 1, 6), date(2025, 1, 12), "week"),
    ("ja", "2024年6月19日に到着した", "2024年6月19日", date(2024, 6, 19), date(2024, 6, 19), "day"),
    ("ja", "先週、北朝鮮は", "先週", date(2025, 1, 6), date(2025, 1, 12), "week"),
    ("ja", "月曜日に発表", "月曜日", date(2025, 1, 13), date(2025, 1, 13), "day"),
    ("zh", "朝鲜在6月派兵", "6月", date(2024, 6, 1), date(2024, 6, 30), "month"),
    ("zh", "上周朝鲜宣布", "上周", date(2025, 1, 6), date(2025, 1, 12), "week"),
    ("zh", "2024年6月19日", "2024年6月19日", date(2024, 6, 19), date(2024, 6, 19), "day"),
    ("ar", "في يونيو الماضي", "في يونيو الماضي", date(2024, 6, 1), date(2024, 6, 30), "month"),
    ("ar", "وصلوا أمس", "أمس", date(2025, 1, 14), date(2025, 1, 14), "day"),
    ("ar", "19 يونيو 2024", "19 يونيو 2024", date(2024, 6, 19), date(2024, 6, 19), "day"),
    ("hi", "19 जून 2024 को", "19 जून 2024", date(2024, 6, 19), date(2024, 6, 19), "day"),
    ("hi", "जून में सैनिक पहुँचे", "जून में", date(2024, 6, 1), date(2024, 6, 30), "month"),
    ("hi", "आज घोषणा हुई", "आज", date(2025, 1, 15), date(2025, 1, 15), "day"),
]


@pytest.mark.parametrize(("lang", "text", "mention", "start", "end", "precision"), CASES)
def test_date(lang: str, text: str, mention: str, start: date, end: date, precision: str) -> None:
    found = resolve_dates(text, lang, PUBLISHED)
    assert [(m.text, m.start, m.end, m.precision) for m in found] == [
        (mention, start, end, precision)
    ]


def test_every_language_has_cases() -> None:
    assert {case[0] for case in CASES} == set(LANGUAGES)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "в среде экспертов"),  # "in the milieu": not a Wednesday
        ("uk", "серед експертів"),  # "among": a truncated weekday dateparser lists
        ("hi", "कल"),  # yesterday and tomorrow: no date
        ("pt", "a segunda vez"),  # "second", not Monday
        ("en", "They may come."),
    ],
)
def test_not_a_date(lang: str, text: str) -> None:
    assert resolve_dates(text, lang, PUBLISHED) == []
