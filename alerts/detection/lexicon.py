"""Lexicons: the language-neutral names and one file of words per language, loaded from TOML.

The bundled files live in ``alerts/detection/lexicons/``: ``names.toml`` (actors, people,
places, organisations and claimants in every language, and the groups of the forces) and one
``<lang>.toml`` per language (its forces, event cues, syntax markers and framing triggers). A
user may copy that folder, edit it and point ``RUDPRK_KNOWLEDGE_DIR`` at the copy. Adding a
language is adding a file (docs/detection.md has a worked example).

An article is matched against the names and the words of its own language only
(:meth:`Lexicons.for_language`): a hedge of one language ("plant", German for "plans") never
frames an English sentence. Every file is validated on load: a mistake raises
:class:`~alerts.errors.KnowledgeError` naming the file and the entry.
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from alerts.detection.morphology import BACKENDS, Lemmatiser, lemmatiser_for
from alerts.detection.scan import Hit, Matcher, Tokens, tokenise
from alerts.errors import KnowledgeError

__all__ = [
    "BUNDLED_DIR",
    "CUE_GROUPS",
    "ENV_VAR",
    "FRAMING_KINDS",
    "MARKER_GROUPS",
    "Entity",
    "FramingTable",
    "Grammar",
    "Hit",
    "Language",
    "Lexicon",
    "Lexicons",
    "Matcher",
    "default_lexicons",
    "load_lexicons",
]

BUNDLED_DIR = Path(__file__).with_name("lexicons")
ENV_VAR = "RUDPRK_KNOWLEDGE_DIR"
NAMES_FILE = "names.toml"

ENTITY_KINDS = frozenset({"country", "person", "place", "org"})
FORCE_GROUPS = frozenset({"personnel", "weapons", "instrument", "link", "object"})
# Words of acts and of their immediate context, per language.
CUE_GROUPS = frozenset(
    {
        "deploy_verb",
        "deploy_state",
        "deploy_presence",
        "returning",
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
        "law",
        "additional",
        "cooperation",
        "comparison",
        "no_mention",
        "analysis",
        "admit",
    }
)
# Syntax and attribute markers read by the general mechanisms (docs/detection.md).
MARKER_GROUPS = frozenset(
    {
        "clause_opener",
        "relative",
        "subordinator",
        "about",
        "captive",
        "role_in",
        "facility_after",
        "facility_before",
        "travel",
        "office",
        "infrastructure",
        "opening",
        "decree",
        "signing",
        "vague_goal",
        "media",
        "vote",
        "since",
        "total",
        "total_before",
        "reportive",
        "including",
        "whole",
        "coordinator",
        "partitive",
        "not_a_count",
        "number_hint",
        "locative",
        "passive_aux",
        "agent",
        "side_clause",
        "leading_frame",
        "temporal_lead",
        "header",
        "further",
        "decided_future",
        "terminator",
    }
)
# Kinds of framing trigger, with their default scope, the reach (in words) of a trigger over
# what follows it (``pre_reach``) and over what precedes it (``post_reach``).
FRAMING_KINDS: Mapping[str, tuple[str, int, int]] = {
    "negation": ("clause", 5, 3),
    "denial": ("sentence", 99, 99),
    "hedge": ("sentence", 14, 5),
    "future": ("clause", 4, 3),
    "conditional": ("clause", 14, 6),
    "recap": ("clause", 8, 8),
    "reminder": ("sentence", 99, 99),
    "anniversary": ("sentence", 99, 99),
    "reaction": ("clause", 14, 0),
    "exchange": ("clause", 10, 0),
    "reference": ("clause", 12, 0),
    "decision": ("clause", 10, 3),
    "report": ("sentence", 99, 99),
    "confirm": ("sentence", 99, 99),
}
# Kinds whose triggers open a phrase that ends at the next comma ("Following the summit, …"),
# and kinds that do not reach back over a comma ("…ratified the pact, days after…").
COMMA_BOUND_KINDS = frozenset({"reference", "exchange"})
COMMA_BOUND_BACKWARD_KINDS = frozenset({"reference", "exchange", "recap"})
_DIRECTIONS = ("pre", "post", "around")


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
class Grammar:
    """What the general mechanisms need to know of a language's grammar."""

    verb_final: bool = False  # objects and modality come before the verb (ko, ja)
    clause_final_verbs: bool = False  # subordinate clauses put the verb last (de)
    capitalised_nouns: bool = False  # every noun takes a capital (de): no sign of a name
    chars_per_word: int = 6
    clause_suffixes: tuple[str, ...] = ()  # word endings that close a clause (ko "…며")
    clause_commas: tuple[str, ...] = ()  # commas that always separate clauses (zh "，")
    subject_markers: tuple[str, ...] = ()  # particles of the grammatical subject (ko "이/가")
    topic_markers: tuple[str, ...] = ()  # particles of the topic (ko "은/는", ja "は")
    participle_suffixes: tuple[str, ...] = ()  # endings of passive participles ("-ed", "-és")


