"""The reliability suite's shared harness.

* :class:`TrialSMTP`: a real SMTP server on loopback (aiosmtpd) that records what it accepted
  (Message-ID by Message-ID), can refuse (``451``/``550``) or be slow, and carries out a
  :class:`KillPlan` against the process that talks to it.
* :class:`KillPlan`: a seeded kill point — SIGKILL at a random moment of the pass, or just
  before or just after the server acknowledges the ``k``-th message's ``DATA``.
* :func:`pass_process` / :func:`run_pass_process`: ``rudprk run --json`` as a real subprocess
  with an isolated environment; :func:`forked_pass` / :func:`run_forked_pass`: the same command
  in a process forked from a server that has already imported the pipeline (a real process that
  SIGKILL ends, without paying the interpreter's start and the imports on every trial).
* :func:`fresh_database`: an empty database on each backend (SQLite file, or a new PostgreSQL
  schema) that the caller may migrate or leave empty.
* :mod:`integrity` (beside this file): the database integrity check.

Modes: quick by default (run by ``make check``: 50 kill trials on SQLite, 10 on PostgreSQL),
long with ``RUDPRK_RELIABILITY=long`` (200 and 40, more examples and mutations);
``RUDPRK_RELIABILITY_SEED`` changes the seeds.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from sqlalchemy import text

from storage.engine import create_db_engine

HOST = "127.0.0.1"
LONG = os.environ.get("RUDPRK_RELIABILITY", "").strip().lower() == "long"
BASE_SEED = int(os.environ.get("RUDPRK_RELIABILITY_SEED", "1913"))
PG_URL = os.environ.get("RUDPRK_TEST_DATABASE_URL")


def trials(quick: int, long: int) -> int:
    return long if LONG else quick


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# --- kill plans ---------------------------------------------------------------------------

KillMode = Literal["none", "time", "before_ack", "after_ack"]


@dataclass(frozen=True)
class KillPlan:
    """Where a trial SIGKILLs the pass: at ``at_seconds`` after it started (``time``), or at the
    ``message``-th DATA, before the server's ``250`` (``before_ack``) or ``delay`` seconds after
    it (``after_ack``: the window in which the message is delivered but not yet marked)."""

    seed: int
    mode: KillMode
    message: int = 0
    at_seconds: float = 0.0
    delay: float = 0.0

    @classmethod
    def draw(cls, seed: int, *, messages: int, pass_seconds: float) -> KillPlan:
        rng = random.Random(seed)
        mode = rng.choices(["time", "before_ack", "after_ack"], weights=[2, 1, 2])[0]
        if mode == "time":
            return cls(seed, "time", at_seconds=rng.uniform(0.05, pass_seconds))
        return cls(
            seed,
            mode,  # type: ignore[arg-type]
            message=rng.randint(1, messages),
            delay=rng.uniform(0.0, 0.01) if mode == "after_ack" else 0.0,
        )

    def describe(self) -> str:
        if self.mode == "time":
            return f"seed {self.seed}: SIGKILL {self.at_seconds:.3f}s into the pass"
        if self.mode == "none":
            return f"seed {self.seed}: no kill"
        when = "before" if self.mode == "before_ack" else f"{self.delay * 1000:.1f} ms after"
        return f"seed {self.seed}: SIGKILL {when} the server acknowledged message {self.message}"


# --- SMTP -------------------------------------------------------------------------------


class _Handler:
    def __init__(self, owner: TrialSMTP) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return await self.owner.on_data(bytes(envelope.original_content or envelope.content))


@dataclass
class TrialSMTP:
    """A loopback SMTP server that records accepted Message-IDs and can refuse, stall or kill."""

    port: int = field(default_factory=free_port)
    reply: Callable[[int, Any], str | None] | None = None  # (n, message) → refusal or None
    delay: float = 0.0  # seconds before answering each DATA
    on_message: Callable[[int], None] | None = None  # called (n) before answering
    accepted: list[str] = field(default_factory=list)
    seen: int = 0
    plan: KillPlan | None = None
    pid: int | None = None
    killed_at: str | None = None  # when the kill was sent, relative to the ack
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def kill(self, why: str) -> None:
        with self._lock:
            if self.pid is not None and self.killed_at is None:
                self.killed_at = why
                with suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)

    async def on_data(self, data: bytes) -> str:
        message = message_from_bytes(data, policy=policy.default)
        with self._lock:
            self.seen += 1
            n = self.seen
        if self.on_message is not None:
            self.on_message(n)
        if self.delay:
            await asyncio.sleep(self.delay)
        plan = self.plan
        if plan is not None and plan.mode == "before_ack" and n == plan.message:
            self.kill("before ack")
            return "451 4.3.0 The client was killed before this answer"
        refusal = self.reply(n, message) if self.reply else None
        if refusal:
            return refusal
        self.accepted.append(str(message["Message-ID"]))
        if plan is not None and plan.mode == "after_ack" and n == plan.message:
            threading.Timer(plan.delay, self.kill, args=("after ack",)).start()
        return "250 Message accepted for delivery"

    def counts(self) -> Counter[str]:
        return Counter(self.accepted)

    def start(self) -> TrialSMTP:
        self._controller = Controller(_Handler(self), hostname=HOST, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> TrialSMTP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- subprocess passes ----------------------------------------------------------------------


def pass_env(
    database_url: str,
    sources: Path,
    data_dir: Path,
    smtp_port: int | None,
    **extra: str,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUDPRK_")}
    env.update(
        {
            "RUDPRK_DATABASE_URL": database_url,
            "RUDPRK_SOURCES": str(sources),
            "RUDPRK_DATA_DIR": str(data_dir),
            "RUDPRK_ALERT_TO": "desk@example.org",
            "RUDPRK_DIGEST_HOUR": "off",
            "RUDPRK_TIMEOUT_SECONDS": "5",
            "RUDPRK_LEASE_SECONDS": "1",
        }
    )
    if smtp_port is not None:
        env.update({"RUDPRK_SMTP_HOST": HOST, "RUDPRK_SMTP_PORT": str(smtp_port)})
    env.update(extra)
    return env


def pass_process(env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flows", "run", "--json", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass(frozen=True)
class PassResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))


def run_pass_process(
    env: dict[str, str], cwd: Path, *args: str, timeout: float = 180
) -> PassResult:
    proc = pass_process(env, cwd, *args)
    out, err = proc.communicate(timeout=timeout)
    return PassResult(proc.returncode, out, err)


_FORK_PRELOAD = ["forkwarm"]  # beside this file: imports and loads what a pass needs
_fork_context: Any = None


def _fork_ctx() -> Any:
    """The forkserver context, its server preloading the CLI and the pipeline (started once)."""
    global _fork_context
    if _fork_context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_FORK_PRELOAD)
        _fork_context = ctx
    return _fork_context


@contextmanager
def _preload_importable() -> Iterator[None]:
    """This folder on the forkserver's ``PYTHONPATH`` while it starts: Python 3.11's forkserver
    imports its preload modules before it applies the parent's ``sys.path``, so without it
    ``forkwarm`` fails to import (silently) and every child imports the pipeline itself."""
    before = os.environ.get("PYTHONPATH")
    here = str(Path(__file__).resolve().parent)
    os.environ["PYTHONPATH"] = here if not before else here + os.pathsep + before
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


def _forked_main(env: dict[str, str], cwd: str, argv: list[str], out: str, err: str) -> None:
    """In the forked child: the environment, folder and standard streams of a fresh process,
    then the CLI's own entry point; its exit code is the process's."""
    import io

    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    for path, fd in ((out, 1), (err, 2)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8")
    sys.argv = ["rudprk", *argv]
    from flows.cli import main

    code: int = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


class ForkedPass:
    """``rudprk run --json`` in a forked process, with :class:`subprocess.Popen`'s few methods
    the trials use (``pid``, ``returncode``, ``poll``, ``kill``, ``communicate``)."""

    def __init__(self, env: dict[str, str], cwd: Path, *args: str) -> None:
        token = uuid.uuid4().hex[:8]
        self._out = cwd / f".pass-{token}.out"
        self._err = cwd / f".pass-{token}.err"
        self._process = _fork_ctx().Process(
            target=_forked_main,
            args=(env, str(cwd), ["run", "--json", *args], str(self._out), str(self._err)),
        )
        with _preload_importable():
            self._process.start()

    @property
    def pid(self) -> int:
        return int(self._process.pid)

    @property
    def returncode(self) -> int | None:
        code = self._process.exitcode
        return None if code is None else int(code)

    def poll(self) -> int | None:
        return self.returncode

    def kill(self) -> None:
        self._process.kill()

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired("rudprk run (forked)", timeout or 0)
        texts = []
        for path in (self._out, self._err):
            try:
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
                path.unlink()
            except FileNotFoundError:
                texts.append("")
        return texts[0], texts[1]


def forked_pass(env: dict[str, str], cwd: Path, *args: str) -> ForkedPass:
    return ForkedPass(env, cwd, *args)


def run_forked_pass(env: dict[str, str], cwd: Path, *args: str, timeout: float = 180) -> PassResult:
    proc = forked_pass(env, cwd, *args)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    assert proc.returncode is not None
    return PassResult(proc.returncode, out, err)


def write_empty_sources(path: Path) -> Path:
    path.write_text("# no feeds: the pass only delivers\n", encoding="utf-8")
    return path


# --- databases ------------------------------------------------------------------------------

Backend = Literal["sqlite", "postgresql"]
BACKENDS: list[Backend] = ["sqlite"] + (["postgresql"] if PG_URL else [])  # type: ignore[list-item]


@contextmanager
def fresh_database(backend: Backend, folder: Path) -> Iterator[str]:
    """The URL of an empty database (no schema yet) on ``backend``; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'rudprk-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def wait_for_exit(proc: subprocess.Popen[str] | ForkedPass, timeout: float) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


def sleep_past_leases(seconds: float = 1.3) -> None:
    """Long enough for the 1-second leases of a killed pass (RUDPRK_LEASE_SECONDS=1) to expire."""
    time.sleep(seconds)
