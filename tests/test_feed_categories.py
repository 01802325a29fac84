"""Feed categories through ``rudprk feeds import`` and ``export`` on a real database (both
backends), and the ``feeds.category`` column (migration 0080)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from flows.feeds_cli import feeds_app
from flows.ingest.opml import read_opml
from storage.feeds import list_feeds
from storage.migrate import downgrade_database, head_revision, upgrade_database
from storage.views import V_FEED_HEALTH

SUBSCRIPTIONS = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Mine</title></head><body>
  <outline text="Korea">
    <outline type="rss" text="Seoul desk" xmlUrl="https://seoul.test/rss" language="ko"/>
    <outline text="Wires">
      <outline type="rss" text="Wire one" xmlUrl="https://wire1.test/rss"/>
    </outline>
  </outline>
  <outline type="rss" text="Tagged" xmlUrl="https://tagged.test/rss" category="/Russia/Press"/>
  <outline type="rss" text="Loose" xmlUrl="https://loose.test/rss"/>
</body></opml>"""

EXPECTED = {
    "https://seoul.test/rss": "Korea",
    "https://wire1.test/rss": "Korea/Wires",
    "https://tagged.test/rss": "Russia/Press",
    "https://loose.test/rss": None,
}


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("RUDPRK_DATABASE_URL", db_url)
    monkeypatch.setenv("RUDPRK_DATA_DIR", str(tmp_path / "data"))
    yield CliRunner()


def test_import_keeps_categories_and_export_writes_them_back(
    cli: CliRunner, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    source = tmp_path / "mine.opml"
    source.write_bytes(SUBSCRIPTIONS)
    imported = cli.invoke(feeds_app, ["import", str(source)], catch_exceptions=False)
    assert imported.exit_code == 0, imported.output
    with session_factory() as session:
        assert {f.url: f.category for f in list_feeds(session)} == EXPECTED
    out = tmp_path / "export.opml"
    exported = cli.invoke(feeds_app, ["export", "--output", str(out)], catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    document = out.read_bytes()
    assert {f.url: f.category for f in read_opml(document)} == EXPECTED
    body = ET.fromstring(document).find("body")
    assert body is not None
    folders = {o.get("text"): o for o in body.findall("outline") if o.get("xmlUrl") is None}
    assert set(folders) == {"Korea", "Russia"}
    wires = folders["Korea"].find("outline[@text='Wires']")
    assert wires is not None
    assert [o.get("xmlUrl") for o in wires.findall("outline")] == ["https://wire1.test/rss"]
    # a second import of the export changes nothing
    again = cli.invoke(feeds_app, ["import", str(out)], catch_exceptions=False)
    assert "imported 0 new feed(s), 4 already present" in again.output


def test_the_category_migration_goes_down_and_up(engine: Engine) -> None:
    def columns(table: str) -> list[str]:
        return [c["name"] for c in inspect(engine).get_columns(table)]

    assert "category" in columns("feeds")
    assert downgrade_database(engine, "0070") == "0070"
    assert "category" not in columns("feeds")
    assert columns("v_feed_health") == list(V_FEED_HEALTH.column_names)  # rebuilt, still there
    assert upgrade_database(engine) == head_revision()
    assert "category" in columns("feeds")
