"""The analysts' views on a real migrated database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import pytest
from seeding import EVENTS, seed_alerts
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from storage.migrate import downgrade_database, head_revision, upgrade_database
from storage.migrations.snapshots import LATEST
from storage.views import VIEWS


def test_every_view_has_its_documented_columns(engine: Engine) -> None:
    names = set(inspect(engine).get_view_names())
    for view in VIEWS:
        assert view.name in names
        columns = [c["name"] for c in inspect(engine).get_columns(view.name)]
        assert columns == list(view.column_names)


def test_views_answer_analyst_questions(session: Session) -> None:
    seed_alerts(session)
    rows = session.execute(
        text(
            "SELECT event_type, figure_low, figure_unit, place, claimant, sources, articles "
            "FROM v_events ORDER BY id"
        )
    ).all()
    assert [(r.event_type, r.place, r.sources, r.articles) for r in rows] == [
        (spec["event_type"], spec["place"], 2, 2) for spec in EVENTS
    ]
    assert rows[0].figure_low == 12000 and rows[0].figure_unit == "troops"
    sources = session.execute(
        text(
            "SELECT feed_name, role, language FROM v_event_sources WHERE event_id = :e ORDER BY role"
        ),
        {"e": 1},
    ).all()
    assert [(s.feed_name, s.role, s.language) for s in sources] == [
        ("Wire Test", "origin", "en"),
        ("Journal Test", "report", "fr"),
    ]
    per_language = {
        r[0]: r[1]
        for r in session.execute(
            text("SELECT language, COUNT(*) FROM v_articles GROUP BY language")
        )
    }
    assert per_language == {"en": 3, "fr": 3}
    assert session.execute(text("SELECT SUM(events) FROM v_articles")).scalar_one() == 6
    health = session.execute(
        text("SELECT name, healthy, articles FROM v_feed_health ORDER BY name")
    ).all()
    assert [(h.name, h.healthy, h.articles) for h in health] == [
        ("Journal Test", 1, 3),
        ("Wire Test", 1, 3),
    ]
    pending = session.execute(
        text(
            "SELECT event_type, channel, status FROM v_alerts WHERE status = :s ORDER BY alert_id"
        ),
        {"s": "pending"},
    ).all()
    assert [(p.event_type, p.channel) for p in pending] == [
        (spec["event_type"], "email") for spec in EVENTS
    ]


def test_the_views_migration_goes_down_and_up(engine: Engine) -> None:
    assert downgrade_database(engine, "0020") == "0020"
    assert not set(inspect(engine).get_view_names()) & {v.name for v in VIEWS}
    assert upgrade_database(engine) == head_revision()
    assert {v.name for v in VIEWS} <= set(inspect(engine).get_view_names())


def test_the_newest_migration_snapshot_is_the_views_of_storage_views() -> None:
    # a view changed in storage/views.py needs a new snapshot and a migration that applies it
    assert [name for name, _ in LATEST] == [v.name for v in VIEWS]
    for (name, sql), view in zip(LATEST, VIEWS, strict=True):
        assert sql.strip() == view.create_sql().strip(), f"{name} differs from its snapshot"


def test_a_later_view_definition_cannot_break_the_views_migration(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # migration 0050 builds its own revision's views, whatever storage/views.py says today
    import storage.views as views

    later = views.View("v_articles", (("id", "a.id"), ("category", "f.category")), "FROM x")
    monkeypatch.setattr(views, "VIEWS", (later,))
    assert downgrade_database(engine, "0041") == "0041"
    assert upgrade_database(engine) == head_revision()
    columns = {c["name"] for c in inspect(engine).get_columns("v_articles")}
    assert "category" not in columns and "title" in columns
