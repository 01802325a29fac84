"""Figures in the 14 languages of the corpus: digits with scale words, number words (inflected
where the language inflects them), Chinese and Japanese numerals, qualifiers, ranges, vague
amounts. The words come from the generated tables (alerts/figures/data) and the phrase files
(alerts/figures/phrases)."""

from __future__ import annotations

import pytest

from alerts.figures import extract_quantities
from alerts.figures.numerals import LANGUAGES

# (lang, text, low, high, qualifier, unit)
CASES: list[tuple[str, str, int, int, str, str | None]] = [
    # French
    ("fr", "Environ douze mille soldats sont arrivés.", 12_000, 12_000, "approx", "soldats"),
    ("fr", "entre deux et trois mille ouvriers", 2_000, 3_000, "range", "ouvriers"),
    ("fr", "une vingtaine d'officiers", 20, 20, "approx", "officiers"),
    # English
    ("en", "up to twelve thousand troops", 12_000, 12_000, "up_to", "troops"),
    ("en", "some 3 thousand workers", 3_000, 3_000, "approx", "workers"),
    ("en", "tens of thousands of troops", 20_000, 99_999, "vague", "troops"),
    # Russian: genitive after "около", instrumental, digits with "тыс."
    ("ru", "около шести тысяч военных", 6_000, 6_000, "approx", "военных"),
    ("ru", "с двумя тысячами солдат", 2_000, 2_000, "exact", "солдат"),
    ("ru", "свыше 10 тыс. строителей", 10_000, 10_000, "more_than", "строителей"),
    ("ru", "от 10 до 12 тысяч военных", 10_000, 12_000, "range", "военных"),
    # Korean
    ("ko", "북한군 1만2000명 이상", 12_000, 12_000, "more_than", "명"),
    ("ko", "약 3천 명", 3_000, 3_000, "approx", "명"),
    ("ko", "수천 명의 병력", 2_000, 9_999, "vague", "명"),
    # Ukrainian: inflected words and ranges
    ("uk", "понад п'ять тисяч солдатів", 5_000, 5_000, "more_than", "солдатів"),
    ("uk", "від 2 до 3 тисяч військових", 2_000, 3_000, "range", "військових"),
    ("uk", "близько двохсот інженерів", 200, 200, "approx", "інженерів"),
    # German
    ("de", "rund zwölftausend Soldaten", 12_000, 12_000, "approx", "soldaten"),
    ("de", "bis zu 3 Mio. Granaten", 3_000_000, 3_000_000, "up_to", "granaten"),
    # Spanish
    ("es", "unos doscientos cincuenta ingenieros", 250, 250, "approx", "ingenieros"),
    ("es", "más de 1,5 millones de proyectiles", 1_500_000, 1_500_000, "more_than", "proyectiles"),
    # Italian
    ("it", "circa diecimila soldati", 10_000, 10_000, "approx", "soldati"),
    ("it", "oltre 3 mila militari", 3_000, 3_000, "more_than", "militari"),
    ("it", "decine di migliaia di soldati", 20_000, 99_999, "vague", "soldati"),
    # Portuguese (European and Brazilian spellings)
    ("pt", "mais de dezesseis mil soldados", 16_000, 16_000, "more_than", "soldados"),
    ("pt", "cerca de duas mil pessoas", 2_000, 2_000, "approx", "pessoas"),
    # Polish: genitive after "około", "tys."
    ("pl", "około pięciu tysięcy żołnierzy", 5_000, 5_000, "approx", "żołnierzy"),
    ("pl", "ponad dwa tysiące żołnierzy", 2_000, 2_000, "more_than", "żołnierzy"),
    ("pl", "od 10 do 12 tys. żołnierzy", 10_000, 12_000, "range", "żołnierzy"),
    # Japanese
    ("ja", "北朝鮮は3千人以上の兵士を派遣した", 3_000, 3_000, "more_than", "人"),
    ("ja", "約1万2千人の兵士", 12_000, 12_000, "approx", "人"),
    ("ja", "2千〜3千人の労働者", 2_000, 3_000, "range", "人"),
    ("ja", "数千人の兵士", 2_000, 9_999, "vague", "人"),
    # Chinese (simplified and traditional)
    ("zh", "朝鲜向俄罗斯派遣了约3000名士兵", 3_000, 3_000, "approx", "名"),
    ("zh", "三千多名工人", 3_000, 3_000, "more_than", "名"),
    ("zh", "兩萬名士兵", 20_000, 20_000, "exact", "名"),
    ("zh", "超过1.5万名士兵", 15_000, 15_000, "more_than", "名"),
    ("zh", "3千至5千名士兵", 3_000, 5_000, "range", "名"),
    # Arabic: words, "و" glued, digits with a scale word
    ("ar", "نحو ثلاثة آلاف جندي", 3_000, 3_000, "approx", "جندي"),
    ("ar", "أكثر من 3 آلاف جندي", 3_000, 3_000, "more_than", "جندي"),
    ("ar", "خمسة وعشرون جنديا", 25, 25, "exact", "جنديا"),
    # Hindi: CLDR scale words with and without the nukta, qualifiers before and after
    ("hi", "लगभग 3 हज़ार सैनिक", 3_000, 3_000, "approx", "सैनिक"),
    ("hi", "2 लाख सैनिक", 200_000, 200_000, "exact", "सैनिक"),
    ("hi", "5000 से अधिक सैनिक", 5_000, 5_000, "more_than", "से"),
]


@pytest.mark.parametrize(("lang", "text", "low", "high", "qualifier", "unit"), CASES)
def test_figure(
    lang: str, text: str, low: int, high: int, qualifier: str, unit: str | None
) -> None:
    found = extract_quantities(text, lang)
    assert [(q.low, q.high, q.qualifier, q.unit) for q in found] == [(low, high, qualifier, unit)]


def test_every_language_has_cases() -> None:
    assert {case[0] for case in CASES} == set(LANGUAGES)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh", "2024年6月19日"),  # a date
        ("zh", "三千元"),  # money
        ("ja", "5万円"),
        ("zh", "第三千"),  # an ordinal
        ("zh", "这十分重要"),  # "very": not ten
        ("ja", "千万注意してください"),  # "by all means"
        ("zh", "统一"),  # "one" inside a word
        ("ru", "в семью вернулся"),  # "family", not seven
        ("pl", "jedni mówią"),  # "some say": a lone one
    ],
)
def test_not_a_figure(lang: str, text: str) -> None:
    assert extract_quantities(text, lang) == []


def test_scale_words_are_read_in_their_language() -> None:
    # "miles" (Spanish for thousands) is a unit in English; "billions" is 10^12 in French
    assert [(q.low, q.unit) for q in extract_quantities("3 miles away", "en")] == [(3, "miles")]
    assert [q.low for q in extract_quantities("3 mil soldados", "es")] == [3_000]
    assert [q.low for q in extract_quantities("3 mil soldados", None)] == [3_000]
    assert [q.low for q in extract_quantities("2 billions d'habitants", "fr")] == [2 * 10**12]
    assert [q.low for q in extract_quantities("2 billion people", "en")] == [2 * 10**9]


def test_a_scale_word_keeps_its_own_languages_value() -> None:
    assert [q.low for q in extract_quantities("1 billion de dollars", "fr")] == []  # money
    assert [q.low for q in extract_quantities("1 billion d'habitants", "fr")] == [10**12]
    assert [q.low for q in extract_quantities("1 billion people", "en")] == [10**9]
