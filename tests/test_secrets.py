"""Secrets never leak: a canary SMTP password and a canary database password are set, then the
command outputs, the logs, the Prefect database and the app database are searched for them.

Also the Prefect flow itself (the one use of ``prefect_test_harness`` in the suite, ~17 s): it
loads its settings itself (its only parameter is ``force``), sends the alerts, and a pass with
undelivered alerts ends in the ``Failed`` state with its summary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import PG_URL, _drop_pg_schema
from smtpserver import RecordingHandler, SMTPTestServer
from sqlalchemy import inspect, select, text

from flows.loopback import LoopbackServer
from flows.samples import build_documents, write_sources
from storage.engine import create_db_engine, create_session_factory, session_scope
from storage.locks import utc_now
from storage.models import Alert
from storage.outbox import requeue

SMTP_CANARY = "canary-smtp-" + uuid.uuid4().hex[:12]
DB_CANARY = "canary-db-" + uuid.uuid4().hex[:12]
AUTH_WITHOUT_TLS = "ignore:Requiring AUTH while not requiring TLS"  # loopback only


@pytest.fixture
def app_database(tmp_path: Path) -> Iterator[str]:
    """A database URL holding the canary password: PostgreSQL (the test server trusts loopback
    and ignores the password) when configured, else SQLite (whose URL has no password)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'app.sqlite3'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    base = PG_URL.replace("postgres@", f"postgres:{DB_CANARY}@", 1)
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        _drop_pg_schema(schema)


def app_database_text(url: str) -> str:
    """Everything the app database holds, as text (the SQLite file's bytes, or every row)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return "".join(
            p.read_bytes().decode("utf-8", "replace") for p in path.parent.glob(path.name + "*")
        )
    engine = create_db_engine(url)
    chunks = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            chunks.extend(repr(row) for row in conn.execute(text(f'SELECT * FROM "{table}"')))
    engine.dispose()
    return "\n".join(chunks)


def assert_no_canary(where: str, content: str) -> None:
    assert SMTP_CANARY not in content, f"SMTP password found in {where}"
    assert DB_CANARY not in content, f"database password found in {where}"


def rudprk(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RUDPRK_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "flows", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.prefect
@pytest.mark.filterwarnings(AUTH_WITHOUT_TLS)
def test_canary_passwords_appear_in_no_output_log_or_database(
    tmp_path: Path,
    app_database: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL
    from prefect.testing.utilities import prefect_test_harness

    from flows.monitor import monitor, run_monitor

    feeds = LoopbackServer({})
    feeds.set_documents(build_documents(feeds.base_url, datetime.now(UTC)))
    handler = RecordingHandler()
    url_file = tmp_path / "database-url"
    url_file.write_text(app_database + "\n")
    with feeds, SMTPTestServer(handler, credentials=("rudprk", SMTP_CANARY)) as smtp:
        sources = write_sources(tmp_path / "sources.toml", feeds.base_url, include_broken=False)
        env = {
            "RUDPRK_DATA_DIR": str(tmp_path / "data"),
            "RUDPRK_SOURCES": str(sources),
            "RUDPRK_SMTP_HOST": "127.0.0.1",
            "RUDPRK_SMTP_PORT": str(smtp.port),
            "RUDPRK_SMTP_USER": "rudprk",
            "RUDPRK_SMTP_PASSWORD": SMTP_CANARY,
            "RUDPRK_ALERT_TO": "desk@example.org",
            "RUDPRK_TIMEOUT_SECONDS": "5",
        }
        outputs: list[tuple[str, str]] = []

        # 1. The command line, with verbose logs, the URL read from a _FILE variable.
        first = rudprk(
            ["run", "--json", "--verbose"],
            {**env, "RUDPRK_DATABASE_URL_FILE": str(url_file)},
            tmp_path,
        )
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["alerts_sent"] == 2  # the SMTP login worked
        outputs += [("run stdout", first.stdout), ("run stderr", first.stderr)]
        for args in (["alerts", "list"], ["feeds", "list"], ["alerts", "list", "--json"]):
            listed = rudprk(args, {**env, "RUDPRK_DATABASE_URL": app_database}, tmp_path)
            assert listed.returncode == 0, listed.stderr
            outputs.append((" ".join(args), listed.stdout + listed.stderr))
        # errors that name the database or the relay do not name their passwords either
        unreachable = app_database.replace("127.0.0.1:5432", "127.0.0.1:9", 1)
        if not unreachable.startswith("sqlite"):
            down = rudprk(["run"], {**env, "RUDPRK_DATABASE_URL": unreachable}, tmp_path)
            assert down.returncode == 2 and "cannot connect to database" in down.stderr
            outputs.append(("database down", down.stdout + down.stderr))
        wrong = rudprk(
            ["run", "--json"],
            {**env, "RUDPRK_DATABASE_URL": app_database, "RUDPRK_SMTP_USER": "intruder"},
            tmp_path,
        )
        outputs.append(("login refused", wrong.stdout + wrong.stderr))
        for where, content in outputs:
            assert_no_canary(where, content)

        # 2. The Prefect flow: settings from the environment, never as parameters.
        for name, value in {**env, "RUDPRK_DATABASE_URL": app_database}.items():
            monkeypatch.setenv(name, value)
        engine = create_db_engine(app_database)
        factory = create_session_factory(engine)
        with prefect_test_harness(server_startup_timeout=180):  # a loaded machine is slow
            prefect_db = Path(
                str(PREFECT_SERVER_DATABASE_CONNECTION_URL.value()).split(":///", 1)[1]
            )
            ok = monitor()
            assert isinstance(ok, dict)
            assert ok["stopped"] is None and ok["alerts_sent"] == 0  # sent by the command
            # an alert queued again while the relay is down: the flow run ends Failed
            with session_scope(factory) as session:
                alert_id = session.scalars(select(Alert.id).order_by(Alert.id)).first()
                assert alert_id is not None
                requeue(session, alert_id, now=datetime.now(UTC), clock_now=utc_now())
            smtp.stop()
            failed = run_monitor()
            assert failed.exit_code == 3 and failed.delivery_error is not None
            smtp.start()
            recovered = run_monitor()
            assert recovered.exit_code == 3  # in back-off, still reported
            from prefect import get_client

            async def flow_runs() -> list[tuple[str, dict[str, object]]]:
                async with get_client() as client:
                    runs = await client.read_flow_runs()
                    return [(str(r.state_type), dict(r.parameters)) for r in runs]

            import asyncio

            runs = asyncio.run(flow_runs())
        engine.dispose()
        assert sorted(s for s, _ in runs) == sorted(
            ["StateType.COMPLETED", "StateType.FAILED", "StateType.FAILED"]
        )
        assert all(set(params) <= {"force"} for _, params in runs)
        assert len(handler.messages) == 2 and len({m["Message-ID"] for m in handler.messages}) == 2

    prefect_text = "".join(
        p.read_bytes().decode("utf-8", "replace")
        for p in prefect_db.parent.glob(prefect_db.name + "*")
    )
    assert "pass ended with exit code 3" in prefect_text  # the flow's logs are in there
    assert_no_canary("the Prefect database", prefect_text)
    assert_no_canary("the app database", app_database_text(app_database))
    captured = capsys.readouterr()
    assert_no_canary("the test process's output", captured.out + captured.err)
    assert_no_canary("the logs", "\n".join(r.getMessage() + repr(vars(r)) for r in caplog.records))
