"""Knowledge tables: actors, places, claimants and event vocabulary, loaded from editable TOML.

The bundled tables live in ``alerts/knowledge/`` (``entities.toml`` and ``vocabulary.toml``). A user
may copy that folder, edit it and point ``RUDPRK_KNOWLEDGE_DIR`` at the copy (or pass the
directory to :func:`load_knowledge`). Every file is validated on load: a mistake raises
:class:`~alerts.errors.KnowledgeError` naming the file and the entry.

All patterns are compiled into a few trie-shaped regular expressions, so one scan of a text
finds every alias and cue at once (:meth:`Matcher.find`).

Pattern syntax (both files): case is ignored; a space or a hyphen matches any run of spaces and
hyphens; ``'`` also matches a typographic apostrophe; a word ending in ``*`` matches any ending;
patterns in Hangul, Han or Kana match inside longer words (particles attach to names);
``re:`` starts a raw regular expression; words of two to five capitals ("NIS", "UN", "КНДР")
match case-sensitively.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from alerts.errors import KnowledgeError

BUNDLED_DIR = Path(__file__).with_name("knowledge")
ENV_VAR = "RUDPRK_KNOWLEDGE_DIR"

ENTITY_KINDS = frozenset({"country", "person", "place", "org"})
FORCE_GROUPS = frozenset({"personnel", "weapons", "instrument", "link"})
CUE_GROUPS = frozenset(
    {
        "deploy_verb",
        "deploy_state",
        "transfer_verb",
        "weapon_origin",
        "first_unit",
        "agree_sign",
        "agree_ratify",
        "agree_enact",
        "agree_in_force",
        "link_start",
        "visit",
        "casualty",
        "sanction_strong",
        "sanction_weak",
        "other",
        "speculative",
        "denial",
        "denial_void",
        "confirm",
        "background",
        "analysis",
        "additional",
        "claim",
        "cooperation",
    }
)

_SEP = "[\\s\\u00a0\\-\\u2010\\u2011\\u2013]+"
_APOS = "['\\u2019\\u02bc]"
_STAR = "\\w*"
_UNBOUNDED_RE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")
_CAPS_RE = re.compile(r"^[A-ZА-ЯЁ]{2,5}$")


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    side: str
    name: str
    claimant: bool = False
    specific: bool = False


@dataclass(frozen=True)
class Hit:
    """One pattern found in a text. ``label`` is ``entity:<id>``, ``demonym:<id>``,
    ``force:<canonical>`` or ``cue:<group>``."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class _Pattern:
    source: str
    regex: re.Pattern[str]
    labels: tuple[str, ...]


def _tokens(pattern: str) -> list[str]:
    """Regex pieces of a pattern, one per character or special token."""
    out: list[str] = []
    n = len(pattern)
    for i, ch in enumerate(pattern):
        if ch in " -\u2010\u2011":
            if out and out[-1] == _SEP:
                continue
            out.append(_SEP)
        elif ch in "'\u2019":
            out.append(_APOS)
        elif ch == "*" and (i == n - 1 or pattern[i + 1] == " "):
            out.append(_STAR)
        else:
            out.append(re.escape(ch))
    return out


def _trie_regex(sequences: Iterable[list[str]], *, bounded: bool) -> str:
    """One alternation shaped as a trie (shared prefixes factored out, longest first)."""
    root: dict[str, Any] = {}
    for seq in sequences:
        node = root
        for tok in seq:
            node = node.setdefault(tok, {})
        node[""] = {}

    def emit(node: dict[str, Any], top: bool) -> str:
        branches: list[str] = []
        end = False
        for tok in sorted(node, key=lambda t: (t == "", t)):
            if tok == "":
                end = True
                continue
            head = tok
            if top and bounded:
                # Boundary checked after the first character keeps the literal-prefix scan fast.
                head = f"{tok}(?<!\\w.)"
            branches.append(head + emit(node[tok], False))
        if end:
            branches.append("")
        if len(branches) == 1:
            return branches[0]
        if not branches:
            return ""
        return "(?:" + "|".join(branches) + ")"

    body = emit(root, True)
    return body + ("(?!\\w)" if bounded else "")


