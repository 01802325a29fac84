"""The lexicon files: loading, validation, per-language matching, adding a language."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from alerts.detect import detect_article
from alerts.detection.document import read_document
from alerts.detection.lexicon import (
    BUNDLED_DIR,
    CUE_GROUPS,
    FRAMING_KINDS,
    MARKER_GROUPS,
    default_lexicons,
    load_lexicons,
)
from alerts.errors import KnowledgeError

REQUIRED = ("fr", "en", "ru", "ko", "uk", "de", "es", "it", "pt", "pl", "ja", "zh")


def copy_tables(tmp_path: Path) -> Path:
    target = tmp_path / "lexicons"
    shutil.copytree(BUNDLED_DIR, target)
    return target


def labels(text: str, lang: str | None) -> set[str]:
    """What the document stage keeps of the hits (longest names, no pseudo-cues)."""
    return {h.label for h in read_document(text, lang=lang).hits}


def test_every_required_language_has_a_lexicon_with_the_core_tables() -> None:
    lexicons = load_lexicons()
    for code in REQUIRED:
        language = lexicons.languages[code]
        for group in ("deploy_verb", "agree_sign", "visit", "casualty"):
            assert language.cues.get(group), (code, group)
        for kind in ("negation", "denial", "hedge", "report"):
            assert kind in language.framing, (code, kind)
        assert language.forces.get("troops"), code


def test_the_files_name_only_known_groups_and_kinds() -> None:
    for path in sorted(BUNDLED_DIR.glob("*.toml")):
        if path.name == "names.toml":
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(data.get("cues", {})) <= CUE_GROUPS, path.name
        assert set(data.get("markers", {})) <= MARKER_GROUPS, path.name
        assert set(data.get("framing", {})) <= set(FRAMING_KINDS), path.name


def test_words_of_a_language_match_only_articles_in_that_language() -> None:
    # German "plant" (plans) hedges a German sentence, never an English one.
    assert "frame:hedge:pre" in labels("Nordkorea plant, Soldaten zu schicken.", "de")
    assert not any(lb.startswith("frame:hedge") for lb in labels("the drone plant", "en"))
    # Names are matched whatever the language.
    assert "entity:KP" in labels("Pyongyang", "de")
    assert "entity:KP" in labels("Pyongyang", None)
    assert default_lexicons().for_language("xx").language is None


def test_cjk_patterns_match_inside_words() -> None:
    found = labels("朝鲜没有向俄罗斯派兵", "zh")
    assert {"entity:KP", "entity:RU", "frame:negation:pre", "cue:deploy_verb"} <= found
    assert "frame:negation:post" in labels("北朝鮮はロシアに兵士を派遣していない", "ja")
    assert "frame:negation:post" in labels("북한은 러시아에 병력을 파병하지 않았다", "ko")


def test_a_longer_name_of_no_side_hides_the_country_inside_it() -> None:
    found = labels("朝鲜半岛局势", "zh")
    assert "entity:korean_peninsula" in found and "entity:KP" not in found


def test_a_pseudo_cue_is_no_cue() -> None:
    assert "cue:agree_sign" not in labels("It is a sign of closer ties.", "en")
    assert "cue:agree_sign" in labels("They sign a treaty.", "en")


def test_adding_a_language_is_adding_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worked example of docs/detection.md: a Dutch file makes Dutch articles readable."""
    target = copy_tables(tmp_path)
    (target / "nl.toml").write_text(
        'language = "nl"\nname = "Dutch"\n\n'
        "[forces]\n"
        'troops = ["troepen", "soldaten"]\n\n'
        "[cues]\n"
        'deploy_verb = ["gestuurd", "stuurt", "ingezet"]\n\n'
        "[framing.negation]\n"
        'pre = ["niet", "geen"]\n\n'
        "[framing.report]\n"
        'around = ["volgens", "zegt", "meldt"]\n',
        encoding="utf-8",
    )
    (target / "names.toml").write_text(
        (target / "names.toml")
        .read_text(encoding="utf-8")
        .replace('"Corée du Nord",', '"Corée du Nord", "Noord-Korea",'),
        encoding="utf-8",
    )
    lexicons = load_lexicons(target)
    assert "nl" in lexicons.languages
    sent = "Noord-Korea heeft 3000 soldaten naar Rusland gestuurd, volgens Seoel."
    event = detect_article(sent, lang="nl", lexicons=lexicons).main_event
    assert event is not None and (event.event_type, event.modality) == ("deployment", "new")
    denial = "Noord-Korea heeft geen soldaten naar Rusland gestuurd."
    event = detect_article(denial, lang="nl", lexicons=lexicons).main_event
    assert event is not None and event.modality == "denied"
    monkeypatch.setenv("RUDPRK_KNOWLEDGE_DIR", str(target))
    assert load_lexicons().directory == target


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
def test_malformed_names_raise_knowledge_error(tmp_path: Path, content: str, message: str) -> None:
    target = copy_tables(tmp_path)
    (target / "names.toml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_lexicons(target)


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (("[cues]", "[cues]\nnonsense = ['x']"), "unknown cue group"),
        (("[markers]", "[markers]\nnonsense = ['x']"), "unknown marker group"),
        (("[framing.negation]", "[framing.nonsense]"), "unknown framing kind"),
        (('language = "fr"', 'language = "xx"'), "must be 'fr'"),
        (("[forces]", "[forces]\nunicorns = ['licornes']"), "not declared in names.toml"),
        (("[framing.negation]", "[framing.negation]\nscope = 'page'"), "scope must be"),
        (("[framing.negation]", "[framing.negation]\npre_reach = -1"), "reaches must be"),
        (("[cues]", "[cues]\nvisit_bad = 3"), "unknown cue group"),
        (('backend = "simplemma"', 'backend = "spacy"'), "backend must be one of"),
        (('backend = "simplemma"', 'backend = "simplemma"\nmodel = 1'), "unknown keys"),
    ],
)
def test_malformed_language_files_name_the_file_and_the_entry(
    tmp_path: Path, replace: tuple[str, str], message: str
) -> None:
    target = copy_tables(tmp_path)
    path = target / "fr.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(*replace, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message) as info:
        load_lexicons(target)
    assert "fr.toml" in str(info.value)


def test_a_bad_pattern_in_a_language_file_fails_when_the_language_is_compiled(
    tmp_path: Path,
) -> None:
    target = copy_tables(tmp_path)
    path = target / "fr.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "[cues]", "[cues]\nweapon_origin = ['re:(oops']", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="bad pattern"):
        load_lexicons(target).for_language("fr")


def test_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not found"):
        load_lexicons(tmp_path / "nowhere")
