"""extract_quantities: figures written in running text, in several languages (invented sentences)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alerts.figures import Quantity, extract_quantities

# (lang, sentence, expected (low, high, qualifier, unit) of the FIRST quantity found)
FIRST_QUANTITY = [
    # digit groups
    ("fr", "Pyongyang a envoyé 12 000 soldats vers le front.", (12000, 12000, "exact", "soldats")),
    ("fr", "On compte 12\u00a0000 soldats sur place.", (12000, 12000, "exact", "soldats")),
    ("fr", "On compte 12\u202f000 soldats sur place.", (12000, 12000, "exact", "soldats")),
    ("de", "Demnach sind 12.000 Soldaten verlegt worden.", (12000, 12000, "exact", "soldaten")),
    ("en", "Officials counted 12,000 troops in the region.", (12000, 12000, "exact", "troops")),
    ("en", "Officials counted 12000 troops in the region.", (12000, 12000, "exact", "troops")),
    ("fr", "Un groupe de 1 500 ouvriers est parti.", (1500, 1500, "exact", "ouvriers")),
    ("en", "A further batch: 10k workers expected.", (10000, 10000, "exact", "workers")),
    ("en", "They shipped 10K rounds.", (10000, 10000, "exact", "rounds")),
    ("en", "The North sent 2,500,000 shells.", (2500000, 2500000, "exact", "shells")),
    # decimals with a scale word
    ("fr", "Moscou aurait reçu 1,5 million d'obus.", (1500000, 1500000, "exact", "obus")),
    ("en", "Moscow received 1.5 million shells.", (1500000, 1500000, "exact", "shells")),
    (
        "fr",
        "Pyongyang aurait livré 2 millions de munitions.",
        (2000000, 2000000, "exact", "munitions"),
    ),
    ("fr", "Un stock de 1,5 mn d'obus.", (1500000, 1500000, "exact", "obus")),
    ("ru", "Около 1,1 тысячи солдат вернулись.", (1100, 1100, "approx", "солдат")),
    ("es", "Envió 2,3 millones de proyectiles.", (2300000, 2300000, "exact", "proyectiles")),
    # number words
    ("fr", "Douze mille soldats seraient arrivés.", (12000, 12000, "exact", "soldats")),
    ("fr", "Deux mille cinq cents militaires ont été vus.", (2500, 2500, "exact", "militaires")),
    ("fr", "Vingt-et-un mille hommes au total.", (21000, 21000, "exact", "hommes")),
    ("en", "Twelve thousand troops crossed the border.", (12000, 12000, "exact", "troops")),
    ("en", "He said a thousand workers had left.", (1000, 1000, "exact", "workers")),
    ("en", "Officials said two of the five missiles hit.", (2, 2, "exact", None)),
    ("de", "Zwölftausend Soldaten wurden verlegt.", (12000, 12000, "exact", "soldaten")),
    ("es", "Llegaron quince mil soldados.", (15000, 15000, "exact", "soldados")),
    ("ru", "Около шести тысяч военных погибли.", (6000, 6000, "approx", "военных")),
    ("ru", "Прибыли двенадцать тысяч солдат.", (12000, 12000, "exact", "солдат")),
    # vague amounts
    ("en", "Dozens of officers were trained.", (20, 99, "vague", "officers")),
    ("fr", "Des dizaines de techniciens sont venus.", (20, 99, "vague", "techniciens")),
    ("fr", "Plusieurs milliers de soldats sont arrivés.", (2000, 9999, "vague", "soldats")),
    ("en", "Thousands of troops were moved.", (2000, 9999, "vague", "troops")),
    ("en", "Several thousand workers were sent.", (2000, 9999, "vague", "workers")),
    ("en", "Hundreds of engineers were spotted.", (200, 999, "vague", "engineers")),
    ("en", "Tens of thousands of troops could follow.", (20000, 99999, "vague", "troops")),
    ("fr", "Une dizaine de milliers d'hommes.", (10000, 10000, "approx", "hommes")),
    ("fr", "Une centaine de conseillers.", (100, 100, "approx", "conseillers")),
    ("de", "Tausende Soldaten sind dort.", (2000, 9999, "vague", "soldaten")),
    ("es", "Miles de soldados fueron enviados.", (2000, 9999, "vague", "soldados")),
    ("ru", "Несколько тысяч солдат прибыли.", (2000, 9999, "vague", "солдат")),
    ("ko", "북한은 수천 명을 보냈다.", (2000, 9999, "vague", "명")),
    # qualifiers
    ("fr", "Plus de 10 000 soldats sont arrivés.", (10000, 10000, "more_than", "soldats")),
    ("en", "More than 10,000 troops arrived.", (10000, 10000, "more_than", "troops")),
    ("en", "Over 3,000 soldiers were seen.", (3000, 3000, "more_than", "soldiers")),
    ("en", "Upwards of 2,000 workers.", (2000, 2000, "more_than", "workers")),
    ("en", "At least 500 soldiers died.", (500, 500, "more_than", "soldiers")),
    ("fr", "Au moins 500 soldats ont péri.", (500, 500, "more_than", "soldats")),
    ("es", "Más de 10.000 militares llegaron.", (10000, 10000, "more_than", "militares")),
    ("en", "Fewer than 300 workers remain.", (300, 300, "less_than", "workers")),
    ("en", "About 3,000 troops.", (3000, 3000, "approx", "troops")),
    ("en", "Around 3,000 troops.", (3000, 3000, "approx", "troops")),
    ("en", "Some 3,000 troops.", (3000, 3000, "approx", "troops")),
    ("en", "Roughly 3,000 troops.", (3000, 3000, "approx", "troops")),
    ("en", "Approximately 3,000 troops.", (3000, 3000, "approx", "troops")),
    ("fr", "Environ 8 000 militaires sont là.", (8000, 8000, "approx", "militaires")),
    ("fr", "Près de 20 000 ouvriers ont été renvoyés.", (20000, 20000, "approx", "ouvriers")),
    ("fr", "Quelque 30 000 ouvriers travaillaient.", (30000, 30000, "approx", "ouvriers")),
    ("ru", "Около 3 тысяч военных.", (3000, 3000, "approx", "военных")),
    ("ko", "약 3천 명이 파견됐다.", (3000, 3000, "approx", "명")),
    ("de", "Rund 3000 Soldaten wurden entsandt.", (3000, 3000, "approx", "soldaten")),
    ("es", "Unos 12.000 soldados norcoreanos.", (12000, 12000, "approx", "soldados")),
    ("en", "Up to 25,000 workers could go.", (25000, 25000, "up_to", "workers")),
    ("en", "As many as 25,000 workers could go.", (25000, 25000, "up_to", "workers")),
    ("fr", "Jusqu'à 25 000 ouvriers pourraient partir.", (25000, 25000, "up_to", "ouvriers")),
    ("ru", "До 12 тысяч солдат могут прибыть.", (12000, 12000, "up_to", "солдат")),
    ("ko", "1만 명 이상이 파병됐다.", (10000, 10000, "more_than", "명")),
    # ranges
    ("en", "Between 10,000 and 12,000 troops.", (10000, 12000, "range", "troops")),
    ("fr", "Entre 10 000 et 12 000 soldats.", (10000, 12000, "range", "soldats")),
    ("en", "An estimated 10,000-12,000 troops.", (10000, 12000, "range", "troops")),
    ("fr", "De 10 000 à 12 000 soldats.", (10000, 12000, "range", "soldats")),
    ("fr", "Ils seraient 10 000 à 12 000 soldats.", (10000, 12000, "range", "soldats")),
    ("es", "Entre 1.200 y 4.000 bajas.", (1200, 4000, "range", "bajas")),
    ("en", "Between two and three thousand troops.", (2000, 3000, "range", "troops")),
    ("ru", "От 10 до 12 тысяч солдат.", (10000, 12000, "range", "солдат")),
    # Korean
    ("ko", "북한군 1만 명이 러시아에 도착했다.", (10000, 10000, "exact", "명")),
    ("ko", "병력 1만2000명을 파병했다.", (12000, 12000, "exact", "명")),
    ("ko", "병력 1만 2천 명을 파병했다.", (12000, 12000, "exact", "명")),
    ("ko", "특수부대 1,500명이 이동했다.", (1500, 1500, "exact", "명")),
    # Russian
    ("ru", "В Курской области 12 тысяч солдат.", (12000, 12000, "exact", "солдат")),
    ("ru", "Прибыли 10 тыс. военных.", (10000, 10000, "exact", "военных")),
    # other languages, digits
    ("pt", "Cerca de 12.000 soldados chegaram.", (12000, 12000, "approx", "soldados")),
    ("it", "Circa 12.000 soldati sono arrivati.", (12000, 12000, "approx", "soldati")),
    ("pl", "Około 12 tys. żołnierzy przybyło.", (12000, 12000, "approx", "żołnierzy")),
    ("uk", "Близько 12 тисяч солдатів прибули.", (12000, 12000, "approx", "солдатів")),
    # units after adjectives and determiners
    ("en", "Some 12,000 North Korean troops.", (12000, 12000, "approx", "troops")),
    ("fr", "Environ 12 000 soldats nord-coréens.", (12000, 12000, "approx", "soldats")),
    ("de", "Rund 5.000 nordkoreanische Soldaten.", (5000, 5000, "approx", "soldaten")),
    ("en", "A march of 9 288 km by train.", (9288, 9288, "exact", "km")),
    ("en", "It was a roughly 300-strong unit.", (300, 300, "approx", "strong")),
]


@pytest.mark.parametrize(("lang", "sentence", "expected"), FIRST_QUANTITY)
def test_first_quantity(lang: str, sentence: str, expected: tuple[object, ...]) -> None:
    found = extract_quantities(sentence, lang)
    assert found, f"nothing found in {sentence!r}"
    q = found[0]
    assert (q.low, q.high, q.qualifier, q.unit) == expected
    assert sentence[q.start : q.end] == q.text


# Sentences where nothing is a quantity.
NOTHING = [
    ("fr", "En 2024, la Russie et la Corée du Nord ont signé un traité."),
    ("en", "In 2025 officials cited the 2024 treaty again."),
    ("en", "The 2024 treaty entered into force."),
    ("fr", "Le traité a été signé le 19 juin 2024 à Pyongyang."),
    ("en", "The treaty was signed on June 19, 2024, in Pyongyang."),
    ("en", "It was signed on June 19th."),
    ("de", "Der Vertrag wurde am 19. Juni unterzeichnet."),
    ("es", "El tratado se firmó el 19 de junio de 2024."),
    ("ru", "Договор подписан 19 июня 2024 года."),
    ("ko", "조약은 2024년 6월 19일 서명됐다."),
    ("fr", "Les dates: 19/06/2024 et 2024-06-19."),
    ("fr", "Pour le 70e anniversaire de la victoire."),
    ("en", "The 2nd and 3rd battalions left on the 21st."),
    ("fr", "La troisième brigade est partie."),
    ("en", "Inflation rose 5% and then 12 percent."),
    ("fr", "Une hausse de 5 % puis de 12 pour cent."),
    ("en", "A $40 million deal and 3 billion dollars of aid."),
    ("fr", "Un contrat de 3 milliards de dollars et de 200 millions d'euros."),
    ("ru", "Контракт на 5 млрд рублей."),
    ("fr", "En vertu de l'article 4 du traité."),
    ("en", "Under Article 4 and Resolution 2397."),
    ("fr", "Le sommet a commencé à 14h30 et fini à 18 h."),
    ("en", "The meeting started at 10:30 am."),
    ("fr", "Appelez le +33 1 23 45 67 89."),
    ("en", "KN-23 missiles and S-400 systems were seen."),
    ("fr", "Deux tiers des travailleurs sont partis."),
    ("fr", "Un soldat a été vu."),
    ("en", "One official said so."),
    ("en", "During the 1990s, and after the 1950-1953 war."),
    ("en", "Reference 12345678 in the register."),
]


@pytest.mark.parametrize(("lang", "sentence"), NOTHING)
def test_not_quantities(lang: str, sentence: str) -> None:
    assert extract_quantities(sentence, lang) == []


ADDITIONAL = [
    ("en", "Another 200 troops were sent.", True),
    ("en", "3,000 additional soldiers arrived.", True),
    ("en", "Pyongyang sent 200 more.", True),
    ("en", "Pyongyang sent more than 200 soldiers.", False),
    ("fr", "3 000 soldats supplémentaires sont arrivés.", True),
    ("fr", "3 000 soldats de plus sont arrivés.", True),
    ("fr", "3 000 nouveaux soldats sont arrivés.", True),
    ("fr", "3 000 soldats sont arrivés.", False),
    ("es", "Seúl detectó 3.000 soldados más.", True),
    ("de", "Weitere 3000 Soldaten wurden entsandt.", True),
    ("ru", "Ещё 3 тысячи солдат прибыли.", True),
    ("ru", "Прибыли 3 тысячи дополнительных солдат.", True),
    ("ko", "북한이 추가로 3천 명을 보냈다.", True),
    ("en", "Another some 3,000 troops.", True),
]


@pytest.mark.parametrize(("lang", "sentence", "expected"), ADDITIONAL)
def test_additional(lang: str, sentence: str, expected: bool) -> None:
    found = extract_quantities(sentence, lang)
    assert found
    assert found[0].additional is expected


def test_several_quantities_in_order_with_offsets() -> None:
    text = "Selon Séoul, 11 000 soldats ont été déployés; environ 6 000 ont été tués ou blessés."
    found = extract_quantities(text, "fr")
    assert [(q.low, q.qualifier, q.unit) for q in found] == [
        (11000, "exact", "soldats"),
        (6000, "approx", None),
    ]
    for q in found:
        assert text[q.start : q.end] == q.text


def test_year_taken_when_it_counts_people() -> None:
    found = extract_quantities("About 2000 soldiers and in 2000 the border.", "en")
    assert [(q.low, q.qualifier, q.unit) for q in found] == [(2000, "approx", "soldiers")]


def test_without_language_reads_french_and_english_words() -> None:
    assert extract_quantities("douze mille soldats", None)[0].low == 12000
    assert extract_quantities("twelve thousand troops", None)[0].low == 12000


def test_unknown_language_still_reads_digits() -> None:
    found = extract_quantities("約 12,000 人", "ja")
    assert found and found[0].low == 12000


def test_quantity_is_frozen() -> None:
    q = extract_quantities("12 000 soldats", "fr")[0]
    assert isinstance(q, Quantity)
    with pytest.raises(AttributeError):
        q.low = 1  # type: ignore[misc]


SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev_labelled.jsonl"


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.exists(), reason="../shared is absent")
def test_labelled_quantities_found() -> None:
    items = [json.loads(line) for line in SHARED.read_text(encoding="utf-8").splitlines() if line]
    labelled = [item for item in items if item.get("quantity") is not None]
    hits = sum(
        any(
            item["quantity"] in (q.low, q.high)
            for q in extract_quantities(item["text"], item["lang"])
        )
        for item in labelled
    )
    assert hits >= 0.85 * len(labelled)


MORE_NOTHING = [
    ("en", "A $40 million loan, €3 bn in credit and USD 5 in fees."),
    ("de", "Das Treffen beginnt um 8 Uhr."),
    ("en", "Su-27 jets, G7 leaders and Pantsir-S1 units."),
    ("fr", "Composez le 01 23 45 67 89 ou le 007."),
    ("de", "Drei Viertel der Soldaten."),
    ("ru", "3-й батальон прибыл."),
    ("ko", "2번째 부대와 제3 군단."),
    ("en", "Flight 271 landed; see page 3."),
    ("ru", "Приказ № 12 подписан."),
    ("fr", "Le décret n° 5 est paru."),
    ("fr", "Une hausse de cinq pour cent."),
    ("en", "The 1950-1953 war."),
    ("en", "Growth of 2.5 and 3.7 points."),
]


@pytest.mark.parametrize(("lang", "sentence"), MORE_NOTHING)
def test_more_not_quantities(lang: str, sentence: str) -> None:
    assert extract_quantities(sentence, lang) == []


def test_odd_suffix_is_approximate() -> None:
    q = extract_quantities("Some 3,000-odd troops crossed.", "en")[0]
    assert (q.low, q.qualifier) == (3000, "approx")


def test_korean_postfix_approximate_with_counter() -> None:
    q = extract_quantities("병력 1만여 명이 파견됐다.", "ko")[0]
    assert (q.low, q.qualifier, q.unit) == (10000, "approx", "명")


def test_range_text_starts_at_between() -> None:
    text = "Officials said between 10,000 and 12,000 troops."
    q = extract_quantities(text, "en")[0]
    assert q.text == "between 10,000 and 12,000"
    assert text[q.start : q.end] == q.text


def test_curly_apostrophes() -> None:
    found = extract_quantities("jusqu’à 25 000 ouvriers et d’autres 300 soldats", "fr")
    assert [(q.low, q.qualifier, q.additional) for q in found] == [
        (25000, "up_to", False),
        (300, "exact", True),
    ]


def test_month_first_date_range_not_a_quantity() -> None:
    found = extract_quantities("Talks ran June 19-21, 2024, with 300 delegates.", "en")
    assert [(q.low, q.unit) for q in found] == [(300, "delegates")]


def test_latin_unit_glued_to_a_korean_word() -> None:
    q = extract_quantities("길이 110m가량의 다리", "ko")[0]
    assert (q.low, q.qualifier, q.unit, q.text) == (110, "approx", "m", "110")


NAMES_AND_CODES = [
    ("en", "Traffic moved along Interstate 80 toward the city."),
    ("en", "An ATR 72 landed."),
    ("fr", "Le CAC 40 gagne du terrain."),
    ("ru", "Дело 757/21 рассматривается."),
    ("ru", "Экзамен в 2019-м и в 2024-м."),
    ("ko", "12·3 비상계엄과 5·18 민주화운동."),
    ("fr", "Le couvre-feu commence à 6 heures."),
    ("fr", "Le bénéfice atteint 20,3 milliards de couronnes."),
    ("fr", "L'indice finit à 7.612,52 points."),
]


@pytest.mark.parametrize(("lang", "sentence"), NAMES_AND_CODES)
def test_names_codes_and_clock_hours_are_not_quantities(lang: str, sentence: str) -> None:
    assert extract_quantities(sentence, lang) == []


def test_list_markers_are_not_quantities() -> None:
    text = "Deux affaires.\n1) La première affaire.\n2) La seconde."
    assert [q.low for q in extract_quantities(text, "fr")] == [2]


def test_or_more_after_the_unit_only_at_clause_end() -> None:
    assert extract_quantities("They sent 10,000 troops or more.", "en")[0].qualifier == "more_than"
    found = extract_quantities("entre les deux pays et plus largement", "fr")
    assert found[0].qualifier == "exact"


def test_capitalised_word_before_a_figure_inside_a_sentence_is_a_name() -> None:
    assert extract_quantities("They took Highway 287 north.", "en") == []
    # at the start of a sentence the capital says nothing
    assert [q.low for q in extract_quantities("Troops left. Moscow 300 troops.", "en")] == [300]
    assert [q.low for q in extract_quantities("Selon Séoul, 11 000 soldats.", "fr")] == [11000]
    # German capitalises nouns: "Laut Bericht 12.000 Soldaten"
    assert [q.low for q in extract_quantities("Laut Bericht 900 Soldaten.", "de")] == [900]


ELISIONS_AND_PHRASES = [
    ("fr", "Plus d'un million d'obus ont été livrés.", (1000000, 1000000, "more_than", "obus")),
    ("fr", "Près d'un million d'obus ont été livrés.", (1000000, 1000000, "approx", "obus")),
    ("fr", "Plus d'une centaine de conseillers.", (100, 100, "more_than", "conseillers")),
    ("fr", "Près d'un millier de soldats.", (1000, 1000, "approx", "soldats")),
    ("en", "A few dozen officers were sent.", (20, 99, "vague", "officers")),
    ("en", "Several hundred thousand shells.", (200000, 999999, "vague", "shells")),
    ("en", "Over a thousand workers left.", (1000, 1000, "more_than", "workers")),
    ("pt", "Cerca de três mil soldados.", (3000, 3000, "approx", "soldados")),
    ("it", "Circa tremila soldati.", (3000, 3000, "approx", "soldati")),
    ("de", "Mehr als zehntausend Soldaten.", (10000, 10000, "more_than", "soldaten")),
    ("ko", "최대 3만 명이 파견될 수 있다.", (30000, 30000, "up_to", "명")),
    ("ko", "북한군 1만1000여 명", (11000, 11000, "approx", "명")),
    ("en", "Some 1.5k troops.", (1500, 1500, "approx", "troops")),
]


@pytest.mark.parametrize(("lang", "sentence", "expected"), ELISIONS_AND_PHRASES)
def test_elisions_and_phrases(lang: str, sentence: str, expected: tuple[object, ...]) -> None:
    q = extract_quantities(sentence, lang)[0]
    assert (q.low, q.high, q.qualifier, q.unit) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Les cargos ont accosté 12 fois, avec 700 conteneurs.", "fr", [700]),
        ("The ships docked 12 times with 700 containers.", "en", [700]),
        ("화물선이 12차례 입항해 컨테이너 700개를 실었다.", "ko", [700]),
        ("Суда заходили в порт 12 раз.", "ru", []),
    ],
)
def test_occurrence_counts_are_not_quantities(text: str, lang: str, expected: list[int]) -> None:
    assert [q.low for q in extract_quantities(text, lang)] == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Pyongyang a dépêché en Sibérie 1 500 ouvriers.", "fr", [1500]),
        ("Пхеньян отправил в Сибирь 2 тысячи рабочих.", "ru", [2000]),
        ("Pyongyang sent Russia 700 engineers last month.", "en", [700]),
        ("Traffic stopped on Highway 61 overnight.", "en", []),
        ("An Airbus 320 landed in Vladivostok.", "en", []),
    ],
)
def test_numbers_after_names_are_counts_only_with_a_counted_noun(
    text: str, lang: str, expected: list[int]
) -> None:
    assert [q.low for q in extract_quantities(text, lang)] == expected


def test_german_compound_personnel_after_a_year_like_number() -> None:
    found = extract_quantities("Pjöngjang schickte weitere 2000 Militäringenieure.", "de")
    assert [q.low for q in found] == [2000]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Прибыл сухогруз с 40 тысячами тонн зерна.", 40000),
        ("Эшелон с двумя тысячами солдат ушёл на запад.", 2000),
        ("Корабль с пятью тысячами рабочих прибыл во Владивосток.", 5000),
    ],
)
def test_russian_thousands_in_the_instrumental_case(text: str, expected: int) -> None:
    assert [q.low for q in extract_quantities(text, "ru")][:1] == [expected]