class Matcher:
    """Finds every pattern of a labelled set in a text, in one scan per pattern family."""

    def __init__(self, labelled: Mapping[str, Iterable[str]], *, where: str = "") -> None:
        by_pattern: dict[str, list[str]] = {}
        for label, patterns in labelled.items():
            for pattern in patterns:
                by_pattern.setdefault(pattern, [])
                if label not in by_pattern[pattern]:
                    by_pattern[pattern].append(label)
        families: dict[str, list[list[str]]] = {"ci": [], "cs": [], "free": []}
        raw: list[str] = []
        self._groups: dict[str, list[_Pattern]] = {}
        self._short: dict[str, list[_Pattern]] = {}
        self._raw: list[_Pattern] = []
        for source, labels in by_pattern.items():
            if not source.strip():
                raise KnowledgeError(f"{where}: empty pattern for {labels[0]}")
            try:
                if source.startswith("re:"):
                    body = source[3:]
                    rx = re.compile(body, re.IGNORECASE)
                    raw.append(body)
                    self._raw.append(_Pattern(source, rx, tuple(labels)))
                    continue
                toks = _tokens(source)
                if _UNBOUNDED_RE.search(source):
                    fam, flags, tail = "free", int(re.IGNORECASE), ""
                elif _CAPS_RE.match(source):
                    fam, flags, tail = "cs", 0, "(?!\\w)"
                else:
                    fam, flags, tail = "ci", int(re.IGNORECASE), "(?!\\w)"
                families[fam].append(toks)
                rx = re.compile("".join(toks) + tail, flags)
            except re.error as exc:
                raise KnowledgeError(f"{where}: bad pattern {source!r}: {exc}") from exc
            key = self._key(source)
            if len(source.rstrip("*")) < 2 or source[1] in " -*'\u2019":
                # too short for a two-character key: checked at every match of its first char
                self._short.setdefault(fam + key[:1], []).append(
                    _Pattern(source, rx, tuple(labels))
                )
            else:
                self._groups.setdefault(fam + key, []).append(_Pattern(source, rx, tuple(labels)))
        self._scanners: list[tuple[str, re.Pattern[str]]] = []
        for fam, seqs in families.items():
            if not seqs:
                continue
            flags = 0 if fam == "cs" else int(re.IGNORECASE)
            self._scanners.append(
                (fam, re.compile(_trie_regex(seqs, bounded=fam != "free"), flags))
            )
        self._raw_scanner = (
            re.compile("|".join(f"(?:{r})" for r in raw), re.IGNORECASE) if raw else None
        )

    @staticmethod
    def _key(text: str) -> str:
        head = text[:2].lower()
        return re.sub(r"[\s\u00a0\-\u2010\u2011\u2013]", " ", head).replace("\u2019", "'")

    def find(self, text: str) -> list[Hit]:
        """Every (label, span) in ``text``; several labels may share a span or start."""
        hits: list[Hit] = []
        for fam, scanner in self._scanners:
            m = scanner.search(text)
            while m is not None:
                pos = m.start()
                # Resume just after the start, not the end: overlapping patterns
                # ("a bien envoyé" and "envoyé") are all found.
                m = scanner.search(text, pos + 1)
                key = fam + self._key(text[pos : pos + 2])
                short = fam + self._key(text[pos : pos + 1])
                for pat in (*self._groups.get(key, ()), *self._short.get(short, ())):
                    pm = pat.regex.match(text, pos)
                    if pm is None:
                        continue
                    for label in pat.labels:
                        hits.append(Hit(label, pos, pm.end()))
        if self._raw_scanner is not None:
            for m in self._raw_scanner.finditer(text):
                for pat in self._raw:
                    pm = pat.regex.match(text, m.start())
                    if pm is not None:
                        hits.extend(Hit(label, m.start(), pm.end()) for label in pat.labels)
        unique = set(hits)
        return sorted(unique, key=lambda h: (h.start, -h.end, h.label))


