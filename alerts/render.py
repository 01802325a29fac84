"""Alert e-mails: one event → a ``multipart/alternative`` message (plain text + HTML), and digests.

Everything here is pure: a view of an event goes in, an :class:`~email.message.EmailMessage`
comes out. Text from feeds is untrusted: it is autoescaped in HTML, only ``http(s)`` links become
``href``s, and every header value is reduced to one line (no header injection).
The MIME boundary is derived from the Message-ID, so the same alert renders to the same bytes
(except the ``Date`` header), which the golden-file tests rely on.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.errors import RenderError

LIST_ID = "rudprk-watch alerts <alerts.rudprk-watch.local>"
SUBJECT_PREFIX = "[rudprk]"
MAX_SUBJECT_DETAIL = 90
MAX_HEADER_LENGTH = 300

KIND_LABELS = {"new": "New", "update": "Updated", "digest": "Digest"}
EVENT_TYPE_LABELS = {
    "deployment": "deployment",
    "agreement": "agreement",
    "arms_transfer": "arms transfer",
    "visit": "visit",
    "casualties": "casualties",
    "sanctions": "sanctions",
    "other": "event",
}
# Sides that detection reports as ISO 3166 country codes, shown by name.
COUNTRY_NAMES = {
    "BY": "Belarus",
    "CN": "China",
    "GB": "United Kingdom",
    "IR": "Iran",
    "JP": "Japan",
    "KP": "North Korea",
    "KR": "South Korea",
    "RU": "Russia",
    "UA": "Ukraine",
    "US": "United States",
    "VN": "Vietnam",
}
# How detection qualifies a figure ("about 12,000", "plus de 10 000", "up to 3,000"…).
QUALIFIER_PREFIXES = {
    "approx": "about ",
    "more_than": "more than ",
    "less_than": "fewer than ",
    "up_to": "up to ",
    "vague": "roughly ",
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MESSAGE_ID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SourceLink:
    name: str
    title: str
    url: str | None
    published_at: datetime | None
    language: str | None


@dataclass(frozen=True)
class AlertView:
    alert_id: int
    kind: str  # 'new' | 'update' | 'digest'
    event_id: int
    event_type: str
    modality: str
    summary: str
    evidence: str
    figure_low: int | None
    figure_high: int | None
    figure_unit: str | None
    force: str | None
    place: str | None
    event_date: date | None
    date_precision: str | None
    actors: list[str]
    claimant: str | None
    additional: bool
    confidence: float
    sources: list[SourceLink]  # first = the article that raised the event
    message_id: str
    detected_at: datetime
    # Message-ID of the earlier alert this one follows up (an update threads under its 'new').
    in_reply_to: str | None = None
    # How the source qualified the figure: exact, approx, more_than, less_than, up_to, range, vague.
    figure_qualifier: str | None = None


# --- pure formatting helpers -------------------------------------------------------------


def one_line(text: str | None, limit: int | None = None) -> str:
    """Collapse every run of whitespace (CR, LF, tabs, U+2028…) to one space and drop control
    characters; cut to ``limit`` characters with an ellipsis."""
    if not text:
        return ""
    cleaned = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")
    )
    cleaned = _WHITESPACE.sub(" ", cleaned).strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)].rstrip() + "…"
    return cleaned


def format_number(value: int) -> str:
    return f"{value:,}"


def format_figures(
    low: int | None, high: int | None, unit: str | None = None, qualifier: str | None = None
) -> str | None:
    """``12,000 troops``, ``10,000–12,000 troops``, ``more than 10,000``, ``about 3,000``.

    A lower bound alone reads "more than", an upper bound alone "up to"; ``qualifier`` (as
    detection states it) adds "about", "more than", "fewer than", "up to" or "roughly".
    """
    if low is None and high is None:
        return None
    prefix = QUALIFIER_PREFIXES.get(qualifier or "", "")
    if low is not None and high is not None:
        if low > high:
            low, high = high, low
        if low == high:
            number = f"{prefix}{format_number(low)}"
        else:
            number = f"{prefix}{format_number(low)}–{format_number(high)}"
    elif low is not None:
        number = f"{prefix or 'more than '}{format_number(low)}"
    else:
        assert high is not None
        number = f"{prefix or 'up to '}{format_number(high)}"
    unit_text = one_line(unit)
    return f"{number} {unit_text}" if unit_text else number


def format_actor(actor: str) -> str:
    """A country code by its name (``KP`` → ``North Korea``); anything else as it is."""
    return COUNTRY_NAMES.get(actor.strip(), one_line(actor, 100))


def format_force(force: str | None) -> str | None:
    """Detection's ``item:stage`` (``accord:signature``) as ``accord (signature)``."""
    text = one_line(force, 200)
    if not text:
        return None
    item, sep, stage = text.partition(":")
    item = item.replace("_", " ").strip()
    stage = stage.replace("_", " ").strip()
    if sep and item and stage:
        return f"{item} ({stage})"
    return item or stage or None


