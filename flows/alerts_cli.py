"""``rudprk alerts …``: what the outbox holds, and the operator's resend and discard.

A delivery refused for good (``failed``) is reported by every pass (exit code 3, ``run --json``)
until an operator acts on it here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.feeds_cli import format_table, format_time
from flows.terminal import current_settings, fail, reported_errors
from storage.faults import run_unit
from storage.locks import utc_now
from storage.outbox import (
    DeliveryRow,
    DeliveryStatus,
    alert_exists,
    discard,
    list_deliveries,
    requeue,
)

alerts_app = typer.Typer(
    help="The outbox: list alerts, resend or discard one, preview an event's e-mail, say why one was sent.",
    no_args_is_help=True,
)

STATES = (*(s.value for s in DeliveryStatus), "retrying", "undelivered")
UNDELIVERED = ("failed", "retrying")


def _statuses(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    chosen: list[str] = []
    for value in values:
        for item in value.split(","):
            name = item.strip().lower()
            if not name:
                continue
            if name not in STATES:
                fail(f"unknown status {name!r}: expected one of {', '.join(STATES)}")
            chosen.extend(UNDELIVERED if name == "undelivered" else [name])
    return chosen


def _as_dict(row: DeliveryRow) -> dict[str, object]:
    return {
        "alert_id": row.alert_id,
        "delivery_id": row.delivery_id,
        "kind": row.kind,
        "event_id": row.event_id,
        "channel": row.channel,
        "state": row.state,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "last_attempt_at": row.last_attempt_at.isoformat() if row.last_attempt_at else None,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "transport": row.transport,
        "created_at": row.created_at.isoformat(),
        "message_id": row.message_id,
    }


@alerts_app.command("list")
def list_command(
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="Only these states (repeat or comma-separate): pending, retrying, sending, "
            "sent, failed, discarded, undelivered (= failed + retrying).",
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Alerts and the state of each delivery: attempts, last error, next attempt."""
    statuses = _statuses(status)
    settings = current_settings()
    from flows.pipeline import opened_database

    with reported_errors(), opened_database(settings.database_dsn()) as factory:
        rows = run_unit(
            factory,
            lambda s: list_deliveries(s, statuses=statuses, limit=limit),
            what="listing alerts",
        )
    if as_json:
        for row in rows:
            typer.echo(json.dumps(_as_dict(row), ensure_ascii=False))
        return
    now = datetime.now(UTC)
    table = [
        ["ALERT", "KIND", "EVENT", "CHANNEL", "STATE", "TRIES", "LAST TRY", "NEXT TRY", "ERROR"]
    ]
    for row in rows:
        table.append(
            [
                str(row.alert_id),
                row.kind,
                str(row.event_id) if row.event_id is not None else "-",
                row.channel,
                row.state,
                str(row.attempts),
                format_time(row.last_attempt_at, now),
                format_time(row.next_attempt_at, now) if row.state == "retrying" else "-",
                (row.last_error or "-").replace("\n", " ")[:70],
            ]
        )
    typer.echo(format_table(table))
    typer.echo(f"{len(rows)} deliver{'y' if len(rows) == 1 else 'ies'}")


ChannelOpt = Annotated[
    str | None, typer.Option(help="Only this channel's delivery (default: every channel).")
]


@alerts_app.command("resend")
def resend_command(alert_id: int, channel: ChannelOpt = None) -> None:
    """Queue an alert again (refused, discarded, or even sent): the next pass sends it."""
    settings = current_settings()
    now = datetime.now(UTC)
    from flows.pipeline import opened_database

    with reported_errors(), opened_database(settings.database_dsn()) as factory:
        exists = run_unit(factory, lambda s: alert_exists(s, alert_id), what="resend")
        if not exists:
            fail(f"no alert {alert_id}", code=1)
        count = run_unit(
            factory,
            lambda s: requeue(s, alert_id, now=now, clock_now=utc_now(), channel=channel),
            what="resend",
        )
    if not count:
        fail(f"alert {alert_id} is being sent right now; nothing to queue", code=1)
    typer.echo(
        f"alert {alert_id}: {count} deliver{'y' if count == 1 else 'ies'} queued; "
        "the next pass sends it (rudprk run)"
    )


@alerts_app.command("discard")
def discard_command(alert_id: int, channel: ChannelOpt = None) -> None:
    """Give up on an alert's undelivered deliveries (it will never be sent)."""
    settings = current_settings()
    from flows.pipeline import opened_database

    with reported_errors(), opened_database(settings.database_dsn()) as factory:
        exists = run_unit(factory, lambda s: alert_exists(s, alert_id), what="discard")
        if not exists:
            fail(f"no alert {alert_id}", code=1)
        count = run_unit(
            factory,
            lambda s: discard(s, alert_id, clock_now=utc_now(), channel=channel),
            what="discard",
        )
    if not count:
        fail(f"alert {alert_id} has nothing undelivered to discard", code=1)
    typer.echo(f"alert {alert_id}: {count} deliver{'y' if count == 1 else 'ies'} discarded")


