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
FORCE_GROUPS = frozenset({"personnel", "weapons", "instrument", "link", "object"})
CUE_GROUPS = frozenset(
    {
        "deploy_verb",
        "deploy_state",
        "deploy_presence",
        "returning",
        "reaction",
        "kp_test",
        "transfer_verb",
        "weapon_origin",
        "first_unit",
        "agree_sign",
        "agree_accord",
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
        "future",
        "denial",
        "denial_void",
        "confirm",
        "admit",
        "background",
        "recap",
        "gratitude",
        "law",
        "analysis",
        "no_mention",
        "additional",
        "claim",
        "cooperation",
        "decided_future",
        "announce",
        "comparison",
    }
)

# Word characters, with the combining vowel signs of Indic scripts and Arabic diacritics,
# which Python's \w leaves out (so "सैनिक" stays one word).
_WORD = r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0900-\u0dff]+"
_TOKEN_RE = re.compile(_WORD)
_ARABIC_MARKS_RE = re.compile(r"[\u0610-\u061a\u064b-\u065f]")
_PATTERN_TOKEN_RE = re.compile(rf"({_WORD})(\*)?")
# What may separate two words of one pattern: spaces, hyphens, apostrophes, a middle dot, a
# comma ("Putin, Kim").
_GAP_RE = re.compile(r"[\s\u00a0\-\u2010\u2011\u2013'\u2019\u02bc\u00b7,]{1,3}")
_ABBREVIATION_GAP_RE = re.compile(r"\.\s?")
_UNBOUNDED_RE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")
_CAPS_RE = re.compile(r"^[A-ZА-ЯЁ]{2,5}$")
# Japanese writes without spaces: a word changes script where a particle (hiragana) follows a
# name (katakana) or a noun (kanji), so a run is split at each change of script.
_KANA_RE = re.compile(r"[\u3041-\u30ff]")
_SCRIPT_RUN_RE = re.compile(
    r"[\u3041-\u309f]+|[\u30a0-\u30ff]+|[\u3400-\u9fff]+|[^\u3041-\u30ff\u3400-\u9fff]+"
)


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    side: str
    name: str
    claimant: bool = False
    specific: bool = False
    media: bool = False  # a news agency or paper: relays claims, is not their source
    area: str = ""  # places of one area are one place to event matching ("Tumen border")


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
    words: tuple[tuple[str, bool], ...]  # (word, matches any ending)
    case_sensitive: bool
    labels: tuple[str, ...]


def _compile_pattern(source: str, labels: tuple[str, ...]) -> _Pattern:
    case_sensitive = bool(_CAPS_RE.match(source))
    free = bool(_UNBOUNDED_RE.search(source))
    words: list[tuple[str, bool]] = []
    for m in _PATTERN_TOKEN_RE.finditer(source):
        word = m.group(1) if case_sensitive else m.group(1).lower()
        # Korean particles attach to the word: Hangul words match any ending.
        words.append((word, bool(m.group(2)) or free))
    if not words:
        raise KnowledgeError(f"pattern {source!r} has no word")
    return _Pattern(source, tuple(words), case_sensitive, labels)


