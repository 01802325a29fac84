"""``rudprk alerts why|preview``, ``rudprk backtest`` and ``rudprk reprocess`` as users call them
(real processes, loopback feeds and SMTP, SQLite), after a pass that alerted in French."""

from __future__ import annotations

import json
from pathlib import Path

from smtpserver import RecordingHandler, SMTPTestServer
from sqlalchemy import func, select
from test_cli import database, feeds, rudprk, smtp_env  # noqa: F401  (feeds is a fixture)

from flows.loopback import LoopbackServer
from storage.engine import create_db_engine, create_session_factory
from storage.models import Alert, AlertDecision, Event


def _count(url: str, model: type) -> int:
    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:
        value = int(session.scalar(select(func.count()).select_from(model)) or 0)
    engine.dispose()
    return value


def test_why_preview_backtest_and_reprocess(
    tmp_path: Path,
    feeds: tuple[LoopbackServer, Path],  # noqa: F811
) -> None:
    _, sources = feeds
    with SMTPTestServer(RecordingHandler()) as smtp:
        env = {**smtp_env(sources, smtp.port), "RUDPRK_ALERT_LANGUAGE": "fr"}
        first = rudprk(["run", "--json"], env, tmp_path)
        assert first.returncode == 0, first.stderr
        subjects = sorted(str(m["Subject"]) for m in smtp.handler.messages)
        assert len(subjects) == 2
        assert any(s.startswith("[rudprk] La Corée du Nord envoie") for s in subjects), subjects
        assert all(m["Content-Language"] == "fr" for m in smtp.handler.messages)
    url = database(tmp_path)
    alerts, decisions = _count(url, Alert), _count(url, AlertDecision)
    assert alerts == 2 and decisions >= 3  # the speculative report is decided too
    events = _count(url, Event)

    why = rudprk(["alerts", "why", "1"], env, tmp_path)
    assert why.returncode == 0, why.stderr
    assert "rule:       default (outcome alert, channels email)" in why.stdout
    assert "model set ms1-" in why.stdout
    assert "matching:   no stored event" in why.stdout
    as_json = json.loads(rudprk(["alerts", "why", "1", "--json"], env, tmp_path).stdout)
    assert as_json["why"]["evidence"]["article_ids"]
    missing = rudprk(["alerts", "why", "999"], env, tmp_path)
    assert missing.returncode == 1 and "no alert 999" in missing.stderr

    page = tmp_path / "preview.html"
    preview = rudprk(["alerts", "preview", "1", "--html", str(page)], env, tmp_path)
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith("Subject: [rudprk] ")
    assert "Extrait, en " in preview.stdout
    assert '<meta name="viewport"' in page.read_text(encoding="utf-8")
    english = rudprk(["alerts", "preview", "1", "--language", "en"], env, tmp_path)
    assert "Evidence, in " in english.stdout
    assert _count(url, Alert) == alerts  # previews record nothing

    strict = tmp_path / "strict.toml"
    strict.write_text(
        '[[rules]]\nname = "agreements only"\nevent_types = ["agreement"]\n'
        'statuses = ["new", "speculative"]\n',
        encoding="utf-8",
    )
    test = rudprk(["backtest", "--rules", str(strict), "--since", "30d", "--json"], env, tmp_path)
    assert test.returncode == 0, test.stderr
    rows = [json.loads(line) for line in test.stdout.splitlines()]
    changes = {(r["event_type"], r["modality"], r["change"]) for r in rows}
    assert ("deployment", "new", "would no longer fire") in changes
    assert ("deployment", "speculative", "would fire") not in changes
    summary = rudprk(["backtest", "--rules", str(strict), "--since", "30d"], env, tmp_path)
    assert "would no longer fire" in summary.stdout and "(nothing was sent)" in summary.stdout
    bad = rudprk(["backtest", "--rules", str(tmp_path / "none.toml")], env, tmp_path)
    assert bad.returncode == 2 and "cannot read" in bad.stderr

    with SMTPTestServer(RecordingHandler()) as smtp:
        env = {**smtp_env(sources, smtp.port), "RUDPRK_ALERT_LANGUAGE": "fr"}
        again = rudprk(["reprocess", "--since", "30d"], env, tmp_path)
        assert again.returncode == 0, again.stderr
        assert again.stdout == ""  # silent under cron (no terminal)
        after = rudprk(["run", "--json"], env, tmp_path)
        assert after.returncode == 0, after.stderr
        assert smtp.handler.messages == []  # nothing alerted twice
    assert _count(url, Alert) == alerts
    assert _count(url, Event) == events
