"""Alert e-mails: one event → a ``multipart/alternative`` message (plain text + HTML), and digests.

Everything here is pure: a view of an event goes in, an :class:`~email.message.EmailMessage`
comes out, in the reader's language (:mod:`alerts.messages`, :mod:`alerts.wording`). Text from
feeds is untrusted: it is autoescaped in HTML, only ``http(s)`` links become ``href``s, and every
header value is reduced to one line (no header injection). The MIME boundary is derived from the
Message-ID, so the same alert renders to the same bytes (except the ``Date`` header), which the
golden-file tests rely on.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.errors import RenderError
from alerts.messages import Messages, load_messages
from alerts.viewmodel import AlertView, Change, SourceLink
from alerts.wording import (
    event_type_label,
    format_actor,
    format_change,
    format_claimant,
    format_decimal,
    format_event_date,
    format_figures,
    format_force,
    format_instrument,
    format_parties,
    format_timestamp,
    headline,
    kind_label,
    language_name,
    one_line,
    place_name,
    quote_evidence,
    view_figures,
)

__all__ = [
    "AlertView",
    "Change",
    "SourceLink",
    "alert_subject",
    "format_actor",
    "format_event_date",
    "format_figures",
    "format_force",
    "message_id_for",
    "new_message_id",
    "one_line",
    "render_alert",
    "render_digest",
    "safe_link",
]

LIST_ID = "rudprk-watch alerts <alerts.rudprk-watch.local>"
SUBJECT_PREFIX = "[rudprk]"
MAX_HEADER_LENGTH = 300
_MESSAGE_ID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")
DIGEST_REASONS = ("held", "type", "modality", "confidence", "rule", "digest", "stale")


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


def alert_subject(view: AlertView, m: Messages | None = None) -> str:
    """``[rudprk] North Korea sends about 12,000 troops to the Kursk region…, says …``."""
    return one_line(f"{SUBJECT_PREFIX} {headline(view, m)}", MAX_HEADER_LENGTH)


def digest_subject(
    alerted: int,
    not_alerted: int,
    failing: int,
    undelivered: int,
    period_start: datetime,
    period_end: datetime,
    m: Messages,
) -> str:
    parts = [m.plural("digest", "part_alerts", alerted)]
    parts.append(m.plural("digest", "part_other", not_alerted))
    if failing:
        parts.append(m.plural("digest", "part_failing", failing))
    if undelivered:
        parts.append(m.plural("digest", "part_undelivered", undelivered))
    text = m.text(
        "digest",
        "subject",
        start=format_timestamp(period_start, m),
        end=format_timestamp(period_end, m),
        parts=", ".join(parts),
    )
    return one_line(f"{SUBJECT_PREFIX} {text}", MAX_HEADER_LENGTH)


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
        if not name.lower().startswith("content-"):
            msg[name] = one_line(value)
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for name, value in extra_headers:  # set_content drops Content-* headers set before it
        if name.lower().startswith("content-"):
            msg[name] = one_line(value)
    msg.set_boundary(_boundary(message_id))
    return msg


def _source_context(source: SourceLink, m: Messages) -> dict[str, Any]:
    published = format_timestamp(source.published_at, m)
    language = language_name(source.language, m)
    meta = [m.text("labels", "published", time=published)] if published else []
    if not published:
        meta.append(m.get("labels", "no_time") or "")
    if language:
        meta.append(m.text("labels", "language", language=language))
    return {
        "name": one_line(source.name, 200) or m.get("labels", "unknown_source"),
        "title": one_line(source.title, 500) or m.get("labels", "untitled"),
        "url": one_line(source.url, 2000) or None,
        "href": safe_link(source.url),
        "published": published,
        "language": language,
        "lang": one_line(source.language, 16) or None,
        "meta": ", ".join(x for x in meta if x) or None,
        "copies": [],
    }


def fold_copies(sources: Sequence[SourceLink]) -> list[tuple[SourceLink, list[SourceLink]]]:
    """Each original, in the order given, with the copies of it (followed to the first
    article of a chain of copies) under it; a copy whose original is not among the sources
    stands on its own, still marked as a copy."""
    by_id = {s.article_id: s for s in sources if s.article_id is not None}

    def root(source: SourceLink) -> int | None:
        seen: set[int] = set()
        current = source
        while current.copy_of is not None and current.copy_of in by_id:
            if current.copy_of in seen or current.copy_of == current.article_id:
                break
            seen.add(current.copy_of)
            current = by_id[current.copy_of]
        return current.article_id if current is not source else None

    copies: dict[int, list[SourceLink]] = {}
    top: list[SourceLink] = []
    for source in sources:
        original = root(source)
        if original is None:
            top.append(source)
        else:
            copies.setdefault(original, []).append(source)
    return [(s, copies.get(s.article_id, []) if s.article_id is not None else []) for s in top]


def _sources_context(view: AlertView, m: Messages) -> list[dict[str, Any]]:
    out = []
    for original, copies in fold_copies(view.sources):
        item = _source_context(original, m)
        item["is_copy"] = original.copy_of is not None
        item["copies"] = [_source_context(c, m) for c in copies]
        out.append(item)
    return out


def _event_context(view: AlertView, m: Messages) -> dict[str, Any]:
    labels = m.table("labels")
    origin_title = view.sources[0].title if view.sources else None
    language = view.evidence_language or (view.sources[0].language if view.sources else None)
    language_text = language_name(language, m)
    evidence_label = (
        m.text("labels", "evidence_in", language=language_text)
        if language_text
        else labels["evidence"]
    )
    is_agreement = view.event_type == "agreement"
    return {
        "alert_id": view.alert_id,
        "kind": kind_label(view.kind, m),
        "event_id": view.event_id,
        "event_type": event_type_label(view.event_type, m),
        "modality": m.get("modalities", view.modality) or one_line(view.modality, 32),
        "headline": headline(view, m),
        "summary": one_line(view.summary, 2000),
        "evidence": quote_evidence(view.evidence, origin_title)[:4000],
        "evidence_label": evidence_label,
        "evidence_lang": one_line(language, 16) or None,
        "figures": view_figures(view, m),
        "force": None if is_agreement else format_force(view.force, m),
        "instrument": format_instrument(view, m) if is_agreement else None,
        "place": place_name(view.place, m),
        "date": format_event_date(view.event_date, view.date_precision, m),
        "parties": format_parties(view, m),
        "claimant": format_claimant(view.claimant, m),
        "additional": view.additional,
        "confidence": format_decimal(view.confidence, m),
        "detected": format_timestamp(view.detected_at, m),
        "changes": [format_change(c, m) for c in view.changes],
        "sources": _sources_context(view, m),
        "source_count": len(view.sources),
    }


def _labels(m: Messages) -> dict[str, Any]:
    return {
        "labels": m.table("labels"),
        "digest": m.table("digest"),
        "lang": m.code,
        "colon": m.get("meta", "colon", ":") or ":",
    }


def render_alert(
    view: AlertView,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime | None = None,
    language: str = "en",
) -> EmailMessage:
    """One alert e-mail (plain text + HTML) for one event, in ``language``; ``now`` sets the
    Date header."""
    m = load_messages(language)
    subject = alert_subject(view, m)
    event = _event_context(view, m)
    context = {"subject": subject, "event": event, **_labels(m)}
    context["t"] = {
        "detected": m.text("labels", "detected", time=event["detected"]),
        "confidence": m.text("labels", "confidence", confidence=event["confidence"]),
        "reference": m.text(
            "labels",
            "reference",
            event=view.event_id,
            type=event["event_type"],
            modality=event["modality"],
            alert=view.alert_id if view.alert_id is not None else "—",
        ),
        "why": m.text("labels", "why", alert=view.alert_id if view.alert_id is not None else "ID"),
        "sources": m.text("labels", "sources", count=len(view.sources)),
    }
    headers = [
        ("X-Rudprk-Alert-Kind", view.kind),
        ("X-Rudprk-Event-Type", view.event_type),
        ("X-Rudprk-Event-Id", str(view.event_id)),
        ("X-Rudprk-Alert-Id", str(view.alert_id)),
        ("Content-Language", m.code),
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


def _digest_item(view: AlertView, m: Messages) -> dict[str, Any]:
    event = _event_context(view, m)
    event["more_sources"] = (
        m.plural("digest", "more_sources", len(event["sources"]) - 3)
        if len(event["sources"]) > 3
        else None
    )
    return event


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
    not_alerted: Sequence[tuple[str, AlertView]] = (),
    language: str = "en",
) -> EmailMessage:
    """The digest of a period: the alerts sent (``views``), what did not alert and why
    (``not_alerted``: ``(reason, view)`` with a reason of :data:`DIGEST_REASONS`), the feeds
    failing repeatedly and the alerts not delivered yet.

    ``failing_feeds`` holds ``(feed name, consecutive errors, last error)``; ``undelivered``
    ``(alert id, channel, state, attempts, last error)`` (``failed``: refused for good, waiting
    for an operator; ``retrying``: due again later).
    """
    m = load_messages(language)
    subject = digest_subject(
        len(views),
        len(not_alerted),
        len(failing_feeds),
        len(undelivered),
        period_start,
        period_end,
        m,
    )
    ordered = sorted(views, key=lambda v: (v.event_type, v.detected_at, v.event_id))
    reasons: dict[str, list[dict[str, Any]]] = {}
    for reason, view in sorted(
        not_alerted, key=lambda rv: (rv[1].event_type, rv[1].detected_at, rv[1].event_id)
    ):
        reasons.setdefault(reason, []).append(_digest_item(view, m))
    groups = [
        (m.get("digest", f"reason_{r}") or r, reasons[r])
        for r in (*DIGEST_REASONS, *sorted(set(reasons) - set(DIGEST_REASONS)))
        if r in reasons
    ]
    context = {
        "subject": subject,
        **_labels(m),
        "period": m.text(
            "digest",
            "period",
            start=format_timestamp(period_start, m),
            end=format_timestamp(period_end, m),
        ),
        "alerted": [_digest_item(v, m) for v in ordered],
        "alerted_title": m.text("digest", "alerted", count=len(views)),
        "not_alerted_title": m.text("digest", "not_alerted", count=len(not_alerted)),
        "groups": groups,
        "failing_title": m.text("digest", "failing", count=len(failing_feeds)),
        "failing_feeds": [
            {
                "line": m.plural("digest", "failing_item", errors, name=one_line(name, 200) or "?"),
                "name": one_line(name, 200) or "?",
                "last_error": m.text("digest", "last_error", error=one_line(last_error, 300))
                if last_error
                else None,
            }
            for name, errors, last_error in failing_feeds
        ],
        "undelivered_title": m.text("digest", "undelivered", count=len(undelivered)),
        "undelivered": [
            {
                "line": m.plural(
                    "digest",
                    "undelivered_item",
                    attempts,
                    alert=alert_id,
                    channel=one_line(channel, 64),
                    state=m.get("digest", "refused" if state == "failed" else "retrying") or state,
                    attempts=attempts,
                ),
                "last_error": m.text("digest", "last_error", error=one_line(last_error, 300))
                if last_error
                else None,
            }
            for alert_id, channel, state, attempts, last_error in undelivered
        ],
    }
    listed = [*views, *(v for _, v in not_alerted)]
    types = sorted({v.event_type for v in listed})
    ids = sorted({v.event_id for v in listed})
    headers = [
        ("X-Rudprk-Alert-Kind", "digest"),
        ("X-Rudprk-Event-Type", ", ".join(types) or "none"),
        ("X-Rudprk-Event-Id", ", ".join(str(i) for i in ids) or "none"),
        ("Content-Language", m.code),
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
