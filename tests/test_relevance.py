"""Knowledge tables, the alias matcher, language identification and relevance."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alerts.detect import detect_article
from alerts.errors import KnowledgeError
from alerts.knowledge import BUNDLED_DIR, Matcher, default_knowledge, load_knowledge
from alerts.language import detect_language, normalise_language


def labels_in(text: str) -> set[tuple[str, str]]:
    kn = default_knowledge()
    return {(h.label, text[h.start : h.end]) for h in kn.matcher.find(text)}


# ------------------------------------------------------------------ knowledge tables


def test_bundled_tables_load_with_required_aliases() -> None:
    kn = load_knowledge()
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
    found = labels_in("Pyongyang a bien envoyé des soldats")
    assert ("cue:confirm", "a bien envoyé") in found
    assert ("cue:deploy_verb", "envoyé") in found


def test_matcher_rejects_a_bad_regex() -> None:
    with pytest.raises(KnowledgeError, match="bad pattern"):
        Matcher({"entity:x": ["re:(unclosed"]})


def copy_tables(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(BUNDLED_DIR, target)
    return target


def test_user_directory_extends_the_tables(tmp_path: Path) -> None:
    target = copy_tables(tmp_path)
    entities = target / "entities.toml"
    entities.write_text(
        entities.read_text(encoding="utf-8")
        + '\n[[entity]]\nid = "zz_place"\nkind = "place"\nside = "RU"\nname = "Testograd"\n'
        'aliases = ["Testograd"]\n',
        encoding="utf-8",
    )
    kn = load_knowledge(target)
    assert any(h.label == "entity:zz_place" for h in kn.matcher.find("troops in Testograd"))


def test_environment_variable_points_at_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = copy_tables(tmp_path)
    monkeypatch.setenv("RUDPRK_KNOWLEDGE_DIR", str(target))
    assert load_knowledge().directory == target


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[entity]]\nid = 'x'\nkind = 'planet'\naliases = ['x']\n", "kind must be one of"),
        ("[[entity]]\nid = 'x'\nkind = 'place'\naliases = []\n", "no aliases"),
        ("[[entity]]\nkind = 'place'\naliases = ['x']\n", "missing id"),
        ("[[entity]]\nid = 'x'\nkind = 'place'\naliases = 'x'\n", "list of strings"),
        ("[[entity]]\nid = 'x'\nkind = 'place'\naliases = ['x']\ncolour = 1\n", "unknown keys"),
        ("[[entity\n", "not valid TOML"),
    ],
)
def test_malformed_entities_raise_knowledge_error(
    tmp_path: Path, content: str, message: str
) -> None:
    target = copy_tables(tmp_path)
    (target / "entities.toml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_knowledge(target)


def test_vocabulary_needs_every_cue_group(tmp_path: Path) -> None:
    target = copy_tables(tmp_path)
    vocab = target / "vocabulary.toml"
    text = vocab.read_text(encoding="utf-8").replace("[cues.denial]", "[cues.nonsense]")
    vocab.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="missing cue groups"):
        load_knowledge(target)


def test_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge(tmp_path / "nowhere")


# ------------------------------------------------------------------ language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Les soldats nord-coréens sont arrivés dans la région de Koursk, selon Séoul.", "fr"),
        ("North Korean troops have arrived in the Kursk region, Seoul says.", "en"),
        ("Северокорейские военные прибыли в Курскую область, сообщает Сеул.", "ru"),
        ("북한군이 러시아 쿠르스크 지역에 도착했다고 한국 정부가 밝혔다.", "ko"),
        ("Nordkoreanische Soldaten sind in der russischen Region Kursk eingetroffen.", "de"),
        ("Soldados norcoreanos llegaron a la región rusa de Kursk, según Seúl.", "es"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_language_hint_wins_and_is_normalised() -> None:
    assert detect_language("North Korean troops", hint="fr-FR") == "fr"
    assert normalise_language("en_GB") == "en"
    assert normalise_language("not a tag") is None
    assert detect_language("12 345 — 678") is None


# ------------------------------------------------------------------ relevance


@pytest.mark.parametrize(
    "text",
    [
        "Pyongyang a envoyé 3 000 soldats supplémentaires en Russie, selon Séoul.",
        "Putin and Kim Jong Un held talks in Pyongyang on Wednesday.",
        "Сергей Шойгу встретился в Пхеньяне с Ким Чен Ыном.",
        "푸틴 대통령은 평양에서 김정은 위원장과 회담했다.",
    ],
)
def test_relevant_when_both_sides_meet(text: str) -> None:
    assert detect_article(text).relevance.relevant


@pytest.mark.parametrize(
    "text",
    [
        # DPRK missile test without Russia
        "North Korea fired two ballistic missiles into the East Sea on Sunday, the JCS said.",
        # Russian deployment elsewhere
        "La Russie a déployé 1 500 soldats en Biélorussie pour des exercices conjoints.",
        # Russia–China deal
        "Russia and China signed a gas supply agreement in Beijing on Thursday.",
        # South Korean troops abroad
        "South Korea will send a 200-strong engineering unit to Lebanon.",
        # Kim–Xi summit
        "Kim Jong-un a rencontré Xi Jinping à Pékin pour des entretiens sur le commerce.",
        # A Russia–Vietnam visit that recalls the Pyongyang pact in passing
        "Vladimir Putin signed 15 agreements with Vietnam's leaders in Hanoi on Thursday; "
        "the visit came a day after he signed a defence pact with North Korea.",
    ],
)
def test_hard_negatives_are_not_relevant(text: str) -> None:
    assert not detect_article(text).relevance.relevant


def test_passing_mention_far_from_the_lead_is_not_relevant() -> None:
    text = (
        "North Korea launched two short-range ballistic missiles on Sunday, the JCS said. "
        "The launch came during joint US–South Korean drills. "
        "Pyongyang has also sent troops to Russia since 2024."
    )
    assert not detect_article(text).relevance.relevant


def test_reasons_name_aliases_with_their_field_and_offsets() -> None:
    title = "Kim Jong Un meets Putin"
    text = "The Kremlin said the talks in Pyongyang lasted two hours."
    rel = detect_article(text, title=title).relevance
    assert rel.relevant and 0.6 <= rel.score <= 1.0
    by_field = {(r.entity, r.field) for r in rel.reasons}
    assert ("kim_jong_un", "title") in by_field
    assert ("kremlin", "text") in by_field
    pyongyang = next(r for r in rel.reasons if r.entity == "pyongyang")
    assert text[pyongyang.start : pyongyang.end] == "Pyongyang"
    assert pyongyang.kind == "place"


def test_weapons_test_with_a_hedged_russian_mention_is_not_relevant() -> None:
    text = (
        "Japan's defence ministry said North Korea conducted a test of a new air-to-air "
        "missile, adding that it was not clear whether Russia had helped."
    )
    assert not detect_article(text).relevance.relevant


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("उत्तर कोरिया ने रूस को 10,000 सैनिक भेजे, दक्षिण कोरिया ने कहा।", "hi"),
        ("أرسلت كوريا الشمالية آلاف الجنود إلى روسيا، وفقا لسيول.", "ar"),
        ("Korea Północna wysłała do Rosji żołnierzy.", "pl"),
        ("КНДР відправила до Росії військових.", "uk"),
        ("A Coreia do Norte enviou 3 mil soldados para a Rússia.", "pt"),
    ],
)
def test_core_vocabulary_in_more_languages(text: str, lang: str) -> None:
    d = detect_article(text, lang=lang)
    assert d.relevance.relevant
    assert d.main_event is not None and d.main_event.event_type == "deployment"


def test_a_third_country_hosting_both_leaders_is_its_own_story() -> None:
    preview = (
        "Xi Jinping will host Vladimir Putin and Kim Jong Un among 26 foreign leaders at a "
        "military parade in Beijing on 3 September, China's foreign ministry said."
    )
    assert not detect_article(preview).relevance.relevant
    meeting = (
        "After the Chinese military parade, Putin and Kim met at Diaoyutai state guest house "
        "for talks on the war in Ukraine."
    )
    assert detect_article(meeting).relevance.relevant


@pytest.mark.parametrize(
    "text",
    [
        "In Minsk, Putin and Lukashenko opened a gas pipeline, two days after the Russian "
        "leader's talks with Kim Jong Un.",
        "À Hanoï, Poutine et To Lam ont signé dix accords, au lendemain de sa visite en "
        "Corée du Nord.",
    ],
)
def test_a_pair_met_only_in_a_dating_side_clause_is_not_relevant(text: str) -> None:
    assert not detect_article(text).relevance.relevant


def test_a_pair_in_the_main_clause_stays_relevant() -> None:
    text = "Putin and Kim Jong Un signed a pact in Pyongyang, a day after Putin left Yakutsk."
    assert detect_article(text).relevance.relevant


def test_places_may_share_an_area() -> None:
    kn = default_knowledge()
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
        ("North Korean IT workers posed as Ukrainian coders to get remote jobs.", False),
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
