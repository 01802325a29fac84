"""Korean lemmas from the generated suffix table (alerts.detection.suffixes): the same lemmas
as kiwipiepy for the words detection reads, without loading kiwipiepy (~300 MB) in the pass.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alerts.detection import morphology
from alerts.detection.lexicon import BUNDLED_DIR, default_lexicons, load_lexicons
from alerts.detection.morphology import lemmatiser_for
from alerts.detection.suffixes import SuffixTable, decomposed, load_suffix_table
from alerts.detection.suffixes.build import learn, rule_of, vocabulary
from alerts.errors import KnowledgeError

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile("[\uac00-\ud7af]")

# Sentences written for this test, with inflected forms absent from the lexicons and corpus.
UNSEEN = (
    "북한은 러시아에 공병을 급파했으며 추가 병력을 들여보내겠다고 통보했다. "
    "양국은 철도 협력을 논의하였고 국경 다리를 개통하기로 약속했다. "
    "포탄을 실어 나르던 화물선이 항구에 머무르고 있었다고 관계자가 털어놨다."
)


def test_korean_is_lemmatised_without_loading_kiwipiepy() -> None:
    code = (
        "import sys\n"
        "from alerts.detection.document import read_document\n"
        "doc = read_document('북한은 러시아에 병력을 파병했다고 밝혔다.', lang='ko')\n"
        "lemmas = dict(zip(doc.tokens.words, doc.tokens.lemmas or []))\n"
        "assert lemmas['파병했다고'] == '파병하다' and lemmas['병력을'] == '병력', lemmas\n"
        "assert 'kiwipiepy' not in sys.modules, 'kiwipiepy was imported'\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-600:]


def test_full_morphology_loads_the_backend_the_table_stands_in_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("kiwipiepy")
    lexicon = default_lexicons().for_language("ko")
    monkeypatch.setattr(morphology, "_loaded", {})
    default = lexicon.lemmatiser()
    assert default is not None and default.backend == "suffixes"
    monkeypatch.setenv("RUDPRK_MORPHOLOGY", "full")
    full = lexicon.lemmatiser()
    assert full is not None and full.backend == "kiwipiepy"
    assert full.lemma("급파했다") == default.lemma("급파했다") == "급파하다"
    monkeypatch.setenv("RUDPRK_MORPHOLOGY", "off")
    assert lexicon.lemmatiser() is None


def test_an_ending_rule_covers_every_stem_whose_last_syllable_changes_alike() -> None:
    rules = learn(
        {"갔다": "가다", "샀다": "사다", "났다": "나다", "있다": "있다"}
        | {"병력을": "병력", "무기를": "무기", "러시아": "러시아"}
    )
    # compared decomposed: "ㅆ다" -> "다" whatever the stem, "있다" an exception kept apart
    assert rules[decomposed("ᆻ다")] == (3, decomposed("다"))
    assert rules[decomposed("ᅵᆻ다")] == (0, "")
    assert len(rules) == 5  # "", "ㅆ다", "ㅣㅆ다", "을", "를": the rest is implied
    table = SuffixTable.of("ko", "kiwipiepy", HANGUL, rules)
    assert [table.lemma_of(w) for w in ["섰다", "탔다", "있다", "협정을", "조약를", "러시아"]] == [
        "서다",
        "타다",
        "있다",
        "협정",
        "조약",
        "러시아",
    ]


def test_a_rule_is_the_shortest_rewrite_of_the_decomposed_word() -> None:
    assert rule_of("보냈다", "보내다") == (3, decomposed("다"))  # ㅆ다 -> 다
    # 했다고 -> 하다: the vowel of 했 on, six jamo cut, "ㅏ다" appended
    assert rule_of("파병했다고", "파병하다") == (6, decomposed("하다")[1:])
    assert rule_of("러시아", "러시아") == (0, "")


def test_the_table_agrees_with_kiwipiepy_on_words_it_was_not_built_from() -> None:
    pytest.importorskip("kiwipiepy")
    from alerts.detection.scan import tokenise

    known = vocabulary("ko")
    words = [w for w in tokenise(UNSEEN).words if HANGUL.search(w)]
    unseen = [w for w in words if w not in known]
    assert len(unseen) >= 8
    kiwi = morphology.load_backend("kiwipiepy", "ko")
    table = load_suffix_table("ko")
    agree = [w for w in unseen if table.lemma_of(w) == kiwi.lemma(w)]
    # ~89 % of the corpus's unseen words' tokens agree (bench/suffixes.py, leave one file out)
    assert len(agree) >= 0.7 * len(unseen), [
        (w, table.lemma_of(w), kiwi.lemma(w)) for w in unseen if w not in agree
    ]
    changed = [w for w in unseen if kiwi.lemma(w) != w]
    assert changed and all(table.lemma_of(w) != w for w in changed if w in agree)


def test_the_korean_table_regenerates_identically() -> None:
    pytest.importorskip("kiwipiepy")
    from alerts.detection.suffixes import DATA_DIR, build

    path = DATA_DIR / "ko.toml"
    assert path.read_text(encoding="utf-8") == build.build("ko"), (
        "stale: run python -m alerts.detection.suffixes.build"
    )


def test_a_malformed_table_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "ko.toml").write_text('[meta]\nsource = "x"\nscript = "["\n[rules]\n')
    with pytest.raises(KnowledgeError, match="malformed"):
        load_suffix_table("ko", tmp_path)
    (tmp_path / "ko.toml").write_text('[meta]\nsource = "x"\nscript = "a"\n[rules]\n"a" = [1, ""]')
    with pytest.raises(KnowledgeError, match="empty ending"):
        load_suffix_table("ko", tmp_path)
    with pytest.raises(KnowledgeError, match="missing"):
        load_suffix_table("xx", tmp_path)


def test_a_language_without_a_table_falls_back_to_surface_forms(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="alerts.detection.morphology"):
        assert lemmatiser_for("suffixes", "fr") is None
    assert any(r.getMessage().startswith("morphology backend") for r in caplog.records)


def test_full_names_the_backend_of_a_table_only(tmp_path: Path) -> None:
    target = tmp_path / "lexicons"
    shutil.copytree(BUNDLED_DIR, target)
    path = target / "ko.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('backend = "suffixes"', 'backend = "kiwipiepy"'), "utf-8")
    with pytest.raises(KnowledgeError, match="full names the backend"):
        load_lexicons(target)
    path.write_text(text.replace('full = "kiwipiepy"', 'full = "kiwi"'), "utf-8")
    with pytest.raises(KnowledgeError, match="full names the backend"):
        load_lexicons(target)
