"""Wire credits: which news agencies an article's text or byline credits (``articles.wire``).

The agencies, their names in each language and the credit words are data
(``storage/data/wires.toml``, described there). A credit is a name in a credit position — the
byline, brackets or slashes ("(AFP)", "(With AFP)", "(서울=연합뉴스)", "/TASS/"), a short first
or last line with a credit word ("Le Monde avec AFP", "Source : Reuters"), or a name alone before
a dash at the start or after one at the end — never a citation in the running text ("Reuters
reported").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from storage.errors import StorageError

SHORT_LINE = 80
BRACKET_MAX = 48
EDGE_LINES = 3
EDGE_CHARS = 160


class WireDataError(StorageError):
    """The wire table (wires.toml) is malformed."""


@dataclass(frozen=True)
class WireTable:
    """Every agency's forms, and the words around a credit."""

    forms: dict[str, tuple[str, ...]]  # agency id → names in every language
    credit_words: tuple[str, ...]
    joiners: tuple[str, ...]
    name_pattern: re.Pattern[str]  # any form, as a whole word where it is written in words
    owner: dict[str, str]  # form → agency id

    def agencies_in(self, text: str) -> list[str]:
        """The agencies named in ``text``, in order of first appearance."""
        found: list[str] = []
        for match in self.name_pattern.finditer(text):
            agency = self.owner[match.group(0)]
            if agency not in found:
                found.append(agency)
        return found


def _word_form(form: str) -> str:
    """A regex for ``form`` as a whole word (Latin, Cyrillic) or as written (CJK, Hangul)."""
    escaped = re.escape(form)
    if all(ord(ch) < 0x2E80 for ch in form):
        return rf"(?<!\w){escaped}(?!\w)"
    return escaped


def parse_wire_table(data: dict[str, object], where: str) -> WireTable:
    wires = data.get("wires")
    if not isinstance(wires, dict) or not wires:
        raise WireDataError(f"{where}: no [wires.<id>] table")
    forms: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for agency, table in wires.items():
        if not isinstance(table, dict) or not isinstance(table.get("forms"), list):
            raise WireDataError(f"{where}: wire {agency!r} has no forms list")
        names = [str(f) for f in table["forms"]]
        by_language = table.get("forms_by_language", {})
        if not isinstance(by_language, dict):
            raise WireDataError(f"{where}: wire {agency!r}: forms_by_language is not a table")
        for language, more in by_language.items():
            if not isinstance(more, list):
                raise WireDataError(f"{where}: wire {agency!r}: forms of {language!r} not a list")
            names += [str(f) for f in more]
        unique = tuple(dict.fromkeys(n for n in names if n.strip()))
        for name in unique:
            if owner.setdefault(name, agency) != agency:
                raise WireDataError(f"{where}: form {name!r} belongs to two wires")
        forms[agency] = unique
    words = data.get("credit_words", {})
    joiners = data.get("joiners", {})
    if not isinstance(words, dict) or not isinstance(joiners, dict):
        raise WireDataError(f"{where}: credit_words and joiners must be tables")
    credit = tuple(dict.fromkeys(str(w) for ws in words.values() for w in ws))
    joined = tuple(str(w) for w in joiners.get("words", []))
    # Longest first, so "Agence France-Presse" wins over "AFP" and "RIA Novosti" over "RIA".
    ordered = sorted(owner, key=len, reverse=True)
    pattern = re.compile("|".join(_word_form(f) for f in ordered))
    return WireTable(forms, credit, joined, pattern, owner)


@lru_cache(maxsize=4)
def load_wire_table(path: Path | None = None) -> WireTable:
    """The wire table at ``path``, or the bundled one."""
    if path is None:
        text = resources.files("storage").joinpath("data/wires.toml").read_text("utf-8")
        where = "storage/data/wires.toml"
    else:
        text = path.read_text("utf-8")
        where = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WireDataError(f"{where}: {exc}") from exc
    return parse_wire_table(data, where)


_BRACKETED = re.compile(r"[(\[]([^()\[\]\n]{1," + str(BRACKET_MAX) + r"})[)\]]|/([^/\n]{1,24})/")
_PLACE_PREFIX = re.compile(r"^[^=]{1,24}=")  # the Korean and Japanese "(서울=연합뉴스)"
_DASH = "-–—"


def _only_credit(inner: str, table: WireTable, *, words: bool) -> list[str]:
    """The agencies of ``inner`` when it holds nothing but names (and credit words and
    joiners when ``words``), else none."""
    agencies = table.agencies_in(inner)
    if not agencies:
        return []
    rest = table.name_pattern.sub(" ", inner)
    rest = _PLACE_PREFIX.sub("", rest.strip())
    if words:
        for word in sorted((*table.credit_words, *table.joiners), key=len, reverse=True):
            rest = re.sub(
                rf"(?<!\w){re.escape(word)}(?!\w)" if word[-1].isalnum() else re.escape(word),
                " ",
                rest,
                flags=re.IGNORECASE,
            )
    return agencies if not rest.strip(" .:-–—\u00a0") else []


def _credit_line(line: str, table: WireTable) -> list[str]:
    """A short line crediting agencies: "Le Monde avec AFP", "Source : Reuters", "© AFP 2026"."""
    if len(line) > SHORT_LINE:
        return []
    for word in table.credit_words:
        head = rf"(?<!\w){re.escape(word)}" if word[0].isalnum() else re.escape(word)
        match = re.search(head + r"\s*(.+)$", line, flags=re.IGNORECASE)
        if match is None:
            continue
        tail = re.sub(r"\b\d{4}\b", " ", match.group(1))
        found = _only_credit(tail, table, words=True)
        if found:
            return found
    return []


def detect_wires(text: str, author: str | None = None, table: WireTable | None = None) -> list[str]:
    """The agencies an article credits, in order of first credit (ids of the wire table)."""
    table = table or load_wire_table()
    found: list[str] = []

    def add(agencies: list[str]) -> None:
        found.extend(a for a in agencies if a not in found)

    if author:
        add(table.agencies_in(author))
    for match in _BRACKETED.finditer(text):
        add(_only_credit(match.group(1) or match.group(2), table, words=True))
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]:
        add(_credit_line(line, table))
    head, tail = text[:EDGE_CHARS].lstrip(), text[-EDGE_CHARS:].rstrip()
    lead = re.match(rf"^([^{_DASH}\n]{{1,40}})\s*[{_DASH}]", head)
    if lead:
        add(_only_credit(lead.group(1), table, words=False))
    last = re.search(rf"[{_DASH}]\s*([^{_DASH}\n]{{1,40}}?)\s*[.)]?$", tail)
    if last:
        add(_only_credit(last.group(1), table, words=False))
    return found


def wire_of(texts: Sequence[str], author: str | None = None) -> str | None:
    """``articles.wire``: the agencies credited by the byline or any of the texts (the feed's
    summary, the page's text), joined by commas; ``None`` when none."""
    found: list[str] = []
    for index, text in enumerate(texts):
        found += [w for w in detect_wires(text, author if index == 0 else None) if w not in found]
    return ",".join(found)[:200] if found else None
