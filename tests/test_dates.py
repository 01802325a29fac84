"""resolve_dates: dates and periods resolved against the publication date (invented sentences)."""

from __future__ import annotations

from datetime import date

import pytest

from alerts.dates import DateMention, resolve_dates

WED = date(2025, 1, 15)  # a Wednesday
D = date

# (lang, sentence, published, expected (start, end, precision, relative) of the FIRST mention)
FIRST_MENTION = [
    # absolute
    (
        "fr",
        "Le traité signé le 19 juin 2024 est en vigueur.",
        WED,
        (D(2024, 6, 19), D(2024, 6, 19), "day", False),
    ),
    (
        "en",
        "It was signed on June 19, 2024, in Pyongyang.",
        WED,
        (D(2024, 6, 19), D(2024, 6, 19), "day", False),
    ),
    ("en", "It was signed on 19 June 2024.", WED, (D(2024, 6, 19), D(2024, 6, 19), "day", False)),
    (
        "fr",
        "Signé le 19/06/2024 selon le décret.",
        WED,
        (D(2024, 6, 19), D(2024, 6, 19), "day", False),
    ),
    (
        "en",
        "Filed on 2024-06-19 by the agency.",
        WED,
        (D(2024, 6, 19), D(2024, 6, 19), "day", False),
    ),
    (
        "fr",
        "Le 1er mai 2024, rien ne s'est passé.",
        WED,
        (D(2024, 5, 1), D(2024, 5, 1), "day", False),
    ),
    (
        "fr",
        "Ils sont restés du 11 au 13 juillet 2025.",
        WED,
        (D(2025, 7, 11), D(2025, 7, 13), "day", False),
    ),
    (
        "fr",
        "Il a été vu en juin 2024 à Moscou.",
        WED,
        (D(2024, 6, 1), D(2024, 6, 30), "month", False),
    ),
    ("en", "It happened in June 2024.", WED, (D(2024, 6, 1), D(2024, 6, 30), "month", False)),
    ("fr", "La Russie a agi en 2024.", WED, (D(2024, 1, 1), D(2024, 12, 31), "year", False)),
    ("en", "The deal was struck in 2023.", WED, (D(2023, 1, 1), D(2023, 12, 31), "year", False)),
    (
        "fr",
        "Les soldats sont arrivés fin 2024.",
        WED,
        (D(2024, 10, 1), D(2024, 12, 31), "season", False),
    ),
    ("en", "Troops arrived in late 2024.", WED, (D(2024, 10, 1), D(2024, 12, 31), "season", False)),
    (
        "fr",
        "Les soldats sont arrivés à l'automne 2024.",
        WED,
        (D(2024, 9, 1), D(2024, 11, 30), "season", False),
    ),
    (
        "de",
        "Der Vertrag wurde am 19. Juni 2024 unterzeichnet.",
        WED,
        (D(2024, 6, 19), D(2024, 6, 19), "day", False),
    ),
    (
        "es",
        "El tratado se firmó el 19 de junio de 2024.",
        WED,
        (D(2024, 6, 19), D(2024, 6, 19), "day", False),
    ),
    (
        "ru",
        "Договор подписан 19 июня 2024 года.",
        WED,
        (D(2024, 6, 19), D(2024, 6, 19), "day", False),
    ),
    ("ko", "조약은 2024년 6월 19일 서명됐다.", WED, (D(2024, 6, 19), D(2024, 6, 19), "day", False)),
    ("ko", "2024년에 서명됐다.", WED, (D(2024, 1, 1), D(2024, 12, 31), "year", False)),
    # a day and month without a year: the latest past one, or the next one in future wording
    (
        "fr",
        "Il est arrivé le 19 juin à Moscou.",
        WED,
        (D(2024, 6, 19), D(2024, 6, 19), "day", True),
    ),
    (
        "fr",
        "Il doit arriver le 19 juin à Moscou.",
        WED,
        (D(2025, 6, 19), D(2025, 6, 19), "day", True),
    ),
    ("en", "He arrived on January 10.", WED, (D(2025, 1, 10), D(2025, 1, 10), "day", True)),
    ("en", "He will arrive on January 20.", WED, (D(2025, 1, 20), D(2025, 1, 20), "day", True)),
    (
        "fr",
        "Le jeudi 12 décembre, il a parlé.",
        WED,
        (D(2024, 12, 12), D(2024, 12, 12), "day", True),
    ),
    ("ko", "6월 19일 서명됐다.", WED, (D(2024, 6, 19), D(2024, 6, 19), "day", True)),
    # a month without a year
    ("fr", "Ils sont arrivés en juin.", WED, (D(2024, 6, 1), D(2024, 6, 30), "month", True)),
    ("en", "They arrived in June.", WED, (D(2024, 6, 1), D(2024, 6, 30), "month", True)),
    ("en", "They arrived in January.", WED, (D(2025, 1, 1), D(2025, 1, 31), "month", True)),
    (
        "fr",
        "Ils sont arrivés en juin dernier.",
        WED,
        (D(2024, 6, 1), D(2024, 6, 30), "month", True),
    ),
    ("en", "They arrived last June.", WED, (D(2024, 6, 1), D(2024, 6, 30), "month", True)),
    ("fr", "Ils partiront en mars prochain.", WED, (D(2025, 3, 1), D(2025, 3, 31), "month", True)),
    ("fr", "Ils sont arrivés fin octobre.", WED, (D(2024, 10, 21), D(2024, 10, 31), "month", True)),
    ("en", "They arrived in late October.", WED, (D(2024, 10, 21), D(2024, 10, 31), "month", True)),
    (
        "fr",
        "Ils sont arrivés début novembre.",
        WED,
        (D(2024, 11, 1), D(2024, 11, 10), "month", True),
    ),
    (
        "en",
        "They arrived in early November.",
        WED,
        (D(2024, 11, 1), D(2024, 11, 10), "month", True),
    ),
    (
        "fr",
        "Ils sont arrivés à la mi-juillet.",
        WED,
        (D(2024, 7, 11), D(2024, 7, 20), "month", True),
    ),
    ("en", "They arrived in mid-July.", WED, (D(2024, 7, 11), D(2024, 7, 20), "month", True)),
    ("de", "Sie kamen Ende Oktober an.", WED, (D(2024, 10, 21), D(2024, 10, 31), "month", True)),
    (
        "es",
        "Llegaron a finales de octubre.",
        WED,
        (D(2024, 10, 21), D(2024, 10, 31), "month", True),
    ),
    ("ru", "Они прибыли в конце октября.", WED, (D(2024, 10, 21), D(2024, 10, 31), "month", True)),
    ("ru", "Они прибыли в июне.", WED, (D(2024, 6, 1), D(2024, 6, 30), "month", True)),
    # days relative to publication
    ("fr", "Hier, le ministre a parlé.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    ("fr", "Avant-hier, le ministre a parlé.", WED, (D(2025, 1, 13), D(2025, 1, 13), "day", True)),
    ("fr", "Aujourd'hui, le ministre parle.", WED, (D(2025, 1, 15), D(2025, 1, 15), "day", True)),
    ("fr", "Ce matin, le ministre a parlé.", WED, (D(2025, 1, 15), D(2025, 1, 15), "day", True)),
    ("en", "Yesterday the minister spoke.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    ("en", "Today the minister speaks.", WED, (D(2025, 1, 15), D(2025, 1, 15), "day", True)),
    ("en", "This morning the minister spoke.", WED, (D(2025, 1, 15), D(2025, 1, 15), "day", True)),
    ("de", "Gestern sprach der Minister.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    ("es", "Ayer habló el ministro.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    ("ru", "Вчера министр заявил.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    ("ko", "어제 장관이 말했다.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    # weekdays
    ("fr", "Mardi, le ministre a parlé.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    ("fr", "Mercredi, le ministre a parlé.", WED, (D(2025, 1, 15), D(2025, 1, 15), "day", True)),
    ("en", "On Tuesday the minister spoke.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    ("en", "The minister spoke Thursday.", WED, (D(2025, 1, 9), D(2025, 1, 9), "day", True)),
    (
        "en",
        "The minister will speak on Thursday.",
        WED,
        (D(2025, 1, 16), D(2025, 1, 16), "day", True),
    ),
    (
        "fr",
        "Mardi dernier, le ministre a parlé.",
        WED,
        (D(2025, 1, 14), D(2025, 1, 14), "day", True),
    ),
    (
        "fr",
        "Mercredi dernier, le ministre a parlé.",
        WED,
        (D(2025, 1, 8), D(2025, 1, 8), "day", True),
    ),
    ("en", "Last Tuesday the minister spoke.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    (
        "fr",
        "Lundi prochain, le ministre parlera.",
        WED,
        (D(2025, 1, 20), D(2025, 1, 20), "day", True),
    ),
    ("en", "Next Monday the minister speaks.", WED, (D(2025, 1, 20), D(2025, 1, 20), "day", True)),
    ("de", "Am Dienstag sprach der Minister.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    (
        "es",
        "El martes pasado habló el ministro.",
        WED,
        (D(2025, 1, 14), D(2025, 1, 14), "day", True),
    ),
    ("ru", "Во вторник министр заявил.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    ("ko", "지난 화요일 장관이 말했다.", WED, (D(2025, 1, 14), D(2025, 1, 14), "day", True)),
    # weeks, weekends, months, years
    ("fr", "La semaine dernière, il a parlé.", WED, (D(2025, 1, 6), D(2025, 1, 12), "week", True)),
    ("en", "Last week he spoke.", WED, (D(2025, 1, 6), D(2025, 1, 12), "week", True)),
    ("fr", "Cette semaine, il parle.", WED, (D(2025, 1, 13), D(2025, 1, 19), "week", True)),
    ("en", "This week he speaks.", WED, (D(2025, 1, 13), D(2025, 1, 19), "week", True)),
    ("fr", "Ce week-end, il parlera.", WED, (D(2025, 1, 18), D(2025, 1, 19), "week", True)),
    (
        "fr",
        "Ce week-end, il a parlé.",
        D(2025, 1, 18),
        (D(2025, 1, 18), D(2025, 1, 19), "week", True),
    ),
    (
        "fr",
        "Ce week-end, il a parlé.",
        D(2025, 1, 20),
        (D(2025, 1, 18), D(2025, 1, 19), "week", True),
    ),
    ("en", "This weekend he speaks.", WED, (D(2025, 1, 18), D(2025, 1, 19), "week", True)),
    ("fr", "Le mois dernier, il a parlé.", WED, (D(2024, 12, 1), D(2024, 12, 31), "month", True)),
    ("en", "Last month he spoke.", WED, (D(2024, 12, 1), D(2024, 12, 31), "month", True)),
    ("fr", "L'année dernière, il a parlé.", WED, (D(2024, 1, 1), D(2024, 12, 31), "year", True)),
    ("fr", "L'an dernier, il a parlé.", WED, (D(2024, 1, 1), D(2024, 12, 31), "year", True)),
    ("en", "Last year he spoke.", WED, (D(2024, 1, 1), D(2024, 12, 31), "year", True)),
    ("de", "Letzte Woche sprach er.", WED, (D(2025, 1, 6), D(2025, 1, 12), "week", True)),
    ("es", "La semana pasada habló.", WED, (D(2025, 1, 6), D(2025, 1, 12), "week", True)),
    ("ru", "На прошлой неделе он заявил.", WED, (D(2025, 1, 6), D(2025, 1, 12), "week", True)),
    ("ru", "В прошлом году он заявил.", WED, (D(2025 - 1, 1, 1), D(2024, 12, 31), "year", True)),
    ("ko", "지난주 그는 말했다.", WED, (D(2025, 1, 6), D(2025, 1, 12), "week", True)),
    ("ko", "작년에 그는 말했다.", WED, (D(2024, 1, 1), D(2024, 12, 31), "year", True)),
    # counts
    ("fr", "Il y a trois jours, il a parlé.", WED, (D(2025, 1, 12), D(2025, 1, 12), "day", True)),
    ("fr", "Il y a 3 jours, il a parlé.", WED, (D(2025, 1, 12), D(2025, 1, 12), "day", True)),
    ("en", "Three days ago he spoke.", WED, (D(2025, 1, 12), D(2025, 1, 12), "day", True)),
    ("en", "He spoke 3 days ago.", WED, (D(2025, 1, 12), D(2025, 1, 12), "day", True)),
    ("en", "He spoke two weeks ago.", WED, (D(2024, 12, 30), D(2025, 1, 5), "week", True)),
    ("fr", "Il parlera dans deux semaines.", WED, (D(2025, 1, 27), D(2025, 2, 2), "week", True)),
    ("en", "He will speak in two weeks.", WED, (D(2025, 1, 27), D(2025, 2, 2), "week", True)),
    ("de", "Er sprach vor drei Tagen.", WED, (D(2025, 1, 12), D(2025, 1, 12), "day", True)),
    ("es", "Habló hace tres días.", WED, (D(2025, 1, 12), D(2025, 1, 12), "day", True)),
    ("ru", "Он заявил три дня назад.", WED, (D(2025, 1, 12), D(2025, 1, 12), "day", True)),
    ("ko", "그는 3일 전 말했다.", WED, (D(2025, 1, 12), D(2025, 1, 12), "day", True)),
    # seasons
    ("fr", "Cet été, il a parlé.", D(2025, 10, 2), (D(2025, 6, 1), D(2025, 8, 31), "season", True)),
    (
        "en",
        "This summer he spoke.",
        D(2025, 10, 2),
        (D(2025, 6, 1), D(2025, 8, 31), "season", True),
    ),
    (
        "fr",
        "L'été dernier, il a parlé.",
        D(2025, 10, 2),
        (D(2025, 6, 1), D(2025, 8, 31), "season", True),
    ),
    (
        "fr",
        "L'été dernier, il a parlé.",
        D(2025, 7, 2),
        (D(2024, 6, 1), D(2024, 8, 31), "season", True),
    ),
    ("en", "Last summer he spoke.", WED, (D(2024, 6, 1), D(2024, 8, 31), "season", True)),
    ("fr", "L'hiver dernier, il a parlé.", WED, (D(2023, 12, 1), D(2024, 2, 29), "season", True)),
    ("fr", "Cet hiver, il parle.", WED, (D(2024, 12, 1), D(2025, 2, 28), "season", True)),
    (
        "en",
        "In the autumn of 2024 he spoke.",
        WED,
        (D(2024, 9, 1), D(2024, 11, 30), "season", False),
    ),
]


@pytest.mark.parametrize(("lang", "sentence", "published", "expected"), FIRST_MENTION)
def test_first_mention(
    lang: str, sentence: str, published: date, expected: tuple[object, ...]
) -> None:
    found = resolve_dates(sentence, lang, published)
    assert found, f"nothing found in {sentence!r}"
    m = found[0]
    assert (m.start, m.end, m.precision, m.relative) == expected
    assert sentence[m.start_idx : m.end_idx] == m.text


NOTHING = [
    ("en", "North Korea may send more troops."),
    ("en", "Troops march toward the border."),
    ("fr", "Le 70e anniversaire et 12 000 soldats."),
    ("en", "It costs 2024 dollars."),
    ("fr", "Ils sont 19 à juin."),
    ("de", "Er ist hier."),
    ("en", "The June report was late."),
]


@pytest.mark.parametrize(("lang", "sentence"), NOTHING)
def test_nothing(lang: str, sentence: str) -> None:
    assert resolve_dates(sentence, lang, WED) == []


def test_several_mentions_in_order() -> None:
    text = "Hier, le ministre a rappelé le traité du 19 juin 2024; ils se reverront lundi prochain."
    found = resolve_dates(text, "fr", WED)
    assert [m.text for m in found] == ["Hier", "19 juin 2024", "lundi prochain"]
    assert [m.start for m in found] == [D(2025, 1, 14), D(2024, 6, 19), D(2025, 1, 20)]
    for m in found:
        assert text[m.start_idx : m.end_idx] == m.text


def test_without_language_reads_french_and_english() -> None:
    found = resolve_dates("hier and yesterday", None, WED)
    assert [m.text for m in found] == ["hier", "yesterday"]


def test_other_language_falls_back_to_digits_and_english() -> None:
    found = resolve_dates("2024-06-19", "ja", WED)
    assert [m.start for m in found] == [D(2024, 6, 19)]


def test_invalid_calendar_dates_are_ignored() -> None:
    assert resolve_dates("le 31/02/2024 et le 2024-13-01", "fr", WED) == []


def test_mention_is_frozen() -> None:
    m = resolve_dates("hier", "fr", WED)[0]
    assert isinstance(m, DateMention)
    with pytest.raises(AttributeError):
        m.precision = "year"  # type: ignore[misc]


MORE = [
    ("en", "They will come next March.", WED, (D(2025, 3, 1), D(2025, 3, 31), "month", True)),
    ("fr", "Ils partiront en mars prochain.", WED, (D(2025, 3, 1), D(2025, 3, 31), "month", True)),
    ("fr", "L'été prochain, ils partiront.", WED, (D(2025, 6, 1), D(2025, 8, 31), "season", True)),
    ("de", "Im Juni kamen sie an.", WED, (D(2024, 6, 1), D(2024, 6, 30), "month", True)),
    ("es", "En junio llegaron.", WED, (D(2024, 6, 1), D(2024, 6, 30), "month", True)),
    ("ko", "9월에 도착했다.", WED, (D(2024, 9, 1), D(2024, 9, 30), "month", True)),
    ("fr", "Présents depuis octobre 2024.", WED, (D(2024, 10, 1), D(2024, 10, 31), "month", False)),
    ("ko", "2주 후 도착한다.", WED, (D(2025, 1, 27), D(2025, 2, 2), "week", True)),
    ("ru", "Через две недели они прибудут.", WED, (D(2025, 1, 27), D(2025, 2, 2), "week", True)),
    ("en", "Filed 06/19/2024.", WED, (D(2024, 6, 19), D(2024, 6, 19), "day", False)),
    ("en", "Talks ran June 19-21, 2024.", WED, (D(2024, 6, 19), D(2024, 6, 21), "day", False)),
    (
        "en",
        "They met over the weekend.",
        D(2025, 1, 19),
        (D(2025, 1, 18), D(2025, 1, 19), "week", True),
    ),
    ("fr", "Ils sont arrivés mi-2024.", WED, (D(2024, 5, 1), D(2024, 8, 31), "season", False)),
    (
        "en",
        "They arrived by the end of 2024.",
        WED,
        (D(2024, 10, 1), D(2024, 12, 31), "season", False),
    ),
    ("en", "They arrived in summer 2024.", WED, (D(2024, 6, 1), D(2024, 8, 31), "season", False)),
    (
        "es",
        "Llegaron a principios de octubre.",
        WED,
        (D(2024, 10, 1), D(2024, 10, 10), "month", True),
    ),
    ("ru", "Они прибыли в начале октября.", WED, (D(2024, 10, 1), D(2024, 10, 10), "month", True)),
    ("de", "Sie kamen Anfang Oktober.", WED, (D(2024, 10, 1), D(2024, 10, 10), "month", True)),
    ("es", "El próximo lunes llegarán.", WED, (D(2025, 1, 20), D(2025, 1, 20), "day", True)),
    (
        "ru",
        "В следующий понедельник они прибудут.",
        WED,
        (D(2025, 1, 20), D(2025, 1, 20), "day", True),
    ),
    ("ko", "지난여름 도착했다.", WED, (D(2024, 6, 1), D(2024, 8, 31), "season", True)),
    ("ko", "올여름 도착한다.", WED, (D(2025, 6, 1), D(2025, 8, 31), "season", True)),
    ("ru", "Прошлым летом они прибыли.", WED, (D(2024, 6, 1), D(2024, 8, 31), "season", True)),
    ("ru", "Летом они прибыли.", WED, (D(2024, 6, 1), D(2024, 8, 31), "season", True)),
    # a bare season means the latest one begun: "à l'automne" said in January
    (
        "fr",
        "Depuis l'arrivée, à l'automne, des soldats.",
        WED,
        (D(2024, 9, 1), D(2024, 11, 30), "season", True),
    ),
    ("fr", "Ils partiront à l'automne.", WED, (D(2025, 9, 1), D(2025, 11, 30), "season", True)),
    # "compte" (account) is not future wording
    (
        "fr",
        "Il a rendu compte de son sommet du 12 juin.",
        D(2018, 6, 20),
        (D(2018, 6, 12), D(2018, 6, 12), "day", True),
    ),
]


@pytest.mark.parametrize(("lang", "sentence", "published", "expected"), MORE)
def test_more_mentions(
    lang: str, sentence: str, published: date, expected: tuple[object, ...]
) -> None:
    found = resolve_dates(sentence, lang, published)
    assert found, f"nothing found in {sentence!r}"
    m = found[0]
    assert (m.start, m.end, m.precision, m.relative) == expected


MORE_NOTHING = [
    ("en", "The 2024 treaty was cited."),
    ("en", "Two days later, a day earlier."),
    ("fr", "Le 31/02/2024 n'existe pas."),
]


@pytest.mark.parametrize(("lang", "sentence"), MORE_NOTHING)
def test_more_nothing(lang: str, sentence: str) -> None:
    assert resolve_dates(sentence, lang, WED) == []


def test_years_out_of_range_are_dropped_not_raised() -> None:
    assert resolve_dates("juin 0000 et 0000-01-01", "fr", WED) == []
    assert resolve_dates("l'année prochaine", "fr", date(9999, 12, 31)) == []
    assert resolve_dates("hier", "fr", date(1, 1, 1)) == []


def test_in_thirty_years_is_a_duration_not_a_date() -> None:
    found = resolve_dates("It was the worst crash in 30 years.", "en", WED)
    assert found == []
    found = resolve_dates("He turns 18 in three days.", "en", WED)
    assert [(m.start, m.precision) for m in found] == [(D(2025, 1, 18), "day")]


def test_over_the_weekend_is_the_latest_weekend() -> None:
    tuesday = D(2024, 4, 30)
    m = resolve_dates("A report published over the weekend said so.", "en", tuesday)[0]
    assert (m.start, m.end) == (D(2024, 4, 27), D(2024, 4, 28))


def test_future_wording_after_the_date_in_the_same_clause() -> None:
    friday = D(2024, 4, 26)
    m = resolve_dates("On Saturday, storms will reach Dallas.", "en", friday)[0]
    assert m.start == D(2024, 4, 27)
    # "said on Tuesday that it will": the future belongs to another clause
    m = resolve_dates("The ministry said on Tuesday that it will act.", "en", WED)[0]
    assert m.start == D(2025, 1, 14)
    m = resolve_dates("Mardi, il se rendra à Moscou.", "fr", WED)[0]
    assert m.start == D(2025, 1, 21)
    m = resolve_dates("Le ministère a annoncé mardi qu'il signera.", "fr", WED)[0]
    assert m.start == D(2025, 1, 14)


EXTRA = [
    (
        "fr",
        "Il doit le rencontrer vers le 4 ou 5 août.",
        D(2001, 7, 27),
        (D(2001, 8, 4), D(2001, 8, 5)),
    ),
    ("en", "They left by end of October.", WED, (D(2024, 10, 21), D(2024, 10, 31))),
    ("en", "They left at the start of March.", WED, (D(2024, 3, 1), D(2024, 3, 10))),
    ("en", "They left at the end of 2024.", WED, (D(2024, 10, 1), D(2024, 12, 31))),
    ("fr", "Signé le 19-06-2024.", WED, (D(2024, 6, 19), D(2024, 6, 19))),
    ("de", "Unterzeichnet am 19.06.2024 in Moskau.", WED, (D(2024, 6, 19), D(2024, 6, 19))),
    ("en", "Signed on the 19th of June.", WED, (D(2024, 6, 19), D(2024, 6, 19))),
]


@pytest.mark.parametrize(("lang", "sentence", "published", "expected"), EXTRA)
def test_extra_forms(
    lang: str, sentence: str, published: date, expected: tuple[date, date]
) -> None:
    m = resolve_dates(sentence, lang, published)[0]
    assert (m.start, m.end) == expected


@pytest.mark.parametrize(
    ("text", "lang", "published", "start"),
    [
        ("북한은 9월 초부터 컨테이너를 보냈다.", "ko", date(2024, 12, 2), date(2024, 9, 1)),
        (
            "Des convois circulent depuis la mi-octobre.",
            "fr",
            date(2025, 1, 10),
            date(2024, 10, 11),
        ),
        ("The shipments began in November.", "en", date(2025, 2, 3), date(2024, 11, 1)),
    ],
)
def test_months_of_past_acts_resolve_to_the_past(
    text: str, lang: str, published: date, start: date
) -> None:
    (mention,) = resolve_dates(text, lang, published)
    assert mention.start == start


def test_a_bare_korean_day_is_this_month_or_the_last() -> None:
    pub = date(2031, 3, 10)
    found = resolve_dates("북한은 8일 평양에서 협정에 서명했다.", "ko", pub)
    assert [(m.start, m.precision) for m in found] == [(date(2031, 3, 8), "day")]
    found = resolve_dates("양측은 27일 모스크바에서 만났다.", "ko", pub)
    assert [m.start for m in found] == [date(2031, 2, 27)]
    assert resolve_dates("대표단은 3일간 머물렀다.", "ko", pub) == []
