"""Lemmas (alerts.detection.morphology): a cue written ``lemma:…`` matches its inflected forms.

One case per lemmatised language: the lemma is added to a copy of the bundled lexicons (the
only change needed), and every inflected form of the sentence then carries the cue; the bundled
files, which lack that lemma, do not match those words.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from alerts.detection import morphology
from alerts.detection.document import read_document
from alerts.detection.lexicon import BUNDLED_DIR, Lexicons, default_lexicons, load_lexicons
from alerts.detection.morphology import lemmatiser_for
from alerts.detection.scan import Matcher, Tokens, tokenise
from alerts.errors import KnowledgeError

# language, cue group, the lemma added, a sentence, its inflected forms of that lemma
CASES = [
    (
        "ru",
        "deploy_verb",
        "перекинуть",
        "КНДР перекинула войска под Курск, а весной перекинули ещё 3000 солдат.",
        ["перекинула", "перекинули"],
    ),
    (
        "uk",
        "deploy_verb",
        "відрядити",
        "КНДР відрядила війська до Курської області; згодом відрядили ще дві бригади.",
        ["відрядила", "відрядили"],
    ),
    (
        "ko",
        "deploy_verb",
        "급파하다",
        "북한은 러시아에 병력을 급파했다. 급파한 병력은 쿠르스크에 있다.",
        ["급파했다", "급파한"],
    ),
    (
        "pl",
        "deploy_verb",
        "oddelegować",
        "Korea Północna oddelegowała żołnierzy do Rosji, a potem oddelegowano kolejnych.",
        ["oddelegowała", "oddelegowano"],
    ),
    (
        "de",
        "deploy_verb",
        "verschiffen",
        "Nordkorea verschiffte Soldaten nach Russland; im Mai verschifften zwei Frachter mehr.",
        ["verschiffte", "verschifften"],
    ),
    (
        "fr",
        "deploy_verb",
        "convoyer",
        "Pyongyang a convoyé des soldats vers la Russie et convoie désormais des obus.",
        ["convoyé", "convoie"],
    ),
    (
        "es",
        "deploy_verb",
        "despachar",
        "Corea del Norte despachó tropas a Rusia y despachará más en primavera.",
        ["despachó", "despachará"],
    ),
    (
        "it",
        "deploy_verb",
        "spedire",
        "La Corea del Nord ha spedito truppe in Russia e ne spedirà altre a maggio.",
        ["spedito", "spedirà"],
    ),
    (
        "pt",
        "deploy_verb",
        "despachar",
        "A Coreia do Norte despachou tropas para a Rússia e despachará mais em maio.",
        ["despachou", "despachará"],
    ),
    (
        "en",
        "casualty",
        "perish",
        "Dozens of North Korean soldiers perished near Kursk; more perish every week.",
        ["perished", "perish"],
    ),
]


def with_cue(tmp_path: Path, lang: str, group: str, lemma: str) -> Lexicons:
    """A copy of the bundled lexicons with ``lemma:<lemma>`` added to ``group`` of ``lang``'s
    file."""
    target = tmp_path / "lexicons"
    shutil.copytree(BUNDLED_DIR, target)
    path = target / f"{lang}.toml"
    text, count = re.subn(
        rf"^{group} = \[",
        f'{group} = ["lemma:{lemma}", ',
        path.read_text(encoding="utf-8"),
        count=1,
        flags=re.M,
    )
    assert count == 1, f"{lang}.toml has no {group} list"
    path.write_text(text, encoding="utf-8")
    return load_lexicons(target)


def cued(text: str, lang: str, group: str, lexicons: Lexicons) -> set[str]:
    doc = read_document(text, lang=lang, lexicons=lexicons)
    return {text[h.start : h.end] for h in doc.labelled(f"cue:{group}")}


@pytest.mark.parametrize(
    ("lang", "group", "lemma", "text", "forms"), CASES, ids=[c[0] for c in CASES]
)
def test_a_lemma_cue_matches_the_inflected_forms(
    tmp_path: Path, lang: str, group: str, lemma: str, text: str, forms: list[str]
) -> None:
    assert not cued(text, lang, group, default_lexicons()) & set(forms)
    assert cued(text, lang, group, with_cue(tmp_path, lang, group, lemma)) >= set(forms)


def test_lemmas_are_computed_once_per_document_and_kept_on_it() -> None:
    text = "КНДР направила войска в Курскую область."
    doc = read_document(text, lang="ru")
    assert doc.tokens.lemmas is not None
    lemmas = dict(zip(doc.tokens.words, doc.tokens.lemmas, strict=True))
    assert lemmas["направила"] == "направить" and lemmas["войска"] == "войско"


@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_japanese_and_chinese_have_no_lemmatiser(lang: str) -> None:
    lexicon = default_lexicons().for_language(lang)
    assert lexicon.lemmatiser() is None
    doc = read_document("北朝鮮はロシアに兵士を派遣した。朝鲜向俄罗斯派遣了士兵。", lang=lang)
    assert doc.tokens.lemmas is None and doc.labelled("cue:deploy_verb")


def test_each_word_of_a_lemma_pattern_matches_its_surface_or_its_lemma() -> None:
    m = Matcher(
        {
            "cue:agree_enact": ["lemma:подписать закон"],
            "cue:agree_sign": ["подписать"],  # a surface form: the infinitive only
            "entity:x": ["re:закон\\w*", "ЗАКОН"],
        }
    )
    text = "Путин подписала закона, чтобы подписать закон"
    plain = tokenise(text)
    lemmas = ["путин", "подписать", "закон", "чтобы", "подписать", "закон"]
    tokens = Tokens(plain.spans, plain.words, lemmas)
    surface = {(h.label, text[h.start : h.end]) for h in m.find(text, plain)}
    found = {(h.label, text[h.start : h.end]) for h in m.find(text, tokens)}
    assert found - surface == {("cue:agree_enact", "подписала закона")}
    # raw expressions, case-sensitive words and plain patterns read the surface only
    assert ("cue:agree_sign", "подписала") not in found
    assert ("entity:x", "закона") in surface and ("cue:agree_sign", "подписать") in surface


def test_a_lemma_pattern_cannot_be_a_regular_expression() -> None:
    with pytest.raises(KnowledgeError, match="has no lemma"):
        Matcher({"cue:x": ["lemma:re:abc"]}, where="xx.toml")


def test_turning_lemmas_off_reads_surface_forms_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUDPRK_MORPHOLOGY", "off")
    assert lemmatiser_for("pymorphy3", "ru") is None
    assert read_document("КНДР направила войска.", lang="ru").tokens.lemmas is None


def test_an_unavailable_backend_falls_back_to_surface_forms(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing(code: str) -> morphology.Lemmatiser:
        raise ImportError("No module named 'simplemma'")

    monkeypatch.setitem(morphology._LOADERS, "simplemma", missing)
    monkeypatch.setattr(morphology, "_loaded", {})
    with caplog.at_level(logging.WARNING, logger="alerts.detection.morphology"):
        assert lemmatiser_for("simplemma", "fr") is None
        assert lemmatiser_for("simplemma", "fr") is None  # tried once, remembered
    records = [r for r in caplog.records if r.getMessage().startswith("morphology backend")]
    assert len(records) == 1 and getattr(records[0], "language", "") == "fr"
    doc = read_document("Pyongyang a envoyé 3 000 soldats en Russie.", lang="fr")
    assert doc.tokens.lemmas is None and doc.labelled("cue:deploy_verb")


def test_a_language_unknown_to_its_backend_falls_back() -> None:
    assert lemmatiser_for("simplemma", "xx") is None
    assert lemmatiser_for("kiwipiepy", "ru") is None
    assert lemmatiser_for("none", "fr") is None
