"""The analyst's commands (``rudprk events|event|articles search|export|stats``) as real
processes, on the database ``rudprk demo`` leaves behind (loopback feeds and SMTP, SQLite)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.queries import AgreementStage, agreement_stage

RUDPRK = [sys.executable, "-m", "flows"]


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def rudprk(args: list[str], cwd: Path, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUDPRK_")}
    if url is not None:
        env["RUDPRK_DATABASE_URL"] = url
    return subprocess.run(
        [*RUDPRK, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    where = tmp_path_factory.mktemp("demo")
    done = rudprk(["demo"], where)
    assert done.returncode == 0, done.stdout + done.stderr
    return where, f"sqlite:///{where / 'data' / 'demo' / 'demo.sqlite3'}"


def test_events_lists_and_exports_the_demo_events(demo_db: tuple[Path, str]) -> None:
    where, url = demo_db
    listed = rudprk(["events", "--json"], where, url)
    assert listed.returncode == 0, listed.stderr
    rows = jsonl(listed.stdout)
    assert {r["event_type"] for r in rows} == {"deployment", "agreement"}
    deployment = next(r for r in rows if r["figure_high"] == 12000)
    assert deployment["place"] == "Kursk" and deployment["sources"] == 2
    only = rudprk(["events", "--type", "agreement", "--json"], where, url)
    assert [r["event_type"] for r in jsonl(only.stdout)] == ["agreement"]
    exported = rudprk(["export", "events", "--format", "csv"], where, url)
    assert exported.returncode == 0, exported.stderr
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(table) == len(rows)


def test_events_by_agreement_stage(demo_db: tuple[Path, str]) -> None:
    where, url = demo_db
    (agreement,) = jsonl(rudprk(["events", "--type", "agreement", "--json"], where, url).stdout)
    stage = agreement_stage("agreement", agreement["stage"])  # type: ignore[arg-type]
    assert stage is not None
    staged = rudprk(["events", "--stage", stage.value, "--json"], where, url)
    assert staged.returncode == 0, staged.stderr
    assert [r["id"] for r in jsonl(staged.stdout)] == [agreement["id"]]
    others = [s.value for s in AgreementStage if s is not stage]
    none = rudprk(["events", *(a for s in others for a in ("--stage", s))], where, url)
    assert none.returncode == 0 and none.stdout.strip() == "no events match"
    table = rudprk(["events", "--stage", stage.value.upper()], where, url)
    assert f"agreement ({stage.value})" in table.stdout


def test_event_shows_its_sources(demo_db: tuple[Path, str]) -> None:
    where, url = demo_db
    rows = jsonl(rudprk(["events", "--json"], where, url).stdout)
    deployment = next(r for r in rows if r["figure_high"] == 12000)
    shown = rudprk(["event", str(deployment["id"])], where, url)
    assert shown.returncode == 0, shown.stderr
    assert "sources (2 feeds, 2 articles)" in shown.stdout


def test_search_and_stats(demo_db: tuple[Path, str]) -> None:
    where, url = demo_db
    found = rudprk(["articles", "search", "soldats"], where, url)
    assert found.returncode == 0, found.stderr
    assert "[soldats]" in found.stdout
    stats = rudprk(["stats"], where, url)
    assert "alerts by status: sent 2" in stats.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["events", "--since", "zzz"], "--since: expected 30d, 12h, 2w or a date"),
        (
            ["events", "--stage", "signed", "--stage", "drafted"],
            "--stage: expected one of announced, signed, ratified, in_force, implemented, "
            "got 'drafted'",
        ),
        (["articles", "search", '"unbalanced'], "not a valid search query"),
        (["event", "999"], "no event 999"),
    ],
)
def test_mistakes_are_one_line(demo_db: tuple[Path, str], args: list[str], message: str) -> None:
    where, url = demo_db
    done = rudprk(args, where, url)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