@alerts_app.command("why")
def why_command(
    alert_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="The stored record as JSON.")] = False,
) -> None:
    """Why an alert was sent: the rule, the scores, the model version, the evidence articles
    and the matching decision, as stored with the alert."""
    settings = current_settings()
    from flows.pipeline import opened_database
    from storage.models import Alert

    with reported_errors(), opened_database(settings.database_dsn()) as factory:
        found = run_unit(
            factory,
            lambda s: (lambda a: (a.kind, a.event_id, a.why) if a else None)(
                s.get(Alert, alert_id)
            ),
            what="alerts why",
        )
    if found is None:
        fail(f"no alert {alert_id}", code=1)
    kind, event_id, why = found
    if as_json:
        typer.echo(
            json.dumps(
                {"alert_id": alert_id, "kind": kind, "event_id": event_id, "why": why},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not why:
        typer.echo(
            f"alert {alert_id} ({kind}): no decision recorded (a digest, or an alert older than the rules)"
        )
        return
    for line in format_why(alert_id, kind, event_id, why):
        typer.echo(line)


def format_why(alert_id: int, kind: str, event_id: int | None, why: dict[str, object]) -> list[str]:
    """The stored *why* of an alert as lines for a terminal."""

    def part(name: str) -> dict[str, object]:
        value = why.get(name)
        return value if isinstance(value, dict) else {}

    def items(value: object) -> list[object]:
        return list(value) if isinstance(value, list) else []

    decision, scores, model = part("decision"), part("scores"), part("model")
    evidence, matching, event = part("evidence"), part("matching"), part("event")
    lines = [
        f"alert {alert_id} ({kind}) for event {event_id}",
        f"rule:       {why.get('rule') or '-'} (outcome {decision.get('outcome', '-')}, "
        f"channels {', '.join(map(str, items(decision.get('channels')))) or '-'})",
        f"scores:     relevance {scores.get('relevance')}, confidence {scores.get('confidence')}",
        f"model:      package {model.get('package') or '-'}, model set {model.get('model_set') or '-'}",
        f"evidence:   articles {', '.join(map(str, items(evidence.get('article_ids')))) or '-'}"
        f" ({evidence.get('language') or 'language unknown'})",
        f"            “{evidence.get('sentence', '')}”",
        f"matching:   {matching.get('explanation', '-')}",
        f"event:      {event.get('type')}, {event.get('modality')}, force {event.get('force') or '-'}, "
        f"place {event.get('place') or '-'}, claimant {event.get('claimant') or '-'}",
        f"fresh:      {why.get('fresh')}; decided {why.get('decided_at')}",
    ]
    for check in items(decision.get("checks")):
        if isinstance(check, dict):
            failed = check.get("failed")
            lines.append(
                f"  rule {check.get('rule')}: {'matched' if failed is None else 'failed on ' + str(failed)}"
            )
    changes = why.get("changes")
    if isinstance(changes, list):
        for change in changes:
            if isinstance(change, dict):
                lines.append(
                    f"  changed {change.get('field')}: {change.get('before')} → {change.get('after')}"
                )
    return lines


@alerts_app.command("preview")
def preview_command(
    event_id: int,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the HTML part to this file.")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Render in this language (default RUDPRK_ALERT_LANGUAGE).")
    ] = None,
) -> None:
    """Render an event's alert e-mail without sending it: the text part on stdout."""
    settings = current_settings()
    from dataclasses import replace

    from alerts.render import message_id_for, render_alert
    from alerts.views import build_alert_views, build_event_views
    from flows.pipeline import opened_database
    from storage.models import Alert

    lang = (language or settings.alert_language).strip().lower()

    def unit(session: Session) -> object:
        alert_ids = list(
            session.scalars(select(Alert.id).where(Alert.event_id == event_id, Alert.kind == "new"))
        )
        views = build_alert_views(session, alert_ids)
        if views:
            return views[0]
        found = build_event_views(session, [event_id]).get(event_id)
        if found is None:
            return None
        return replace(found, message_id=message_id_for(f"preview:event:{event_id}"))

    with reported_errors(), opened_database(settings.database_dsn()) as factory:
        view = run_unit(factory, unit, what="alerts preview")
        if view is None:
            fail(f"no event {event_id}", code=1)
        message = render_alert(
            view,  # type: ignore[arg-type]
            sender=settings.alert_from,
            recipients=list(settings.alert_to),
            language=lang,
        )
    typer.echo(f"Subject: {message['Subject']}")
    typer.echo("")
    plain = message.get_body(("plain",))
    typer.echo(plain.get_content() if isinstance(plain, EmailMessage) else "")
    if html is not None:
        part = message.get_body(("html",))
        try:
            html.write_text(
                part.get_content() if isinstance(part, EmailMessage) else "", encoding="utf-8"
            )
        except OSError as exc:
            fail(f"cannot write {html}: {exc.strerror}", code=1)
        typer.echo(f"HTML written to {html}", err=True)