@dataclass(frozen=True)
class FramingTable:
    """One kind of framing trigger in one language (see :mod:`alerts.detection.framing`)."""

    kind: str
    scope: str
    pre_reach: int  # words after a trigger that it frames
    post_reach: int  # words before a trigger that it frames
    words: Mapping[str, tuple[str, ...]]  # direction -> patterns; also "void" and "pseudo"


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    grammar: Grammar
    abbreviations: tuple[str, ...]
    forces: Mapping[str, tuple[str, ...]]
    cues: Mapping[str, tuple[str, ...]]
    markers: Mapping[str, tuple[str, ...]]
    framing: Mapping[str, FramingTable]
    # cue group -> phrases that contain one of its cues without being it ("a sign of")
    pseudo: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the lemmatiser of the language (alerts.detection.morphology): patterns match lemmas too
    morphology: str = "none"
    # the backend a generated table (morphology "suffixes") stands in for: RUDPRK_MORPHOLOGY=full
    morphology_full: str | None = None


@dataclass(frozen=True)
class Names:
    entities: Mapping[str, Entity]
    forces: Mapping[str, str]  # canonical force -> group
    labelled: Mapping[str, tuple[str, ...]]  # label -> patterns (aliases, demonyms, names, cues)


@dataclass(frozen=True)
class Lexicon:
    """What detection reads an article with: the names and the words of its language."""

    code: str | None
    names: Names
    language: Language | None
    matcher: Matcher = field(repr=False)

    @property
    def entities(self) -> Mapping[str, Entity]:
        return self.names.entities

    @property
    def forces(self) -> Mapping[str, str]:
        return self.names.forces

    @property
    def grammar(self) -> Grammar:
        return self.language.grammar if self.language is not None else Grammar()

    def framing(self, kind: str) -> FramingTable | None:
        return self.language.framing.get(kind) if self.language is not None else None

    def markers(self, group: str) -> tuple[str, ...]:
        return self.language.markers.get(group, ()) if self.language is not None else ()

    def lemmatiser(self) -> Lemmatiser | None:
        """The language's lemmatiser (loaded on first use), or ``None``."""
        if self.language is None:
            return None
        language = self.language
        return lemmatiser_for(language.morphology, language.code, language.morphology_full)

    def tokens(self, text: str) -> Tokens:
        """The scanner's words of ``text``, with their lemmas when the language has a
        lemmatiser (pass them to ``matcher.find`` so that ``lemma:`` patterns match)."""
        tokens = tokenise(text)
        lemmatiser = self.lemmatiser()
        if lemmatiser is None:
            return tokens
        return replace(tokens, lemmas=lemmatiser.lemmas(text, tokens.spans, tokens.words))


class Lexicons:
    """Every lexicon of a directory; the matcher of a language is compiled when first needed."""

    def __init__(self, directory: Path, names: Names, languages: Mapping[str, Language]) -> None:
        self.directory = directory
        self.names = names
        self.languages = dict(languages)
        self._compiled: dict[str | None, Lexicon] = {}
        self._lock = threading.Lock()

    @property
    def entities(self) -> Mapping[str, Entity]:
        return self.names.entities

    @property
    def forces(self) -> Mapping[str, str]:
        return self.names.forces

    def for_language(self, code: str | None) -> Lexicon:
        """The lexicon of ``code``; names only for a language without a file (or ``None``)."""
        key = code if code in self.languages else None
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key)
                if found is None:
                    found = self._compile(key)
                    self._compiled[key] = found
        return found

    def _compile(self, code: str | None) -> Lexicon:
        language = self.languages.get(code) if code is not None else None
        labelled: dict[str, list[str]] = {k: list(v) for k, v in self.names.labelled.items()}
        if language is not None:
            for label, patterns in _language_labels(language).items():
                labelled.setdefault(label, []).extend(patterns)
        where = str(self.directory / (f"{code}.toml" if code else NAMES_FILE))
        return Lexicon(code, self.names, language, Matcher(labelled, where=where))