def format_event_date(value: date | None, precision: str | None) -> str | None:
    """A date shown no more precisely than it is known (``November 2026``, ``2026``…)."""
    if value is None:
        return None
    month = MONTHS[value.month - 1]
    match precision:
        case "day" | None:
            return f"{value.day} {month} {value.year}"
        case "week":
            return f"week of {value.day} {month} {value.year}"
        case "month":
            return f"{month} {value.year}"
        case "season" | "quarter":
            return f"{precision} around {month} {value.year}"
        case "year":
            return str(value.year)
        case _:
            return f"{value.day} {month} {value.year} ({one_line(precision)})"


def format_timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def event_type_label(event_type: str) -> str:
    return EVENT_TYPE_LABELS.get(event_type, one_line(event_type).replace("_", " ") or "event")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, one_line(kind).capitalize() or "Alert")


def safe_link(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link without whitespace, else ``None``."""
    if not url:
        return None
    url = url.strip()
    if re.match(r"^https?://[^\s<>\"]+$", url, flags=re.IGNORECASE) is None:
        return None
    return url


def _message_id_domain(domain: str) -> str:
    clean_domain = one_line(domain).strip("<>@ ")
    if not clean_domain or re.search(r"[\s<>@]", clean_domain):
        raise RenderError(f"not a usable Message-ID domain: {domain!r}")
    return clean_domain


def message_id_for(dedup_key: str, domain: str = "rudprk-watch.local") -> str:
    """A deterministic ``<…@domain>`` Message-ID derived from a key (fixtures and golden files;
    alerts get :func:`new_message_id`, which is unique across installations)."""
    digest = hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:32]
    return f"<rudprk.{digest}@{_message_id_domain(domain)}>"


def new_message_id(installation: str, domain: str = "rudprk-watch.local") -> str:
    """A new globally unique Message-ID for an alert: ``<rudprk.<random>.<installation>@domain>``.

    128 random bits, plus the installation's id: two installations, or a database rebuilt from
    scratch, never give two alerts the same id. The caller stores it with the alert, so every
    retry of that alert carries the same id.
    """
    if not re.fullmatch(r"[0-9a-f]{8,64}", installation):
        raise RenderError(f"not an installation id: {installation!r}")
    return f"<rudprk.{secrets.token_hex(16)}.{installation}@{_message_id_domain(domain)}>"


def alert_subject(view: AlertView) -> str:
    """``[rudprk] New deployment: 12,000 troops — Kursk``."""
    head = f"{kind_label(view.kind)} {'additional ' if view.additional else ''}"
    head += event_type_label(view.event_type)
    detail = format_figures(
        view.figure_low, view.figure_high, view.figure_unit, view.figure_qualifier
    )
    if detail is None:
        # No figure: the headline of the report that raised the event says more than a summary.
        origin_title = view.sources[0].title if view.sources else ""
        detail = one_line(
            origin_title or _strip_type_prefix(view.summary, view.event_type), MAX_SUBJECT_DETAIL
        )
    subject = f"{SUBJECT_PREFIX} {head}: {detail}" if detail else f"{SUBJECT_PREFIX} {head}"
    place = one_line(view.place, 60)
    if place and place.casefold() not in detail.casefold():
        subject += f" — {place}"
    return one_line(subject, MAX_HEADER_LENGTH)


def _strip_type_prefix(summary: str, event_type: str) -> str:
    """ "Agreement: accord signed" → "accord signed" (the subject already names the type)."""
    head, sep, rest = summary.partition(":")
    label = event_type_label(event_type)
    if (
        sep
        and rest.strip()
        and head.strip().casefold() in (label.casefold(), event_type.casefold())
    ):
        return rest.strip()
    return summary


def digest_subject(
    views: Sequence[AlertView], period_start: datetime, period_end: datetime, failing: int
) -> str:
    events = len(views)
    parts = [f"{events} event{'s' if events != 1 else ''}"]
    if failing:
        parts.append(f"{failing} failing feed{'s' if failing != 1 else ''}")
    period = f"{format_timestamp(period_start)} – {format_timestamp(period_end)}"
    return one_line(f"{SUBJECT_PREFIX} Digest {period}: {', '.join(parts)}", MAX_HEADER_LENGTH)


# --- message assembly ---------------------------------------------------------------------

_ENVIRONMENT = Environment(
    loader=PackageLoader("alerts", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _render_template(name: str, context: dict[str, Any]) -> str:
    try:
        return _ENVIRONMENT.get_template(name).render(**context)
    except Exception as exc:  # jinja2 raises many types; the caller only needs one
        raise RenderError(f"cannot render {name}: {exc}") from exc


def _check_message_id(message_id: str) -> str:
    if _MESSAGE_ID.match(message_id) is None:
        raise RenderError(f"not a valid Message-ID: {message_id!r}")
    return message_id


def _addresses(sender: str, recipients: Sequence[str]) -> tuple[str, str]:
    from_ = one_line(sender)
    to = [one_line(r) for r in recipients if one_line(r)]
    if not from_:
        raise RenderError("no sender address (RUDPRK_ALERT_FROM)")
    if not to:
        raise RenderError("no recipient address (RUDPRK_ALERT_TO)")
    return from_, ", ".join(to)


def _boundary(message_id: str) -> str:
    return "==rudprk-" + hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:24] + "=="


def _assemble(
    *,
    subject: str,
    sender: str,
    recipients: Sequence[str],
    message_id: str,
    now: datetime | None,
    extra_headers: Sequence[tuple[str, str]],
    text: str,
    html: str,
) -> EmailMessage:
    from_, to = _addresses(sender, recipients)
    msg = EmailMessage(policy=policy.default)
    msg["Subject"] = one_line(subject, MAX_HEADER_LENGTH)
    msg["From"] = from_
    msg["To"] = to
    msg["Date"] = format_datetime((now or datetime.now(UTC)).astimezone(UTC))
    msg["Message-ID"] = _check_message_id(message_id)
    msg["List-Id"] = LIST_ID
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    for name, value in extra_headers:
        msg[name] = one_line(value)
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.set_boundary(_boundary(message_id))
    return msg


def _source_context(source: SourceLink) -> dict[str, str | None]:
    published = format_timestamp(source.published_at)
    language = one_line(source.language, 16) or None
    meta = [f"published {published}"] if published else []
    meta += [f"language: {language}"] if language else []
    return {
        "name": one_line(source.name, 200) or "unknown source",
        "title": one_line(source.title, 500) or "(untitled)",
        "url": one_line(source.url, 2000) or None,
        "href": safe_link(source.url),
        "published": published,
        "language": language,
        "meta": ", ".join(meta) or None,
    }


def _event_context(view: AlertView) -> dict[str, Any]:
    return {
        "alert_id": view.alert_id,
        "kind": kind_label(view.kind),
        "event_id": view.event_id,
        "event_type": event_type_label(view.event_type),
        "modality": one_line(view.modality, 32),
        "summary": one_line(view.summary, 2000),
        "evidence": one_line(view.evidence, 4000),
        "figures": format_figures(
            view.figure_low, view.figure_high, view.figure_unit, view.figure_qualifier
        ),
        "force": format_force(view.force),
        "force_label": "Instrument" if view.event_type == "agreement" else "Force",
        "place": one_line(view.place, 300) or None,
        "date": format_event_date(view.event_date, view.date_precision),
        "actors": ", ".join(a for a in (format_actor(x) for x in view.actors) if a) or None,
        "claimant": one_line(view.claimant, 200) or None,
        "additional": view.additional,
        "confidence": f"{view.confidence:.2f}",
        "detected": format_timestamp(view.detected_at),
        "sources": [_source_context(s) for s in view.sources],
    }


def render_alert(
    view: AlertView,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime | None = None,
) -> EmailMessage:
    """One alert e-mail (plain text + HTML) for one event; ``now`` sets the Date header."""
    subject = alert_subject(view)
    context = {"subject": subject, "event": _event_context(view)}
    headers = [
        ("X-Rudprk-Alert-Kind", view.kind),
        ("X-Rudprk-Event-Type", view.event_type),
        ("X-Rudprk-Event-Id", str(view.event_id)),
        ("X-Rudprk-Alert-Id", str(view.alert_id)),
    ]
    if view.in_reply_to is not None:
        parent = _check_message_id(view.in_reply_to)
        headers += [("In-Reply-To", parent), ("References", parent)]
    return _assemble(
        subject=subject,
        sender=sender,
        recipients=recipients,
        message_id=view.message_id,
        now=now,
        extra_headers=headers,
        text=_render_template("alert.txt.j2", context),
        html=_render_template("alert.html.j2", context),
    )


def render_digest(
    views: Sequence[AlertView],
    *,
    period_start: datetime,
    period_end: datetime,
    sender: str,
    recipients: Sequence[str],
    message_id: str,
    failing_feeds: Sequence[tuple[str, int, str | None]] = (),
    now: datetime | None = None,
    undelivered: Sequence[tuple[int, str, str, int, str | None]] = (),
) -> EmailMessage:
    """A digest of the period's events, grouped by type, of the feeds failing repeatedly, and of
    the alerts not delivered yet.

    ``failing_feeds`` holds ``(feed name, consecutive errors, last error)``; ``undelivered``
    ``(alert id, channel, state, attempts, last error)`` (``failed``: refused for good, waiting
    for an operator; ``retrying``: due again later).
    """
    subject = digest_subject(views, period_start, period_end, len(failing_feeds))
    groups: dict[str, list[dict[str, Any]]] = {}
    for view in sorted(views, key=lambda v: (v.event_type, v.detected_at, v.event_id)):
        groups.setdefault(event_type_label(view.event_type), []).append(_event_context(view))
    context = {
        "subject": subject,
        "period_start": format_timestamp(period_start),
        "period_end": format_timestamp(period_end),
        "groups": sorted(groups.items()),
        "event_count": len(views),
        "failing_feeds": [
            {
                "name": one_line(name, 200) or "unnamed feed",
                "errors": errors,
                "last_error": one_line(last_error, 300) or None,
            }
            for name, errors, last_error in failing_feeds
        ],
        "undelivered": [
            {
                "alert_id": alert_id,
                "channel": one_line(channel, 64),
                "state": "refused, waiting for an operator" if state == "failed" else state,
                "attempts": attempts,
                "last_error": one_line(last_error, 300) or None,
            }
            for alert_id, channel, state, attempts, last_error in undelivered
        ],
    }
    types = sorted({v.event_type for v in views})
    ids = sorted({v.event_id for v in views})
    headers = [
        ("X-Rudprk-Alert-Kind", "digest"),
        ("X-Rudprk-Event-Type", ", ".join(types) or "none"),
        ("X-Rudprk-Event-Id", ", ".join(str(i) for i in ids) or "none"),
    ]
    return _assemble(
        subject=subject,
        sender=sender,
        recipients=recipients,
        message_id=message_id,
        now=now,
        extra_headers=headers,
        text=_render_template("digest.txt.j2", context),
        html=_render_template("digest.html.j2", context),
    )
