"""Opt-in: every file of ``../shared/corpus/hostile`` as a feed of a real ``rudprk run``.

The files (XML bombs, block pages, truncated and mis-encoded feeds, binary accidents...) are
served on loopback with the headers their comments ask for, all in one pass, through harvest,
analysis and delivery. The pass ends normally with no traceback; each feed that fails has one
clear line (never "internal error"); every entry of each feed that parses is stored (under its
feed, or as the copy of an article already stored); the database passes the integrity check.
In long mode a second pass over the same bytes stores and sends nothing more. ``MANIFEST.md`` lists every file.

Skipped when ``../shared`` is absent (it is not part of the repository).
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from harness import LONG, TrialSMTP, pass_env, run_pass_process
from httpserver import LoopbackServer
from integrity import assert_integrity
from test_harvest import corpus_reply

from flows.ingest.errors import ParseError
from flows.ingest.parse import parse_feed
from flows.ingest.urls import canonicalize_url

HOSTILE = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "hostile"

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.shared,
    pytest.mark.timeout(600),
    pytest.mark.skipif(not HOSTILE.is_dir(), reason="../shared corpus is absent"),
]

MANIFEST_PATH = re.compile(r"^\| `([^`]+)`", re.MULTILINE)


def corpus_files(*, readmes: bool = False) -> list[Path]:
    """The corpus's files (without MANIFEST.md; without the READMEs unless ``readmes``)."""
    skipped = {"MANIFEST.md"} | (set() if readmes else {"README", "README.md"})
    return sorted(p for p in HOSTILE.rglob("*") if p.is_file() and p.name not in skipped)


def test_the_manifest_lists_every_file() -> None:
    rows = MANIFEST_PATH.findall((HOSTILE / "MANIFEST.md").read_text(encoding="utf-8"))
    listed = {row for row in rows if not row.startswith("../")}  # rows about ../feeds
    present = {str(p.relative_to(HOSTILE)) for p in corpus_files(readmes=True)}
    assert listed, "no file rows in MANIFEST.md"
    assert present - listed == set(), "files without a manifest row"
    assert listed - present == set(), "manifest rows without a file"


def test_every_hostile_file_goes_through_a_real_pass(tmp_path: Path) -> None:
    files = corpus_files()
    db = tmp_path / "rudprk.sqlite3"
    url = f"sqlite:///{db}"
    with LoopbackServer() as server, TrialSMTP() as smtp:
        by_url: dict[str, Path] = {}
        lines = []
        for n, path in enumerate(files):
            route = f"/hostile/{n}{path.suffix.lower()}"
            server.routes[route] = corpus_reply(path)
            by_url[server.url(route)] = path
            lines.append(f'[[feeds]]\nname = "hostile {n}"\nurl = "{server.url(route)}"\n')
        sources = tmp_path / "sources.toml"
        sources.write_text("\n".join(lines), encoding="utf-8")
        env = pass_env(url, sources, tmp_path / "data", smtp.port, RUDPRK_FETCH_ARTICLES="0")

        first = run_pass_process(env, tmp_path)
        assert "Traceback" not in first.stderr, first.stderr[-3000:]
        assert first.returncode == 0, first.stderr[-3000:]  # single failing feeds are reported
        summary = first.summary
        assert summary["feeds"] == len(files), summary
        assert summary["feeds_failed"] == len(summary["failed_feeds"]) > 0

        with sqlite3.connect(db) as conn:
            feeds = conn.execute("SELECT id, url, last_error FROM feeds").fetchall()
            stored = conn.execute(
                "SELECT feed_id, guid, canonical_url, title FROM articles"
            ).fetchall()
        assert len(feeds) == len(files)
        guids = {(feed_id, guid) for feed_id, guid, _, _ in stored}
        urls = {c for _, _, c, _ in stored if c}
        titles = {t for _, _, _, t in stored}
        for feed_id, feed_url, error in feeds:
            path = by_url[feed_url]
            if error is not None:
                assert "\n" not in error and error.strip() == error and error, (path, error)
                assert not error.startswith("internal error"), (path, error)
            reply = corpus_reply(path)
            try:
                parsed = parse_feed(
                    reply.body,
                    url=feed_url,
                    headers={"Content-Type": reply.content_type or "", **reply.headers},
                    max_entries=200,
                    now=datetime.now(UTC),
                )
            except ParseError:
                assert error is not None, path  # what cannot be parsed fails with its line
                continue
            for entry in parsed.entries:
                kept = (
                    (feed_id, entry.guid) in guids
                    or (entry.link is not None and canonicalize_url(entry.link) in urls)
                    or entry.title in titles
                )
                assert kept, (path.relative_to(HOSTILE), entry.guid, entry.title)

        if LONG:  # the same bytes again: nothing more stored, nothing sent twice
            second = run_pass_process(env, tmp_path, "--force")
            assert "Traceback" not in second.stderr, second.stderr[-3000:]
            with sqlite3.connect(db) as conn:
                assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(stored)
            assert json.loads(second.stdout)["alerts_sent"] == 0
        assert len(smtp.accepted) == len(set(smtp.accepted))
    assert_integrity(url)
