"""Generated word tables: the TOML files behind :mod:`alerts.figures` and :mod:`alerts.dates`.

The tables (month and weekday names, relative-day words, number words and scale words) are
written by the build scripts ``python -m alerts.dates.build`` and ``python -m alerts.figures.build``
from dateparser's, num2words', pymorphy3's and CLDR's (babel) own data; those libraries are
development tools only. At run time the committed files are read with :mod:`tomllib`. Korean's
suffix table (:mod:`alerts.detection.suffixes`, from kiwipiepy's lemmas) is written the same way.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from alerts.errors import KnowledgeError

__all__ = ["LANGUAGES", "dump_table", "load_table", "write_tables"]

# The languages with generated tables: the 14 of the corpus. Adding one starts here.
LANGUAGES = ("fr", "en", "ru", "ko", "uk", "de", "es", "it", "pt", "pl", "ja", "zh", "ar", "hi")

Table = dict[str, Any]


def load_table(path: Path) -> Table:
    """The generated table at ``path`` (a :class:`KnowledgeError` if missing or malformed)."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise KnowledgeError(f"word table {path} is missing: run its build script") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"word table {path} is malformed: {exc}") from exc


def _key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to a word table")


def dump_table(header: str, sections: dict[str, dict[str, object]]) -> str:
    """A TOML document: ``header`` as comment lines, then one table per section, keys sorted."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for name, entries in sections.items():
        lines.append("")
        lines.append(f"[{name}]")
        for key in sorted(entries):
            lines.append(f"{_key(key)} = {_value(entries[key])}")
    return "\n".join(lines) + "\n"


def write_tables(
    data_dir: Path, languages: Sequence[str], build: Callable[[str], str], argv: Sequence[str]
) -> int:
    """A build script's ``main``: write ``build(lang)`` as ``<lang>.toml`` in ``data_dir`` for
    each of ``languages``, or with ``--check`` only compare; 1 (naming the stale files) when a
    committed file differs from what the generator gives."""
    check = "--check" in argv
    data_dir.mkdir(exist_ok=True)
    stale = []
    for lang in languages:
        path = data_dir / f"{lang}.toml"
        text = build(lang)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("stale word tables: " + ", ".join(stale))
        return 1
    return 0
