"""A long relay outage loses nothing: 20 passes (five hours of 15-minute cron) of ``451``, then
the relay comes back and every alert is delivered once (8 of 8 were lost before: each ended
``failed`` after 20 attempts, the pass said "0 pending" and exited 0)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from harness import TrialSMTP, write_empty_sources
from integrity import assert_integrity
from seeding import many_events, seed_alerts
from sqlalchemy.orm import Session, sessionmaker

from flows.health import ExitCode
from flows.pipeline import run_pass
from flows.settings import load_settings

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]


def test_twenty_passes_of_451_then_every_alert_is_delivered_once(
    db_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    with session_factory() as session:
        seed_alerts(session, many_events(8), now=start)
    down = [True]
    with TrialSMTP(
        reply=lambda n, m: "451 4.3.2 Relay busy, try later" if down[0] else None
    ) as smtp:
        settings = replace(
            load_settings({}, cwd=tmp_path),
            database_url=db_url,
            sources_path=write_empty_sources(tmp_path / "sources.toml"),
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            alert_to=("desk@example.org",),
            digest_hour=None,
            timeout_seconds=5.0,
        )
        now = start
        attempts_seen = 0
        for _ in range(20):
            summary = run_pass(settings, now=now)
            assert summary.exit_code is ExitCode.ALERTS_UNDELIVERED
            assert summary.alerts_sent == 0 and summary.alerts_failed == 0
            assert summary.alerts_pending == 8  # never "0 pending"
            assert len(summary.undelivered) == 8
            assert {u["state"] for u in summary.undelivered} == {"retrying"}
            assert all("451 4.3.2 Relay busy" in str(u["last_error"]) for u in summary.undelivered)
            attempts_seen = max(int(str(u["attempts"])) for u in summary.undelivered)
            now += timedelta(minutes=15)
        assert smtp.accepted == []
        # back-off: far fewer than 20 attempts each over five hours, but never given up
        assert 5 <= attempts_seen <= 9
        down[0] = False
        passes_to_recover = 0
        while True:
            passes_to_recover += 1
            summary = run_pass(settings, now=now)
            if summary.exit_code is ExitCode.OK:
                break
            assert passes_to_recover < 5, summary.line()
            now += timedelta(minutes=15)
        assert summary.alerts_pending == 0 and summary.undelivered == []
        # delivered within the back-off cap (one hour = 4 passes) of the relay's return
        assert passes_to_recover <= 5
        assert len(smtp.accepted) == 8 and len(set(smtp.accepted)) == 8
        assert run_pass(settings, now=now + timedelta(minutes=15)).alerts_sent == 0
    assert len(smtp.accepted) == 8
    assert_integrity(db_url)