class Matcher:
    """Finds every pattern of a labelled set in a text in one pass over its words.

    Patterns are indexed by their first word (exact words in a dictionary, open-ended words
    by their first three characters), so the cost grows with the length of the text, not
    with the size of the tables.
    """

    def __init__(self, labelled: Mapping[str, Iterable[str]], *, where: str = "") -> None:
        by_pattern: dict[str, list[str]] = {}
        for label, patterns in labelled.items():
            for pattern in patterns:
                if not pattern.strip():
                    raise KnowledgeError(f"{where}: empty pattern for {label}")
                by_pattern.setdefault(pattern, [])
                if label not in by_pattern[pattern]:
                    by_pattern[pattern].append(label)
        # Single words: plain dictionary look-ups; several words: checked word by word.
        self._single: dict[str, tuple[str, ...]] = {}
        self._exact: dict[str, list[_Pattern]] = {}
        # Patterns of two or more exact words, by their first two words ("are in", "no deal").
        self._pairs: dict[tuple[str, str], list[_Pattern]] = {}
        self._prefix: dict[str, list[_Pattern]] = {}
        self._short: dict[str, list[_Pattern]] = {}
        raw: list[tuple[re.Pattern[str], tuple[str, ...]]] = []
        for source, labels in by_pattern.items():
            if source.startswith("re:"):
                try:
                    raw.append((re.compile(source[3:], re.IGNORECASE), tuple(labels)))
                except re.error as exc:
                    raise KnowledgeError(f"{where}: bad pattern {source!r}: {exc}") from exc
                continue
            try:
                pat = _compile_pattern(source, tuple(labels))
            except KnowledgeError as exc:
                raise KnowledgeError(f"{where}: {exc}") from exc
            first, open_ended = pat.words[0]
            first = first.lower()
            if not open_ended and len(pat.words) == 1 and not pat.case_sensitive:
                merged = self._single.get(first, ())
                self._single[first] = merged + tuple(lb for lb in labels if lb not in merged)
            elif not open_ended:
                if len(pat.words) >= 2 and not pat.words[1][1] and not pat.case_sensitive:
                    self._pairs.setdefault((first, pat.words[1][0]), []).append(pat)
                else:
                    self._exact.setdefault(first, []).append(pat)
            elif len(first) >= 3:
                self._prefix.setdefault(first[:3], []).append(pat)
            else:
                self._short.setdefault(first[:1], []).append(pat)
        self._raw = raw

    def find(self, text: str) -> list[Hit]:
        """Every (label, span) in ``text``; several labels may share a span or start."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters change length when lowered
            lowered = "".join(ch.lower()[:1] for ch in text)
        spans = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
        if _KANA_RE.search(text):
            spans = _split_scripts(text, spans)
        words = [lowered[a:b] for a, b in spans]
        if _ARABIC_MARKS_RE.search(text):
            words = [_ARABIC_MARKS_RE.sub("", w) for w in words]
        n = len(words)
        hits: set[Hit] = set()
        single, exact, prefix, short = self._single, self._exact, self._prefix, self._short
        pairs = self._pairs
        gap_ok = _GAP_RE.fullmatch
        abbreviation_gap = _ABBREVIATION_GAP_RE.fullmatch
        for i, word in enumerate(words):
            start = spans[i][0]
            labels = single.get(word)
            if labels:
                end = spans[i][1]
                for label in labels:
                    hits.add(Hit(label, start, end))
            candidates: list[_Pattern] = []
            more = exact.get(word)
            if more:
                candidates += more
            if i + 1 < n:
                more = pairs.get((word, words[i + 1]))
                if more:
                    candidates += more
            if len(word) >= 3:
                more = prefix.get(word[:3])
                if more:
                    candidates += more
            more = short.get(word[:1])
            if more:
                candidates += more
            for pat in candidates:
                size = len(pat.words)
                if i + size > n:
                    continue
                # Words first (cheap string tests), separators only for a full word match.
                ok = True
                for k, (want, open_ended) in enumerate(pat.words):
                    j = i + k
                    if pat.case_sensitive:
                        a, b = spans[j]
                        got = text[a:b]
                    else:
                        got = words[j]
                    if not (got.startswith(want) if open_ended else got == want):
                        ok = False
                        break
                if not ok:
                    continue
                for j in range(i + 1, i + size):
                    a, b = spans[j]
                    gap = spans[j - 1][1]
                    if not gap_ok(text, gap, a) and not (
                        b - a <= 2
                        and spans[j - 1][1] - spans[j - 1][0] <= 2
                        and abbreviation_gap(text, gap, a)
                    ):
                        ok = False
                        break
                if ok:
                    end = spans[i + size - 1][1]
                    for label in pat.labels:
                        hits.add(Hit(label, start, end))
        for rx, labels in self._raw:
            for m in rx.finditer(text):
                hits.update(Hit(label, m.start(), m.end()) for label in labels)
        return sorted(hits, key=lambda h: (h.start, -h.end, h.label))


def _split_scripts(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split the word spans that hold kana at each change between hiragana, katakana and kanji."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if _KANA_RE.search(text, a, b) is None:
            out.append((a, b))
            continue
        out.extend((a + m.start(), a + m.end()) for m in _SCRIPT_RUN_RE.finditer(text[a:b]))
    return out


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
            "media",
            "area",
            "aliases",
            "demonyms",
        }
        if unknown:
            raise KnowledgeError(f"{where}: unknown keys {sorted(unknown)}")
        aliases = _string_list(row.get("aliases"), f"{where} aliases")
        if not aliases:
            raise KnowledgeError(f"{where}: no aliases")
        demonyms = _string_list(row.get("demonyms", []), f"{where} demonyms")
        area = row.get("area", "")
        if not isinstance(area, str):
            raise KnowledgeError(f"{where}: area must be a string")
        entities[eid] = Entity(
            id=eid,
            kind=str(kind),
            side=side,
            name=name,
            claimant=bool(row.get("claimant", False)),
            specific=bool(row.get("specific", kind == "place")),
            media=bool(row.get("media", False)),
            area=area,
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