def _language_labels(language: Language) -> dict[str, list[str]]:
    labelled: dict[str, list[str]] = {}
    for name, patterns in language.forces.items():
        labelled[f"force:{name}"] = list(patterns)
    for group, patterns in language.cues.items():
        labelled[f"cue:{group}"] = list(patterns)
    for group, patterns in language.markers.items():
        labelled[f"mark:{group}"] = list(patterns)
    for kind, table in language.framing.items():
        for direction, patterns in table.words.items():
            labelled[f"frame:{kind}:{direction}"] = list(patterns)
    for group, patterns in language.pseudo.items():
        labelled[f"pseudo:{group}"] = list(patterns)
    return labelled


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------


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


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(f"{where}: expected a list of strings")
    for v in value:
        if not v.strip():
            raise KnowledgeError(f"{where}: empty pattern")
    return tuple(value)


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise KnowledgeError(f"{where}: [{key}] must be a table")
    return value


def _check_keys(row: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(row) - allowed
    if unknown:
        raise KnowledgeError(f"{where}: unknown keys {sorted(unknown)}")


def _load_names(path: Path) -> Names:
    data = _read_toml(path)
    _check_keys(data, {"entity", "forces", "cues"}, path.name)
    rows = data.get("entity")
    if not isinstance(rows, list) or not rows:
        raise KnowledgeError(f"{path}: expected [[entity]] tables")
    labelled: dict[str, tuple[str, ...]] = {}
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
        _check_keys(
            row,
            {"id", "kind", "side", "name", "claimant", "specific", "media", "area"}
            | {"aliases", "demonyms"},
            where,
        )
        side, name, area = row.get("side", ""), row.get("name", eid), row.get("area", "")
        if not all(isinstance(v, str) for v in (side, name, area)):
            raise KnowledgeError(f"{where}: side, name and area must be strings")
        aliases = _strings(row.get("aliases"), f"{where} aliases")
        if not aliases:
            raise KnowledgeError(f"{where}: no aliases")
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
        demonyms = _strings(row.get("demonyms", []), f"{where} demonyms")
        if demonyms:
            labelled[f"demonym:{eid}"] = demonyms
    forces: dict[str, str] = {}
    for fname, spec in _table(data, "forces", path.name).items():
        where = f"{path.name} forces.{fname}"
        if not isinstance(spec, dict):
            raise KnowledgeError(f"{where}: not a table")
        _check_keys(spec, {"group", "names"}, where)
        group = spec.get("group")
        if group not in FORCE_GROUPS:
            raise KnowledgeError(f"{where}: group must be one of {sorted(FORCE_GROUPS)}")
        forces[fname] = str(group)
        names = _strings(spec.get("names", []), f"{where} names")
        if names:
            labelled[f"force:{fname}"] = names
    for group, patterns in _table(data, "cues", path.name).items():
        if group not in CUE_GROUPS:
            raise KnowledgeError(f"{path.name} cues.{group}: unknown cue group")
        labelled[f"cue:{group}"] = _strings(patterns, f"{path.name} cues.{group}")
    if not forces:
        raise KnowledgeError(f"{path}: expected [forces.*] tables")
    return Names(entities, forces, labelled)


def _load_grammar(data: Mapping[str, Any], where: str) -> Grammar:
    allowed = {
        "verb_final",
        "clause_final_verbs",
        "capitalised_nouns",
        "chars_per_word",
        "clause_suffixes",
        "clause_commas",
        "subject_markers",
        "topic_markers",
        "participle_suffixes",
    }
    _check_keys(data, allowed, where)
    cpw = data.get("chars_per_word", 6)
    if not isinstance(cpw, int) or not 1 <= cpw <= 20:
        raise KnowledgeError(f"{where}: chars_per_word must be an integer from 1 to 20")
    return Grammar(
        verb_final=bool(data.get("verb_final", False)),
        clause_final_verbs=bool(data.get("clause_final_verbs", False)),
        capitalised_nouns=bool(data.get("capitalised_nouns", False)),
        chars_per_word=cpw,
        **{
            key: _strings(data.get(key, []), f"{where}.{key}")
            for key in (
                "clause_suffixes",
                "subject_markers",
                "topic_markers",
                "participle_suffixes",
            )
        },
    )


def _load_framing(data: Mapping[str, Any], where: str) -> dict[str, FramingTable]:
    tables: dict[str, FramingTable] = {}
    for kind, spec in data.items():
        here = f"{where}.{kind}"
        if kind not in FRAMING_KINDS:
            raise KnowledgeError(f"{here}: unknown framing kind (known: {sorted(FRAMING_KINDS)})")
        if not isinstance(spec, dict):
            raise KnowledgeError(f"{here}: not a table")
        _check_keys(
            spec, {*_DIRECTIONS, "void", "pseudo", "scope", "pre_reach", "post_reach"}, here
        )
        scope, pre_reach, post_reach = FRAMING_KINDS[kind]
        scope = spec.get("scope", scope)
        if scope not in ("clause", "sentence"):
            raise KnowledgeError(f"{here}: scope must be 'clause' or 'sentence'")
        reaches = [spec.get("pre_reach", pre_reach), spec.get("post_reach", post_reach)]
        if not all(isinstance(r, int) and 0 <= r <= 99 for r in reaches):
            raise KnowledgeError(f"{here}: reaches must be integers from 0 to 99")
        words = {
            key: _strings(spec[key], f"{here}.{key}")
            for key in (*_DIRECTIONS, "void", "pseudo")
            if key in spec
        }
        tables[kind] = FramingTable(kind, scope, reaches[0], reaches[1], words)
    return tables


def _load_language(path: Path, forces: Mapping[str, str]) -> Language:
    data = _read_toml(path)
    name = path.name
    _check_keys(
        data,
        {"language", "name", "grammar", "sentences", "forces", "cues", "markers", "framing"}
        | {"pseudo", "morphology"},
        name,
    )
    code = data.get("language")
    if code != path.stem:
        raise KnowledgeError(f"{name}: language must be {path.stem!r} (the file's name)")
    for fname in _table(data, "forces", name):
        if fname not in forces:
            raise KnowledgeError(f"{name} forces.{fname}: not declared in {NAMES_FILE}")
    for group in _table(data, "cues", name):
        if group not in CUE_GROUPS:
            raise KnowledgeError(f"{name} cues.{group}: unknown cue group")
    for group in _table(data, "markers", name):
        if group not in MARKER_GROUPS:
            raise KnowledgeError(f"{name} markers.{group}: unknown marker group")
    for group in _table(data, "pseudo", name):
        if group not in CUE_GROUPS:
            raise KnowledgeError(f"{name} pseudo.{group}: unknown cue group")
    sentences = _table(data, "sentences", name)
    _check_keys(sentences, {"abbreviations"}, f"{name} [sentences]")
    morphology = _table(data, "morphology", name)
    _check_keys(morphology, {"backend", "full"}, f"{name} [morphology]")
    backend = morphology.get("backend", "none")
    if backend not in BACKENDS:
        raise KnowledgeError(f"{name} [morphology] backend must be one of {list(BACKENDS)}")
    full = morphology.get("full")
    if full is not None and (full not in BACKENDS or backend != "suffixes"):
        raise KnowledgeError(
            f"{name} [morphology] full names the backend a suffix table stands in for "
            f'(backend = "suffixes"; one of {list(BACKENDS)})'
        )
    return Language(
        code=str(code),
        name=str(data.get("name", code)),
        grammar=_load_grammar(_table(data, "grammar", name), f"{name} [grammar]"),
        abbreviations=_strings(sentences.get("abbreviations", []), f"{name} abbreviations"),
        forces={
            k: _strings(v, f"{name} forces.{k}") for k, v in _table(data, "forces", name).items()
        },
        cues={k: _strings(v, f"{name} cues.{k}") for k, v in _table(data, "cues", name).items()},
        markers={
            k: _strings(v, f"{name} markers.{k}") for k, v in _table(data, "markers", name).items()
        },
        framing=_load_framing(_table(data, "framing", name), f"{name} framing"),
        pseudo={
            k: _strings(v, f"{name} pseudo.{k}") for k, v in _table(data, "pseudo", name).items()
        },
        morphology=str(backend),
        morphology_full=str(full) if full is not None else None,
    )


def load_lexicons(directory: Path | str | None = None) -> Lexicons:
    """Load and check ``directory`` (else ``$RUDPRK_KNOWLEDGE_DIR``, else the bundled copy)."""
    if directory is None:
        env = os.environ.get(ENV_VAR)
        directory = Path(env) if env else BUNDLED_DIR
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise KnowledgeError(f"knowledge directory not found: {directory}")
    names = _load_names(directory / NAMES_FILE)
    languages = {
        path.stem: _load_language(path, names.forces)
        for path in sorted(directory.glob("*.toml"))
        if path.name != NAMES_FILE
    }
    lexicons = Lexicons(directory, names, languages)
    lexicons.for_language(None)  # compile the names now: a bad pattern fails at start-up
    return lexicons


@lru_cache(maxsize=4)
def _cached(directory: str) -> Lexicons:
    return load_lexicons(Path(directory))


def default_lexicons() -> Lexicons:
    """The lexicons of ``$RUDPRK_KNOWLEDGE_DIR`` or the bundled ones, loaded once per process."""
    env = os.environ.get(ENV_VAR)
    return _cached(str(Path(env).expanduser() if env else BUNDLED_DIR))
