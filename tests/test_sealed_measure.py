"""bench/sealed.py prints a sealed set's aggregate figures and nothing of its items."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOLDOUT = ROOT / "alerts" / "detection" / "corpus" / "labelled_holdout.jsonl"


def test_sealed_measure_prints_aggregates_only(tmp_path: Path) -> None:
    sealed = tmp_path / "X.jsonl.gz"
    sealed.write_bytes(gzip.compress(HOLDOUT.read_bytes()))
    log = tmp_path / "log.jsonl"
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "sealed.py"),
            str(sealed),
            "--label",
            "t",
            "--log",
            str(log),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    items = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines() if line]
    assert f"items {len(items)}" in out
    assert "alert     P" in out
    for item in items:
        assert item["id"] not in out
        if item.get("title"):
            assert item["title"] not in out
    row = json.loads(log.read_text(encoding="utf-8"))
    assert row["label"] == "t" and "misses" not in row
    assert row["items"] == len(items)


def test_sealed_measure_names_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(gzip.compress(b"{not json\n"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "sealed.py"), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "cannot measure" in done.stderr
    assert "Traceback" not in done.stderr
