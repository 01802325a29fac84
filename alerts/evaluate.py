"""``rudprk eval FILE``: measure detection and novelty on a labelled JSON Lines file.

Each line follows the schema of the development corpus (``id``, ``lang``, ``published``,
``text``, ``relevant``, ``event_type``, ``novelty``, ``quantity``, ``location``, ``event_key``,
``notes``). Every item goes through :func:`alerts.detect.detect_article`; the items are then
replayed in order of publication (undated last), the clock set to each item's date, through
:func:`alerts.novelty.register_events` in a temporary SQLite store: the user's database is not
touched and nothing is sent.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.detect import EVENT_TYPES, MODALITIES, Detection, detect_article
from alerts.detection.learned import model_set_info
from alerts.errors import EvaluationError
from alerts.novelty import register_events
from storage.engine import create_db_engine, create_session_factory
from storage.keys import guid_key
from storage.migrate import upgrade_database
from storage.models import Article, Feed

ALERT_TYPES_LABELLED = ("deployment", "agreement")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_REQUIRED = ("id", "text", "relevant", "event_type", "novelty")


@dataclass(frozen=True)
class LabelledItem:
    id: str
    lang: str | None
    published: date | None
    text: str
    relevant: bool
    event_type: str | None
    novelty: str
    quantity: int | None
    location: str | None
    event_key: str | None
    line: int
    title: str | None = None

    @property
    def alert_worthy(self) -> bool:
        return self.relevant and self.event_type in ALERT_TYPES_LABELLED and self.novelty == "new"


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: bool, got: bool) -> None:
        if expected and got:
            self.tp += 1
        elif got:
            self.fp += 1
        elif expected:
            self.fn += 1

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


@dataclass
class EvalReport:
    """Figures of one evaluation; :meth:`to_dict` is the ``--json`` output."""

    items: int
    relevance: dict[str, float]
    alert: dict[str, float]
    event_type_accuracy: float
    novelty_accuracy: float
    quantity_exact: float
    events: dict[str, int]
    by_language: dict[str, dict[str, dict[str, float]]]
    misses: list[dict[str, Any]] = field(default_factory=list)
    model: str | None = None  # the learned model set's version (alerts/detection/models)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "relevance": dict(self.relevance),
            "alert": dict(self.alert),
            "event_type_accuracy": self.event_type_accuracy,
            "novelty_accuracy": self.novelty_accuracy,
            "quantity_exact": self.quantity_exact,
            "events": dict(self.events),
            "by_language": {
                k: {m: dict(v) for m, v in d.items()} for k, d in self.by_language.items()
            },
            "misses": [dict(m) for m in self.misses],
            "model": self.model,
        }


def parse_published(value: Any, where: str) -> date | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (reduced precision: the first day) or null."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EvaluationError(f"{where}: published must be a string or null")
    m = _DATE_RE.match(value.strip())
    if not m:
        raise EvaluationError(f"{where}: published {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    try:
        return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError as exc:
        raise EvaluationError(f"{where}: published {value!r}: {exc}") from exc


def _optional(row: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = row.get(key)
    if value is not None and (
        not isinstance(value, kind) or (isinstance(value, bool) and kind is int)
    ):
        raise EvaluationError(f"{where}: {key} must be {kind.__name__} or null")
    return value


def load_items(path: Path) -> list[LabelledItem]:
    """Read and validate a labelled file; errors name the file and line."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EvaluationError(f"cannot read {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise EvaluationError(f"{path}: not UTF-8: {exc}") from exc
    items: list[LabelledItem] = []
    seen: set[str] = set()
    for lineno, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(f"{where}: not JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise EvaluationError(f"{where}: expected a JSON object")
        missing = [k for k in _REQUIRED if k not in row]
        if missing:
            raise EvaluationError(f"{where}: missing {', '.join(missing)}")
        item_id, text, relevant = row["id"], row["text"], row["relevant"]
        if not isinstance(item_id, str) or not item_id:
            raise EvaluationError(f"{where}: id must be a non-empty string")
        if item_id in seen:
            raise EvaluationError(f"{where}: duplicate id {item_id!r}")
        seen.add(item_id)
        if not isinstance(text, str):
            raise EvaluationError(f"{where}: text must be a string")
        if not isinstance(relevant, bool):
            raise EvaluationError(f"{where}: relevant must be true or false")
        event_type = row["event_type"]
        if event_type is not None and event_type not in EVENT_TYPES:
            raise EvaluationError(f"{where}: event_type {event_type!r} not one of {EVENT_TYPES}")
        if relevant and event_type is None:
            raise EvaluationError(f"{where}: a relevant item needs an event_type")
        novelty = row["novelty"]
        if novelty not in MODALITIES:
            raise EvaluationError(f"{where}: novelty {novelty!r} not one of {MODALITIES}")
        items.append(
            LabelledItem(
                id=item_id,
                lang=_optional(row, "lang", str, where),
                published=parse_published(row.get("published"), where),
                text=text,
                relevant=relevant,
                event_type=event_type,
                novelty=novelty,
                quantity=_optional(row, "quantity", int, where),
                location=_optional(row, "location", str, where),
                event_key=_optional(row, "event_key", str, where),
                line=lineno,
                title=_optional(row, "title", str, where),
            )
        )
    if not items:
        raise EvaluationError(f"{path}: no items")
    return items


def _describe(d: Detection) -> dict[str, Any]:
    main = d.main_event
    return {
        "relevant": d.relevance.relevant,
        "event_type": main.event_type if main else None,
        "novelty": main.modality if main else None,
        "quantity": main.figure if main else None,
        "alert": d.alert_worthy,
    }


def _expected(item: LabelledItem) -> dict[str, Any]:
    return {
        "relevant": item.relevant,
        "event_type": item.event_type,
        "novelty": item.novelty,
        "quantity": item.quantity,
        "alert": item.alert_worthy,
    }


def _why(item: LabelledItem, d: Detection) -> list[str]:
    got = _describe(d)
    reasons: list[str] = []
    if item.relevant != got["relevant"]:
        reasons.append("relevance")
    if item.alert_worthy and not got["alert"]:
        reasons.append("missed alert")
    if got["alert"] and not item.alert_worthy:
        reasons.append("false alert")
    if item.relevant and got["event_type"] != item.event_type:
        reasons.append("event type")
    if item.relevant and got["novelty"] != item.novelty:
        reasons.append("novelty")
    if item.quantity is not None and got["quantity"] != item.quantity:
        reasons.append("quantity")
    return reasons


def _replay(
    items: list[LabelledItem], detections: dict[str, Detection]
) -> tuple[dict[str, int], dict[str, str]]:
    """Replay the items through event matching in a throw-away SQLite store.

    Returns the event counts and, for alert-worthy items that raised no alert although their
    detection was alert-worthy, the id of the item whose event they joined."""
    order = sorted(
        range(len(items)),
        key=lambda i: (items[i].published is None, items[i].published or date.max, i),
    )
    dated = [it.published for it in items if it.published is not None]
    undated_clock = (max(dated) + timedelta(days=1)) if dated else date(2000, 1, 1)
    worthy_keys = {it.event_key or f"item:{it.id}" for it in items if it.alert_worthy}
    by_id = {it.id: it for it in items}
    alerted: set[str] = set()
    alerts = duplicates = false_alerts = false_merges = 0
    origin_item: dict[int, str] = {}  # event id -> the item that created it
    joined: dict[str, str] = {}
    first_alert: dict[str, str] = {}  # event key -> the item whose alert was first
    with tempfile.TemporaryDirectory(prefix="rudprk-eval-") as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'eval.sqlite3'}")
        try:
            upgrade_database(engine)
            factory = create_session_factory(engine)
            with factory() as session:
                start = datetime.now(UTC)
                feed = Feed(url="eval://labelled", name="labelled items", created_at=start)
                session.add(feed)
                session.flush()
                for i in order:
                    item = items[i]
                    day = item.published or undated_clock
                    clock = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
                    article = Article(
                        feed_id=feed.id,
                        guid=item.id,
                        guid_hash=guid_key(item.id),
                        title=item.title or "",
                        summary=item.text,
                        language=item.lang,
                        published_at=clock if item.published else None,
                        discovered_at=clock,
                    )
                    session.add(article)
                    session.flush()
                    detection = detections[item.id]
                    outcomes = register_events(
                        session,
                        article.id,
                        detection,
                        published_at=article.published_at,
                        now=clock,
                        title=item.title or "",
                    )
                    for o in outcomes:
                        if o.is_new:
                            origin_item.setdefault(o.event_id, item.id)
                    raised = sum(1 for o in outcomes if o.is_new and o.event.alert_worthy)
                    if not raised:
                        worthy = [o for o in outcomes if o.event.alert_worthy]
                        if item.alert_worthy and worthy:
                            origin = origin_item.get(worthy[0].event_id, "?")
                            joined[item.id] = origin
                            other = by_id.get(origin)
                            if other is not None and (other.event_key or f"item:{origin}") != (
                                item.event_key or f"item:{item.id}"
                            ):
                                false_merges += 1
                        continue
                    alerts += raised
                    if not item.alert_worthy:
                        false_alerts += raised
                        continue
                    key = item.event_key or f"item:{item.id}"
                    if key in alerted:
                        duplicates += raised
                        joined[item.id] = "duplicate:" + first_alert.get(key, "?")
                    else:
                        alerted.add(key)
                        first_alert[key] = item.id
                        duplicates += raised - 1
                session.commit()
        finally:
            engine.dispose()
    counts = {
        "alert_worthy_keys": len(worthy_keys),
        "alerted_keys": len(alerted & worthy_keys),
        "alerts": alerts,
        "duplicate_alerts": duplicates,
        "false_alerts": false_alerts,
        # alert-worthy items joined to an event first raised by an item of another event key
        "false_merges": false_merges,
    }
    unalerted = {
        item_id: origin
        for item_id, origin in joined.items()
        if origin.startswith("duplicate:")
        or (by_id[item_id].event_key or f"item:{item_id}") not in alerted
    }
    return counts, unalerted


def evaluate_items(items: list[LabelledItem]) -> EvalReport:
    detections: dict[str, Detection] = {}
    relevance, alert = _Counts(), _Counts()
    by_lang: dict[str, dict[str, _Counts]] = defaultdict(
        lambda: {"alert": _Counts(), "relevance": _Counts()}
    )
    type_ok = novelty_ok = labelled_relevant = 0
    qty_ok = qty_total = 0
    misses: list[dict[str, Any]] = []
    for item in items:
        d = detect_article(
            item.text, title=item.title or "", lang=item.lang, published=item.published
        )
        detections[item.id] = d
        got = _describe(d)
        relevance.add(item.relevant, got["relevant"])
        alert.add(item.alert_worthy, got["alert"])
        lang = item.lang or "unknown"
        by_lang[lang]["relevance"].add(item.relevant, got["relevant"])
        by_lang[lang]["alert"].add(item.alert_worthy, got["alert"])
        if item.relevant:
            labelled_relevant += 1
            type_ok += got["event_type"] == item.event_type
            novelty_ok += got["novelty"] == item.novelty
        if item.quantity is not None:
            qty_total += 1
            qty_ok += got["quantity"] == item.quantity
        reasons = _why(item, d)
        if reasons:
            misses.append(
                {"id": item.id, "expected": _expected(item), "got": got, "why": ", ".join(reasons)}
            )
    events, unalerted = _replay(items, detections)
    for item_id, origin in unalerted.items():
        item = next(it for it in items if it.id == item_id)
        misses.append(
            {
                "id": item_id,
                "expected": _expected(item),
                "got": _describe(detections[item_id]),
                "why": (
                    f"duplicate alert: its event key was alerted by {origin[10:]}"
                    if origin.startswith("duplicate:")
                    else f"event key not alerted: joined the event of {origin}"
                ),
            }
        )
    return EvalReport(
        items=len(items),
        relevance=relevance.scores(),
        alert=alert.scores(),
        event_type_accuracy=round(type_ok / labelled_relevant, 4) if labelled_relevant else 1.0,
        novelty_accuracy=round(novelty_ok / labelled_relevant, 4) if labelled_relevant else 1.0,
        quantity_exact=round(qty_ok / qty_total, 4) if qty_total else 1.0,
        events=events,
        by_language={
            lang: {name: {**c.scores(), "support": c.tp + c.fn} for name, c in counts.items()}
            for lang, counts in sorted(by_lang.items())
        },
        misses=misses,
        model=(model_set_info() or {}).get("version"),
    )


def evaluate_file(path: Path) -> EvalReport:
    """Evaluate a labelled JSON Lines file (raises :class:`EvaluationError` naming the bad line)."""
    return evaluate_items(load_items(Path(path)))


def format_report(report: EvalReport) -> str:
    """A readable table of the figures, then the misses."""
    ev = report.events
    rows = [
        f"items                 {report.items}",
        f"model set             {report.model or 'none'}",
        "",
        "                      precision  recall  f1",
        "relevance             {precision:9.3f}  {recall:6.3f}  {f1:.3f}".format(
            **report.relevance
        ),
        "alert                 {precision:9.3f}  {recall:6.3f}  {f1:.3f}".format(**report.alert),
        "",
        f"event type accuracy   {report.event_type_accuracy:.3f}",
        f"novelty accuracy      {report.novelty_accuracy:.3f}",
        f"quantity exact        {report.quantity_exact:.3f}",
        "",
        f"event keys alerted    {ev['alerted_keys']} of {ev['alert_worthy_keys']}",
        f"alerts                {ev['alerts']} ({ev['duplicate_alerts']} duplicate, "
        f"{ev['false_alerts']} false)",
        f"false merges          {ev.get('false_merges', 0)}",
        "",
        "language  relevance f1  alert p/r",
    ]
    for lang, scores in report.by_language.items():
        a = scores["alert"]
        rows.append(
            f"{lang:<9} {scores['relevance']['f1']:12.3f}  {a['precision']:.2f}/{a['recall']:.2f}"
        )
    if report.misses:
        rows += ["", f"misses ({len(report.misses)})"]
        for m in report.misses:
            exp, got = m["expected"], m["got"]
            rows.append(
                f"  {m['id']}: {m['why']} — expected {exp['event_type']}/{exp['novelty']}"
                f"{'' if exp['quantity'] is None else ' ' + str(exp['quantity'])}"
                f"{' relevant' if exp['relevant'] else ' irrelevant'}; got "
                f"{got['event_type']}/{got['novelty']}"
                f"{'' if got['quantity'] is None else ' ' + str(got['quantity'])}"
                f"{' relevant' if got['relevant'] else ' irrelevant'}"
            )
    return "\n".join(rows)
