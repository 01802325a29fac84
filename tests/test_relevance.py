"""Names, the alias matcher, language identification and relevance (lexicon files:
tests/test_lexicons.py)."""

from __future__ import annotations

import pytest

from alerts.detect import detect_article
from alerts.detection.lexicon import Matcher, default_lexicons, load_lexicons
from alerts.errors import KnowledgeError


def labels_in(text: str, lang: str | None = None) -> set[tuple[str, str]]:
    lexicon = default_lexicons().for_language(lang)
    return {(h.label, text[h.start : h.end]) for h in lexicon.matcher.find(text)}


# ------------------------------------------------------------------ knowledge tables


def test_bundled_tables_load_with_required_aliases() -> None:
    kn = load_lexicons()
    for ident in ("RU", "KP", "kim_jong_un", "putin", "lavrov", "choe_son_hui", "shoigu"):
        assert ident in kn.entities
    for ident in ("belousov", "kursk", "wonsan", "rason", "khasan", "tumen"):
        assert ident in kn.entities
    for ident in ("nis", "gur", "pentagon", "nato", "kremlin", "kcna", "yonhap"):
        assert kn.entities[ident].claimant
    assert kn.forces["troops"] == "personnel"
    assert kn.forces["shells"] == "weapons"


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Russia", "RU"),
        ("le Kremlin", "RU"),
        ("Россия", "RU"),
        ("в России", "RU"),
        ("러시아와", "RU"),
        ("North Korea", "KP"),
        ("la Corée du Nord", "KP"),
        ("КНДР", "KP"),
        ("북한은", "KP"),
        ("DPRK", "KP"),
        ("Kim Jong-oun", "kim_jong_un"),
        ("Kim Jong Un", "kim_jong_un"),
        ("Ким Чен Ыном", "kim_jong_un"),
        ("김정은", "kim_jong_un"),
        ("Koursk", "kursk"),
        ("в Курской области", "kursk"),
        ("Choe Son-hui", "choe_son_hui"),
        ("Choïgou", "shoigu"),
        ("Belooussov", "belousov"),
    ],
)
def test_aliases_in_many_languages_and_inflections(text: str, entity: str) -> None:
    assert any(label == f"entity:{entity}" for label, _ in labels_in(text))


def test_short_capital_aliases_are_case_sensitive() -> None:
    # "UN" is the United Nations; "un" is a French article.
    assert ("entity:un", "UN") in labels_in("the UN Security Council")
    assert not any(label == "entity:un" for label, _ in labels_in("un soldat et un officier"))


def test_patterns_respect_word_boundaries() -> None:
    assert not any(label == "entity:RU" for label, _ in labels_in("Prussian history"))


def test_overlapping_patterns_are_all_found() -> None:
    found = labels_in("Pyongyang a bien envoyé des soldats", "fr")
    assert ("frame:confirm:around", "a bien envoyé") in found
    assert ("cue:deploy_verb", "envoyé") in found


def test_matcher_rejects_a_bad_regex() -> None:
    with pytest.raises(KnowledgeError, match="bad pattern"):
        Matcher({"entity:x": ["re:(unclosed"]})


def test_places_may_share_an_area() -> None:
    kn = default_lexicons()
    assert kn.entities["rason"].area == kn.entities["khasan"].area != ""
    assert kn.entities["kursk"].area == ""


def test_north_korean_resorts_are_north_korean_places() -> None:
    d = detect_article("Russian tour groups will be able to ski at Masikryong from December.")
    assert d.relevance.relevant


def test_multiword_patterns_match_by_their_first_two_words() -> None:
    m = Matcher({"cue:a": ["are in", "are now in"], "cue:b": ["are*"]})
    labels = [h.label for h in m.find("Troops are now in Kursk; others are in Belgorod.")]
    assert labels.count("cue:a") == 2 and labels.count("cue:b") == 2
    assert [h.label for h in m.find("They are not in Kursk.")] == ["cue:b"]


@pytest.mark.parametrize(
    ("text", "relevant"),
    [
        (
            "A day after meeting Kim Jong Un in Pyongyang, Putin signed a nuclear energy accord "
            "in Hanoi with Vietnam's president.",
            False,
        ),
        (
            "À la veille de sa visite en Corée du Nord, Vladimir Poutine a signé à Pékin un "
            "accord commercial avec la Chine.",
            False,
        ),
        (
            "The day after his talks in Beijing, Putin signed a fishing accord with North Korea "
            "in Pyongyang.",
            True,
        ),
    ],
)
def test_a_day_after_frame_does_not_make_a_third_country_event_ours(
    text: str, relevant: bool
) -> None:
    assert detect_article(text).relevance.relevant is relevant


@pytest.mark.parametrize(
    ("text", "relevant"),
    [
        ("Two North Korean soldiers taken prisoner by Ukraine near Sumy asked for asylum.", True),
        ("Kyiv warns North Korea may send another contingent of gunners this winter.", True),
        ("North Korean hackers hit a Ukrainian bank, researchers said.", False),
        pytest.param(
            "North Korean IT workers posed as Ukrainian coders to get remote jobs.",
            False,
            marks=pytest.mark.xfail(
                strict=True, reason="read as relevant since model set ms1-e3c6b63bff11"
            ),
        ),
        ("Ukraine's envoy met South Korean troops in Seoul to discuss North Korea's tests.", False),
    ],
)
def test_north_korean_personnel_named_with_ukraine_are_in_russias_war(
    text: str, relevant: bool
) -> None:
    assert detect_article(text).relevance.relevant is relevant


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Russia and Belarus signed a new security pact on Monday, which unlike Moscow's treaty with Pyongyang has no clause on troops.",
            "en",
        ),
        (
            "La Russie et l'Iran ont signé un traité, qui contrairement à celui conclu avec la Corée du Nord ne prévoit pas d'aide militaire.",
            "fr",
        ),
    ],
)
def test_a_country_named_in_a_comparison_is_not_a_party(text: str, lang: str) -> None:
    assert not detect_article(text, lang=lang).relevance.relevant


def test_a_comparison_about_a_third_country_keeps_the_pair_relevant() -> None:
    text = "Russia and North Korea signed a treaty similar to the one Moscow has with Belarus."
    assert detect_article(text, lang="en").relevance.relevant
