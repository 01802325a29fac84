"""Rules files (validated with one line naming the problem), the decision they give, and the
routing of new events into decisions, alerts, held alerts and the daily digest, on real
databases (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from seeding import EVENTS, NOW, many_events, seed_alerts
from smtpserver import running_smtp_server
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.delivery import deliver_pending
from alerts.errors import RulesError
from alerts.mailer import SMTPMailer
from alerts.routing import route_new_event, settle_held
from alerts.rules import DEFAULT_RULES, EventFacts, decide, load_rules, parse_rules
from flows.pipeline import digest_period_due
from flows.settings import SettingsError, load_settings
from storage.decisions import decision_for
from storage.migrate import downgrade_database, head_revision, upgrade_database
from storage.models import Alert, AlertDecision, Delivery

GOOD = """
[channels.desk]
url = "json://127.0.0.1:9/hook"

[[rules]]
name = "deployments"
event_types = ["deployment"]
min_confidence = 0.6
recipients = ["desk@rudprk.test"]
channels = ["desk"]

[[rules]]
name = "ratified treaties"
event_types = ["agreement"]
stages = ["ratification", "entry into force"]
languages = ["fr", "en"]

[[rules]]
name = "speculation, for the digest"
event_types = ["deployment"]
statuses = ["speculative"]
mode = "digest"
"""


def _rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[rules]]\nname = 'a'\nevent_types = ['deploy']",
            "rule 'a': event_types: unknown value 'deploy'",
        ),
        (
            "[[rules]]\nname = 'a'\nstatuses = ['rumour']",
            "rule 'a': statuses: unknown value 'rumour'",
        ),
        (
            "[[rules]]\nname = 'a'\nmin_confidence = 2",
            "rule 'a': min_confidence must be a number from 0 to 1",
        ),
        ("[[rules]]\nname = 'a'\nmode = 'later'", "rule 'a': mode must be immediate or digest"),
        (
            "[[rules]]\nname = 'a'\nchannels = ['slack']",
            "rule 'a': unknown channel 'slack' (none defined)",
        ),
        (
            "[[rules]]\nname = 'a'\nrecipients = ['nobody']",
            "rule 'a': recipients: not an e-mail address",
        ),
        ("[[rules]]\nname = 'a'\ncolour = 'red'", "rule 'a': unknown key 'colour'"),
        ("[[rules]]\nname = 'a'\n[[rules]]\nname = 'a'", "rule 'a' is defined twice"),
        ("[[rules]]\nevent_types = ['deployment']", "rules[1]: every rule needs a name"),
        ("[[rules]]\nname = 'a'\nemail = false", "rule 'a': email = false and no channels"),
        (
            "[channels.x]\nurl = 'bogus://y'\n[[rules]]\nname = 'a'",
            "channels.x: Apprise does not accept",
        ),
        (
            "[channels.x]\nurl_file = 'missing'\n[[rules]]\nname = 'a'",
            "channels.x.url_file: cannot read",
        ),
        ("name = 'a'", "unknown table 'name'"),
        ("[[rules]\nname", "not valid TOML"),
        ("", "no [[rules]]"),
    ],
)
def test_a_bad_rules_file_is_one_line_naming_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _rules(tmp_path, text)
    with pytest.raises(RulesError) as info:
        load_rules(path)
    line = str(info.value)
    assert "\n" not in line
    assert line.startswith("rules.toml: ") and message in line
    with pytest.raises(SettingsError) as settings_error:
        load_settings({"RUDPRK_RULES": str(path)}, cwd=tmp_path)
    assert str(settings_error.value).startswith("RUDPRK_RULES: rules.toml: ")


def test_language_and_time_zone_settings_are_checked(tmp_path: Path) -> None:
    settings = load_settings(
        {"RUDPRK_ALERT_LANGUAGE": "FR", "RUDPRK_TIMEZONE": "Europe/Paris"}, cwd=tmp_path
    )
    assert (settings.alert_language, settings.timezone) == ("fr", "Europe/Paris")
    with pytest.raises(
        SettingsError,
        match=r"^RUDPRK_ALERT_LANGUAGE: no message file for language 'xx' \(available: en, fr",
    ):
        load_settings({"RUDPRK_ALERT_LANGUAGE": "xx"}, cwd=tmp_path)
    with pytest.raises(SettingsError, match=r"^RUDPRK_TIMEZONE: unknown time zone 'Mars/Olympus'"):
        load_settings({"RUDPRK_TIMEZONE": "Mars/Olympus"}, cwd=tmp_path)


def test_decisions_follow_the_rules(tmp_path: Path) -> None:
    rules = load_rules(_rules(tmp_path, GOOD))
    assert next(r.name for r in rules.rules) == "deployments"
    assert "json://" not in repr(rules.channels["desk"])

    def facts(**kw: object) -> EventFacts:
        values: dict[str, object] = {
            "event_type": "deployment",
            "modality": "new",
            "confidence": 0.9,
        }
        values.update(kw)
        return EventFacts(**values)  # type: ignore[arg-type]

    deployment = decide(facts(), rules)
    assert (deployment.outcome, deployment.rules) == ("alert", ("deployments",))
    assert deployment.channels == ("email", "desk")
    assert deployment.recipients == ("desk@rudprk.test",)
    assert decide(facts(confidence=0.5), rules).reason == "confidence"
    assert decide(facts(event_type="visit"), rules).reason == "type"
    assert decide(facts(modality="background"), rules).reason == "modality"
    speculative = decide(facts(modality="speculative"), rules)
    assert (speculative.outcome, speculative.reason) == ("digest", "digest")
    signed = facts(event_type="agreement", stage="signature", language="fr")
    assert decide(signed, rules).reason == "stage"
    ratified = decide(facts(event_type="agreement", stage="ratification", language="fr"), rules)
    assert (ratified.outcome, ratified.recipients) == ("alert", ())  # the default recipients
    german = facts(event_type="agreement", stage="ratification", language="de")
    assert decide(german, rules).reason == "language"
    stale = decide(facts(), rules, fresh=False)
    assert (stale.outcome, stale.reason, stale.rules) == ("none", "stale", ("deployments",))
    # Without a file: new deployments and agreements alert by e-mail, as before rules existed.
    assert decide(facts(confidence=0.1), DEFAULT_RULES).channels == ("email",)
    assert decide(facts(modality="denied"), DEFAULT_RULES).outcome == "none"
    assert parse_rules({"rules": [{"name": "x", "kinds": ["update"]}]}, base=tmp_path).rules[
        0
    ].kinds == ("update",)


def test_a_routed_event_stores_its_decision_and_why_with_the_alert(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rules = load_rules(_rules(tmp_path, GOOD))
    with session_factory() as session:
        event_ids = seed_alerts(session, alert=False)
        decision, alert_id = route_new_event(
            session,
            event_id=event_ids[0],
            article_id=1,
            language="en",
            relevance=0.97,
            reasons=["KP", "RU"],
            rules=rules,
            fresh=True,
            now=NOW,
        )
        assert decision.outcome == "alert" and alert_id is not None
        # The agreement has no stage: no rule matches it.
        none, no_alert = route_new_event(
            session,
            event_id=event_ids[1],
            article_id=3,
            language="en",
            relevance=0.9,
            reasons=[],
            rules=rules,
            fresh=True,
            now=NOW,
        )
        assert (none.outcome, none.reason, no_alert) == ("none", "stage", None)
        session.commit()
    with session_factory() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None and alert.why is not None
        why = alert.why
        assert why["rule"] == "deployments"
        assert why["scores"] == {"relevance": 0.97, "confidence": 0.9}
        assert why["model"]["model_set"]
        assert why["evidence"]["article_ids"] == [1]
        assert why["matching"]["new_event"] is True
        deliveries = {
            d.channel: d.recipients
            for d in session.scalars(select(Delivery).where(Delivery.alert_id == alert_id))
        }
        assert deliveries == {"email": ["desk@rudprk.test"], "desk": None}
        stored = decision_for(session, event_ids[1])
        assert stored is not None and (stored.outcome, stored.reason) == ("none", "stage")
    with running_smtp_server() as server:
        deliver_pending(
            session_factory,
            SMTPMailer(server.host, server.port, timeout=5),
            sender="rudprk <a@rudprk.test>",
            recipients=["default@rudprk.test"],
            now=NOW,
        )
        (message,) = server.handler.messages
        assert message["To"] == "desk@rudprk.test"  # the rule's own recipients


def _held(session: Session, event_ids: list[int]) -> None:
    for n, event_id in enumerate(event_ids):
        route_new_event(
            session,
            event_id=event_id,
            article_id=1,
            language="en",
            relevance=0.9,
            reasons=[],
            rules=DEFAULT_RULES,
            fresh=True,
            now=NOW + timedelta(seconds=n),
            hold=True,
        )


def test_a_first_pass_sends_a_few_alerts_or_one_catch_up_digest(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        few = seed_alerts(session, EVENTS[:2], alert=False)
        _held(session, few)
        assert session.scalars(select(Alert)).all() == []
        assert settle_held(session, DEFAULT_RULES, NOW + timedelta(minutes=1)) == (2, None)
        session.commit()
        assert len(session.scalars(select(Alert)).all()) == 2

        flood = seed_alerts(session, many_events(8), alert=False, tag="flood")
        _held(session, flood)
        sent, digest_id = settle_held(session, DEFAULT_RULES, NOW + timedelta(minutes=2))
        session.commit()
        assert sent == 0 and digest_id is not None
        kinds = [a.kind for a in session.scalars(select(Alert).order_by(Alert.id))]
        assert kinds == ["new", "new", "digest"]
        outcomes = {
            d.outcome
            for d in session.scalars(select(AlertDecision).where(AlertDecision.event_id.in_(flood)))
        }
        assert outcomes == {"digest"}
        assert settle_held(session, DEFAULT_RULES, NOW + timedelta(minutes=3)) == (0, None)
    with running_smtp_server() as server:
        report = deliver_pending(
            session_factory,
            SMTPMailer(server.host, server.port, timeout=5),
            sender="rudprk <a@rudprk.test>",
            recipients=["desk@rudprk.test"],
            now=NOW + timedelta(minutes=3),
        )
        assert report.sent == 3
        digest = next(m for m in server.handler.messages if m["X-Rudprk-Alert-Kind"] == "digest")
        plain = digest.get_body(("plain",))
        assert plain is not None
        text = plain.get_content()
        assert "-- held back (first run over a back catalogue) (8) --" in text
        # the 8 held, listed once each, and the deployment alerted before them
        assert text.count("* North Korea sends") == 8 + 1
        assert "== Alerted (2) ==" in text


def test_the_daily_digest_period_follows_the_local_hour() -> None:
    # 07:00 in Paris is 06:00 UTC in winter and 05:00 UTC in summer.
    winter = digest_period_due(datetime(2026, 1, 15, 9, 0, tzinfo=UTC), 7, "Europe/Paris")
    assert winter == (datetime(2026, 1, 14, 6, tzinfo=UTC), datetime(2026, 1, 15, 6, tzinfo=UTC))
    summer = digest_period_due(datetime(2026, 7, 15, 5, 30, tzinfo=UTC), 7, "Europe/Paris")
    assert summer[1] == datetime(2026, 7, 15, 5, tzinfo=UTC)
    before = digest_period_due(datetime(2026, 7, 15, 4, 59, tzinfo=UTC), 7, "Europe/Paris")
    assert before[1] == datetime(2026, 7, 14, 5, tzinfo=UTC)
    # The night the clocks go forward, the day is 23 hours long.
    spring = digest_period_due(datetime(2026, 3, 29, 12, tzinfo=UTC), 7, "Europe/Paris")
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert digest_period_due(datetime(2026, 1, 15, 9, tzinfo=UTC), 7) == (
        datetime(2026, 1, 14, 7, tzinfo=UTC),
        datetime(2026, 1, 15, 7, tzinfo=UTC),
    )


def test_the_decisions_migration_goes_down_and_up(engine: Engine) -> None:
    def columns(table: str) -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns(table)}

    assert "alert_decisions" in inspect(engine).get_table_names()
    assert "why" in columns("alerts") and "recipients" in columns("deliveries")
    assert downgrade_database(engine, "0005") == "0005"
    assert "alert_decisions" not in inspect(engine).get_table_names()
    assert "why" not in columns("alerts") and "recipients" not in columns("deliveries")
    assert upgrade_database(engine) == head_revision()
    assert "alert_decisions" in inspect(engine).get_table_names()