@dataclass(frozen=True)
class Knowledge:
    """The loaded tables and their compiled matcher."""

    directory: Path
    entities: Mapping[str, Entity]
    forces: Mapping[str, str]  # canonical force -> group
    cue_groups: frozenset[str]
    matcher: Matcher = field(repr=False)

    def entity(self, entity_id: str) -> Entity:
        return self.entities[entity_id]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise KnowledgeError(f"knowledge file missing: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise KnowledgeError(f"{path}: unreadable: {exc}") from exc


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(f"{where}: expected a list of strings")
    return list(value)


def _load_entities(path: Path, labelled: dict[str, list[str]]) -> dict[str, Entity]:
    data = _read_toml(path)
    rows = data.get("entity")
    if not isinstance(rows, list) or not rows:
        raise KnowledgeError(f"{path}: expected [[entity]] tables")
    entities: dict[str, Entity] = {}
    for n, row in enumerate(rows, 1):
        where = f"{path.name} entity #{n}"
        if not isinstance(row, dict):
            raise KnowledgeError(f"{where}: not a table")
        eid = row.get("id")
        if not isinstance(eid, str) or not eid:
            raise KnowledgeError(f"{where}: missing id")
        where = f"{path.name} entity {eid!r}"
        if eid in entities:
            raise KnowledgeError(f"{where}: duplicate id")
        kind = row.get("kind")
        if kind not in ENTITY_KINDS:
            raise KnowledgeError(f"{where}: kind must be one of {sorted(ENTITY_KINDS)}")
        side = row.get("side", "")
        name = row.get("name", eid)
        if not isinstance(side, str) or not isinstance(name, str):
            raise KnowledgeError(f"{where}: side and name must be strings")
        unknown = set(row) - {
            "id",
            "kind",
            "side",
            "name",
            "claimant",
            "specific",
            "aliases",
            "demonyms",
        }
        if unknown:
            raise KnowledgeError(f"{where}: unknown keys {sorted(unknown)}")
        aliases = _string_list(row.get("aliases"), f"{where} aliases")
        if not aliases:
            raise KnowledgeError(f"{where}: no aliases")
        demonyms = _string_list(row.get("demonyms", []), f"{where} demonyms")
        entities[eid] = Entity(
            id=eid,
            kind=str(kind),
            side=side,
            name=name,
            claimant=bool(row.get("claimant", False)),
            specific=bool(row.get("specific", kind == "place")),
        )
        labelled[f"entity:{eid}"] = aliases
        if demonyms:
            labelled[f"demonym:{eid}"] = demonyms
    return entities


def _load_vocabulary(path: Path, labelled: dict[str, list[str]]) -> dict[str, str]:
    data = _read_toml(path)
    forces_table = data.get("forces")
    cues_table = data.get("cues")
    if not isinstance(forces_table, dict) or not isinstance(cues_table, dict):
        raise KnowledgeError(f"{path}: expected [forces.*] and [cues.*] tables")
    forces: dict[str, str] = {}
    for name, spec in forces_table.items():
        where = f"{path.name} forces.{name}"
        if not isinstance(spec, dict):
            raise KnowledgeError(f"{where}: not a table")
        group = spec.get("group")
        if group not in FORCE_GROUPS:
            raise KnowledgeError(f"{where}: group must be one of {sorted(FORCE_GROUPS)}")
        patterns = _string_list(spec.get("patterns"), f"{where} patterns")
        if not patterns:
            raise KnowledgeError(f"{where}: no patterns")
        forces[name] = str(group)
        labelled[f"force:{name}"] = patterns
    missing = CUE_GROUPS - set(cues_table)
    if missing:
        raise KnowledgeError(f"{path}: missing cue groups {sorted(missing)}")
    for group, by_lang in cues_table.items():
        where = f"{path.name} cues.{group}"
        if group not in CUE_GROUPS:
            raise KnowledgeError(f"{where}: unknown cue group (known: {sorted(CUE_GROUPS)})")
        if not isinstance(by_lang, dict):
            raise KnowledgeError(f"{where}: expected one list per language")
        cue_patterns: list[str] = []
        for lang, words in by_lang.items():
            cue_patterns.extend(_string_list(words, f"{where}.{lang}"))
        labelled[f"cue:{group}"] = cue_patterns
    return forces


def load_knowledge(directory: Path | str | None = None) -> Knowledge:
    """Load and compile the tables from ``directory``, ``$RUDPRK_KNOWLEDGE_DIR`` or the bundled copy."""
    if directory is None:
        env = os.environ.get(ENV_VAR)
        directory = Path(env) if env else BUNDLED_DIR
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise KnowledgeError(f"knowledge directory not found: {directory}")
    labelled: dict[str, list[str]] = {}
    entities = _load_entities(directory / "entities.toml", labelled)
    forces = _load_vocabulary(directory / "vocabulary.toml", labelled)
    matcher = Matcher(labelled, where=str(directory))
    return Knowledge(
        directory=directory,
        entities=entities,
        forces=forces,
        cue_groups=CUE_GROUPS,
        matcher=matcher,
    )


@lru_cache(maxsize=4)
def _cached(directory: str) -> Knowledge:
    return load_knowledge(Path(directory))


def default_knowledge() -> Knowledge:
    """The tables of ``$RUDPRK_KNOWLEDGE_DIR`` or the bundled ones, loaded once per process."""
    env = os.environ.get(ENV_VAR)
    return _cached(str(Path(env).expanduser() if env else BUNDLED_DIR))
