"""The generated word tables: regenerating them gives the committed files byte for byte, and a
missing or malformed table (or phrase file) is one clear error."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from alerts.errors import KnowledgeError
from alerts.figures.phrases import load_phrases
from alerts.wordtables import dump_table, load_table

# The generators' sources are development dependencies.
for _module in ("dateparser", "num2words", "pymorphy3", "babel", "simplemma"):
    pytest.importorskip(_module)


def test_calendar_tables_regenerate_identically() -> None:
    from alerts.dates import build

    stale = [
        lang
        for lang in build.LANGUAGES
        if (build.DATA_DIR / f"{lang}.toml").read_text(encoding="utf-8") != build.build(lang)
    ]
    assert stale == []


def test_number_tables_regenerate_identically() -> None:
    from alerts.figures import build

    stale = [
        lang
        for lang in build.LANGUAGES
        if (build.DATA_DIR / f"{lang}.toml").read_text(encoding="utf-8") != build.build(lang)
    ]
    assert stale == []


def test_check_mode_reports_a_stale_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from alerts.dates import build

    monkeypatch.setattr(build, "DATA_DIR", tmp_path)
    monkeypatch.setattr(build, "LANGUAGES", ("fr",))
    assert build.main(["--check"]) == 1  # nothing written yet
    assert build.main([]) == 0
    assert build.main(["--check"]) == 0
    (tmp_path / "fr.toml").write_text("# edited by hand\n", encoding="utf-8")
    assert build.main(["--check"]) == 1


def test_dump_table_reads_back() -> None:
    text = dump_table(
        "a header\non two lines",
        {"words": {'b"q': 2, "a": [1, "x"], "c": {"unit": "day", "offset": -1}, "d": True}},
    )
    assert text.startswith("# a header\n# on two lines\n")
    assert tomllib.loads(text) == {
        "words": {"a": [1, "x"], 'b"q': 2, "c": {"unit": "day", "offset": -1}, "d": True}
    }


def test_missing_table_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="missing: run its build script"):
        load_table(tmp_path / "xx.toml")


def test_malformed_table_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "xx.toml"
    path.write_text("[months\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="malformed"):
        load_table(path)


def test_phrase_file_with_an_unknown_kind(tmp_path: Path) -> None:
    (tmp_path / "xx.toml").write_text('[vague]\nscores = ["a lot"]\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="unknown vague kinds"):
        load_phrases(tmp_path)


def test_phrase_file_with_a_bad_list(tmp_path: Path) -> None:
    (tmp_path / "xx.toml").write_text('[before]\napprox = "about"\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="must be a list of strings"):
        load_phrases(tmp_path)


def test_phrase_files_merge_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "aa.toml").write_text('[before]\napprox = ["zu"]\n', encoding="utf-8")
    (tmp_path / "bb.toml").write_text(
        '[before]\nup_to = ["zu", "bis"]\n[range]\nbetween = ["zwo"]\n', encoding="utf-8"
    )
    phrases = load_phrases(tmp_path)
    assert phrases.before == {"zu": "approx", "bis": "up_to"}
    assert phrases.range_openers == {"zwo": True}
    assert phrases.languages == ("aa", "bb")
