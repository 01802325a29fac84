"""``rudprk alerts …``: what the outbox holds, and the operator's resend and discard.

A delivery refused for good (``failed``) is reported by every pass (exit code 3, ``run --json``)
until an operator acts on it here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

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
    help="The outbox: list alerts and their deliveries, resend or discard one.",
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
