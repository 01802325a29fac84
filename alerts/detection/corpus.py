"""The labelled corpus: load and validate its JSON Lines files, and digest its content.

Each line is one item of schema v2 (``docs/models.md`` lists the fields; every field present,
``null``/``false``/``[]`` when empty). Items of schema v1 — the twelve fields of the first
labelled sets, optionally with a ``title`` — are read too and given v2's defaults (``format``
``short``, no figure range, no stage, instrument, actor or claimant, ``additional`` false, no
framing tags); their ids, keys and dates follow v1's looser rules (any lower-case slug as id
or key, dates of reduced precision, no key required on alert-worthy items). An item carrying any
v2-only field is a v2 item and must carry them all.

:func:`validate_file` and :func:`validate_corpus` return every problem, each naming its file,
line and item; :func:`load_corpus` raises one :class:`~alerts.errors.CorpusError` whose message
is the first problem (and how many more there are). :func:`corpus_digest` is a SHA-256 over
the normalised items in id order, independent of file names, line order and JSON spacing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alerts.errors import CorpusError

DEFAULT_CORPUS_DIR = Path(__file__).with_name("corpus")

LANGS = frozenset(
    {"fr", "en", "ru", "ko", "uk", "de", "es", "it", "pt", "pl", "ja", "zh", "ar", "hi"}
)
EVENT_TYPES = (
    "deployment",
    "agreement",
    "arms_transfer",
    "visit",
    "casualties",
    "sanctions",
    "other",
)
NOVELTIES = ("new", "background", "speculative", "denied")
STAGES = frozenset({"announced", "signed", "ratified", "in_force", "implemented"})
QUALIFIERS = frozenset({"exact", "about", "more_than", "at_least", "up_to", "less_than", "range"})
FORMATS = frozenset({"short", "article"})
FRAMINGS = frozenset(
    {
        "assertion", "decision", "announcement", "confirmation", "attribution", "negation",
        "denial", "hedge", "plan", "future", "conditional", "question", "recap", "anniversary",
        "reaction", "analysis", "projection_mixed", "casualty_recap", "correction",
        "hard_negative", "contrast_pair", "update",
    }
)  # fmt: skip
ALERT_TYPES = ("deployment", "agreement")

_NONE = type(None)
FIELDS_V2: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "lang": (str,),
    "source_url": (str,),
    "published": (str, _NONE),
    "title": (str, _NONE),
    "text": (str,),
    "format": (str,),
    "relevant": (bool,),
    "event_type": (str, _NONE),
    "novelty": (str,),
    "quantity": (int, _NONE),
    "quantity_high": (int, _NONE),
    "qualifier": (str, _NONE),
    "location": (str, _NONE),
    "event_key": (str, _NONE),
    "stage": (str, _NONE),
    "instrument": (str, _NONE),
    "actor": (str, _NONE),
    "claimant": (str, _NONE),
    "additional": (bool,),
    "framing": (list,),
    "notes": (str, _NONE),
}
FIELDS_V1 = (
    "id", "lang", "source_url", "published", "text", "relevant", "event_type", "novelty",
    "quantity", "location", "event_key", "notes",
)  # fmt: skip
_V1_OPTIONAL = ("title",)
_V2_ONLY = frozenset(FIELDS_V2) - frozenset(FIELDS_V1) - frozenset(_V1_OPTIONAL)
V1_DEFAULTS: dict[str, Any] = {
    "title": None,
    "format": "short",
    "quantity_high": None,
    "qualifier": None,
    "stage": None,
    "instrument": None,
    "actor": None,
    "claimant": None,
    "additional": False,
    "framing": [],
}

_ID_V2 = re.compile(r"^[a-z]{1,3}\d{0,2}-\d{4,5}$")
_KEY_V2 = re.compile(r"^\d{4}(-\d{2}){0,2}-[a-z0-9]+(-[a-z0-9]+)*$")
_KEY_V1 = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DATE_V2 = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_V1 = re.compile(r"^\d{4}(-\d{2}){0,2}$")
_ACTOR = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class CorpusItem:
    """One labelled item in schema v2 (v1 items with v2's defaults)."""

    id: str
    lang: str
    source_url: str
    published: str | None
    title: str | None
    text: str
    format: str
    relevant: bool
    event_type: str | None
    novelty: str
    quantity: int | None
    quantity_high: int | None
    qualifier: str | None
    location: str | None
    event_key: str | None
    stage: str | None
    instrument: str | None
    actor: str | None
    claimant: str | None
    additional: bool
    framing: tuple[str, ...]
    notes: str | None
    schema: int = field(default=2, compare=False)
    origin: str = field(default="", compare=False)  # "file:line"

    @property
    def alert_worthy(self) -> bool:
        return self.relevant and self.event_type in ALERT_TYPES and self.novelty == "new"

    def to_v2(self) -> dict[str, Any]:
        """The item as a v2 JSON object (the fields of schema v2, in schema order)."""
        data = asdict(self)
        data["framing"] = list(self.framing)
        return {k: data[k] for k in FIELDS_V2}


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    item_id: str | None
    message: str

    def __str__(self) -> str:
        who = f" {self.item_id}:" if self.item_id else ""
        return f"{self.path}:{self.line}:{who} {self.message}"


def _word_count(text: str, lang: str) -> float:
    if lang in ("ja", "zh"):
        return len(re.sub(r"\s", "", text)) / 2.0  # about two characters per word
    if lang == "ko":
        return len(text.split()) * 1.4
    return float(len(text.split()))


def _check_types(row: dict[str, Any], fields: Iterable[str]) -> list[str]:
    errs: list[str] = []
    for k in fields:
        kinds = FIELDS_V2[k]
        if k not in row:
            errs.append(f"missing field {k}")
            continue
        value = row[k]
        if isinstance(value, bool) and int in kinds and bool not in kinds:
            errs.append(f"{k} must be an integer or null, not a boolean")
        elif not isinstance(value, kinds):
            errs.append(f"{k} has type {type(value).__name__}")
    return errs


def check_row(row: dict[str, Any]) -> tuple[int, list[str]]:
    """The schema version of ``row`` and its problems (ids are not checked for uniqueness)."""
    v2 = bool(_V2_ONLY & set(row))
    schema = 2 if v2 else 1
    allowed = set(FIELDS_V2) if v2 else set(FIELDS_V1) | set(_V1_OPTIONAL)
    errs = _check_types(row, FIELDS_V2 if v2 else FIELDS_V1)
    if not v2 and "title" in row:
        errs += _check_types(row, ("title",))
    extra = sorted(set(row) - allowed)
    if extra:
        errs.append(f"unknown fields {extra}")
    if errs:
        return schema, errs
    item = {**V1_DEFAULTS, **row}
    if v2 and not _ID_V2.match(item["id"]):
        errs.append("bad id (<batch>-NNNN)")
    if not item["id"].strip():
        errs.append("empty id")
    if item["lang"] not in LANGS:
        errs.append(f"bad lang {item['lang']!r}")
    date_re = _DATE_V2 if v2 else _DATE_V1
    if item["published"] is not None and not date_re.match(item["published"]):
        errs.append("published must be YYYY-MM-DD" if v2 else "published must be YYYY[-MM[-DD]]")
    if item["format"] not in FORMATS:
        errs.append(f"bad format {item['format']!r}")
    if not item["text"].strip():
        errs.append("empty text")
    words = _word_count(item["text"], item["lang"])
    if item["format"] == "article":
        if not item["title"]:
            errs.append("article needs a title")
        if not 230 <= words <= 950:
            errs.append(f"article length {words:.0f} words (250-900)")
    elif words > 200:
        errs.append(f"short item too long ({words:.0f} words, max ~150)")
    if item["relevant"]:
        if item["event_type"] not in EVENT_TYPES:
            errs.append("relevant item needs an event_type")
    elif item["event_type"] is not None:
        errs.append("irrelevant item must have event_type null")
    if item["novelty"] not in NOVELTIES:
        errs.append(f"bad novelty {item['novelty']!r}")
    if item["stage"] is not None:
        if item["stage"] not in STAGES:
            errs.append(f"bad stage {item['stage']!r}")
        if item["event_type"] != "agreement":
            errs.append("stage only for agreement")
    if item["qualifier"] is not None and item["qualifier"] not in QUALIFIERS:
        errs.append(f"bad qualifier {item['qualifier']!r}")
    if item["quantity"] is not None and item["quantity"] < 1:
        errs.append("quantity must be >= 1")
    high = item["quantity_high"]
    if high is not None and (item["quantity"] is None or high < item["quantity"]):
        errs.append("quantity_high needs quantity <= it")
    if item["qualifier"] is not None and item["quantity"] is None and high is None:
        errs.append("qualifier without quantity")
    key = item["event_key"]
    if key is not None and not (_KEY_V2 if v2 else _KEY_V1).match(key):
        errs.append("bad event_key (YYYY[-MM[-DD]]-slug)" if v2 else "bad event_key (a-z0-9 slug)")
    alert_worthy = (
        item["relevant"] and item["event_type"] in ALERT_TYPES and item["novelty"] == "new"
    )
    if v2 and alert_worthy and not key:  # v1 did not require it (eval groups such items alone)
        errs.append("alert-worthy item needs an event_key")
    if any(not isinstance(t, str) for t in item["framing"]):
        errs.append("framing tags must be strings")
    else:
        bad = sorted(set(item["framing"]) - FRAMINGS)
        if bad:
            errs.append(f"unknown framing tags {bad}")
        if v2 and not item["framing"]:
            errs.append("framing needs at least one tag")
    if item["actor"] is not None and not _ACTOR.match(item["actor"]):
        errs.append("actor must be ISO alpha-2 (KP, RU...)")
    return schema, errs


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 (byte {exc.start})") from None
    yield from enumerate(text.splitlines(), 1)


def read_file(
    path: Path, seen: dict[str, str] | None = None
) -> tuple[list[CorpusItem], list[Problem]]:
    """Items and problems of one file; ``seen`` (id -> origin) catches ids repeated across files."""
    seen = {} if seen is None else seen
    items: list[CorpusItem] = []
    problems: list[Problem] = []
    for number, line in _read_lines(path):
        if not line.strip():
            problems.append(Problem(path, number, None, "blank line"))
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(path, number, None, f"not JSON: {exc.msg} (column {exc.colno})")
            )
            continue
        if not isinstance(row, dict):
            problems.append(Problem(path, number, None, "not a JSON object"))
            continue
        item_id = row.get("id") if isinstance(row.get("id"), str) else None
        schema, errs = check_row(row)
        origin = f"{path}:{number}"
        if item_id is not None and item_id in seen:
            errs.append(f"duplicate id (first at {seen[item_id]})")
        elif item_id is not None:
            seen[item_id] = origin
        problems += [Problem(path, number, item_id, e) for e in errs]
        if errs:
            continue
        data = {**V1_DEFAULTS, **row}
        data["framing"] = tuple(data["framing"])
        items.append(CorpusItem(**data, schema=schema, origin=origin))
    return items, problems


