"""The sources file and the CLI agree: the file's reconciliation (storage.feeds.reconcile_feeds,
flows.pipeline.sync_sources) never undoes an operator, a line removed from the file disables its
feed, and an unchanged file is not reconciled again. Real databases (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from flows.feeds_cli import feeds_app
from flows.pipeline import sync_sources
from flows.settings import load_settings
from flows.sources import SYNC_STATE_FILE, read_sync_state
from storage.feeds import (
    DISABLED_BY_OPERATOR,
    LEFT_SOURCES_FILE,
    FeedSource,
    disable_feed_by_url,
    reconcile_feeds,
    remove_feed,
)
from storage.models import Feed

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A, B, C = "https://a.test/rss", "https://b.test/rss", "https://c.test/rss"


def states(session: Session) -> dict[str, tuple[bool, str | None]]:
    return {f.url: (f.enabled, f.disabled_reason) for f in session.scalars(select(Feed))}


def test_reconcile_adds_renames_and_disables_what_left_the_file(session: Session) -> None:
    first = reconcile_feeds(session, [FeedSource("A", A), FeedSource("B", B, "fr")], NOW, None)
    assert (first.added, first.updated, first.disabled, first.unchanged) == ((A, B), (), (), 0)

    second = reconcile_feeds(
        session, [FeedSource("A renamed", A), FeedSource("C", C)], NOW, frozenset({A, B})
    )
    assert second.added == (C,) and second.updated == (A,) and second.disabled == (B,)
    assert states(session)[B] == (False, LEFT_SOURCES_FILE)
    assert session.scalar(select(Feed.name).where(Feed.url == A)) == "A renamed"

    back = reconcile_feeds(
        session,
        [FeedSource("A renamed", A), FeedSource("B", B, "fr"), FeedSource("C", C)],
        NOW,
        frozenset({A, C}),
    )
    assert back.enabled == (B,) and back.added == () and back.unchanged == 2
    assert states(session)[B] == (True, None)


def test_reconcile_follows_the_files_interval_and_makes_the_feed_due(session: Session) -> None:
    reconcile_feeds(session, [FeedSource("A", A), FeedSource("B", B)], NOW, None)
    session.execute(Feed.__table__.update().values(next_check_at=NOW))
    report = reconcile_feeds(
        session,
        [FeedSource("A", A, interval_seconds=30), FeedSource("B", B)],
        NOW,
        frozenset({A, B}),
    )
    assert report.updated == (A,) and report.unchanged == 1
    rows = {
        f.url: (f.check_interval_seconds, f.next_check_at) for f in session.scalars(select(Feed))
    }
    assert rows == {A: (30, None), B: (None, NOW)}
    back = reconcile_feeds(
        session, [FeedSource("A", A), FeedSource("B", B)], NOW, frozenset({A, B})
    )
    assert back.updated == (A,)
    assert session.scalar(select(Feed.check_interval_seconds).where(Feed.url == A)) is None


def test_reconcile_never_undoes_the_operator(session: Session) -> None:
    file = [FeedSource("A", A), FeedSource("B", B), FeedSource("C", C)]
    reconcile_feeds(session, file, NOW, None)
    assert remove_feed(session, A)
    assert disable_feed_by_url(session, B)
    gone = "gone: HTTP 410 Gone"
    session.execute(
        Feed.__table__.update().where(Feed.url == C).values(enabled=False, disabled_reason=gone)
    )
    report = reconcile_feeds(session, file, NOW, frozenset({A, B, C}))
    assert report.kept_removed == (A,) and report.added == () and report.enabled == ()
    assert states(session) == {B: (False, DISABLED_BY_OPERATOR), C: (False, gone)}
    # Leaving the file does not overwrite the operator's reason either.
    reconcile_feeds(session, [], NOW, frozenset({B, C}))
    assert states(session) == {B: (False, DISABLED_BY_OPERATOR), C: (False, gone)}


def test_reconcile_leaves_cli_added_feeds_alone(session: Session) -> None:
    reconcile_feeds(session, [FeedSource("A", A)], NOW, None)
    reconcile_feeds(session, [FeedSource("C", C)], NOW, frozenset())  # A was added by hand
    assert states(session) == {A: (True, None), C: (True, None)}


def write_file(path: Path, *feeds: tuple[str, str]) -> None:
    path.write_text(
        "".join(f'[[feeds]]\nname = "{name}"\nurl = "{url}"\n\n' for name, url in feeds),
        encoding="utf-8",
    )


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    write_file(path, ("A", A), ("B", B))
    return path


def test_sync_is_skipped_while_the_file_is_unchanged_and_remembers_its_lines(
    session_factory: sessionmaker[Session], db_url: str, sources: Path, tmp_path: Path
) -> None:
    env = {
        "RUDPRK_DATABASE_URL": db_url,
        "RUDPRK_SOURCES": str(sources),
        "RUDPRK_DATA_DIR": str(tmp_path / "data"),
    }
    settings = load_settings(env, cwd=tmp_path)
    first = sync_sources(session_factory, settings, NOW)
    assert first.added == (A, B) and not first.skipped
    state = read_sync_state(settings.data_dir)
    assert state is not None and state.urls == {A, B}

    assert sync_sources(session_factory, settings, NOW).skipped
    with session_factory.begin() as session:
        remove_feed(session, A)
    assert sync_sources(session_factory, settings, NOW).skipped  # A stays removed

    write_file(sources, ("A", A), ("C", C))  # B's line removed, C added
    changed = sync_sources(session_factory, settings, NOW)
    assert (changed.added, changed.disabled, changed.kept_removed) == ((C,), (B,), (A,))
    with session_factory() as session:
        assert states(session) == {B: (False, LEFT_SOURCES_FILE), C: (True, None)}

    forced = sync_sources(session_factory, settings, NOW, force=True)
    assert not forced.skipped and forced.added == () and forced.unchanged == 1

    # A corrupt state file is no error: the whole file is reconciled again, nothing disabled.
    (settings.data_dir / SYNC_STATE_FILE).write_text("{not json", encoding="utf-8")
    again = sync_sources(session_factory, settings, NOW)
    assert not again.skipped and again.added == (A,) and again.disabled == ()


def test_feeds_disable_enable_sync_and_list_json(
    db_url: str, sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setenv("RUDPRK_DATABASE_URL", db_url)
    monkeypatch.setenv("RUDPRK_SOURCES", str(sources))
    monkeypatch.setenv("RUDPRK_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    def feeds(*args: str) -> tuple[int, str]:
        result = runner.invoke(feeds_app, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    code, out = feeds("sync")
    assert code == 0 and out.startswith("sources file: 2 added") and f"  added: {A}" in out
    assert feeds("sync")[1].strip() == "sources file unchanged since the last synchronisation"
    assert feeds("disable", B) == (0, f"disabled {B}\n")
    assert feeds("disable", C)[0] == 1
    code, out = feeds("sync", "--force")
    assert code == 0 and "0 enabled again" in out
    listed = json.loads(feeds("list", "--json")[1])
    by_url = {item["url"]: item for item in listed}
    assert by_url[B]["enabled"] is False and by_url[B]["disabled_reason"] == DISABLED_BY_OPERATOR
    assert by_url[B]["next_check_at"] is None
    assert by_url[A]["enabled"] is True and by_url[A]["articles"] == 0
    assert set(by_url[A]) >= {"name", "language", "error_count", "last_error", "entries_seen"}
    assert feeds("enable", B) == (0, f"enabled {B}\n")
    assert all(item["enabled"] for item in json.loads(feeds("list", "--json")[1]))
