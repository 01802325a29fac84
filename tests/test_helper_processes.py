"""The pass's forked helpers (detection, parsing) die with the pass: a helper left behind by a
killed pass would hold its database connections, and with them its session and locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.predetect import can_fork_detector

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys, time
from flows.ingest.harvest import HarvestConfig, start_parse_pool
from flows.predetect import Predetection
pre = Predetection(1)
parse = start_parse_pool(HarvestConfig(user_agent="t", parse_processes_min_feeds=1), 1)
pids = list(pre._executor._processes) + list(parse._processes)
print(" ".join(map(str, pids)), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_helpers_are_killed_with_the_pass() -> None:
    if not can_fork_detector():
        pytest.skip("no forked helpers here")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, env=env, cwd=ROOT, text=True
    )
    try:
        assert proc.stdout is not None
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in pids)
    finally:
        if proc.poll() is None:
            proc.kill()