def corpus_files(directory: Path = DEFAULT_CORPUS_DIR) -> list[Path]:
    """Every ``*.jsonl`` directly in ``directory``, by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CorpusError(f"{directory}: corpus folder not found")
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"{directory}: no *.jsonl corpus file")
    return files


def validate_file(path: Path) -> list[Problem]:
    return read_file(Path(path))[1]


def validate_corpus(directory: Path = DEFAULT_CORPUS_DIR) -> tuple[list[CorpusItem], list[Problem]]:
    """Every item and every problem of the corpus folder (ids unique across its files)."""
    seen: dict[str, str] = {}
    items: list[CorpusItem] = []
    problems: list[Problem] = []
    for path in corpus_files(directory):
        got, bad = read_file(path, seen)
        items += got
        problems += bad
    return items, problems


def load_corpus(directory: Path = DEFAULT_CORPUS_DIR) -> list[CorpusItem]:
    """The items of the corpus folder; any problem raises one CorpusError."""
    items, problems = validate_corpus(directory)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise CorpusError(f"{problems[0]}{more}")
    return items


def corpus_digest(items: Iterable[CorpusItem]) -> str:
    """SHA-256 of the items as canonical v2 JSON, one per line, in id order."""
    h = hashlib.sha256()
    for item in sorted(items, key=lambda i: i.id):
        line = json.dumps(item.to_v2(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()
