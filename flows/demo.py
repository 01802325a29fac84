"""``rudprk demo``: the whole pipeline offline.

Sample feeds are served from a loopback HTTP server, alerts go to a loopback SMTP server (aiosmtpd)
and are printed as they arrive; a second pass then shows that nothing is sent twice.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from flows.loopback import LoopbackServer
from flows.pipeline import PassSummary, run_pass
from flows.samples import build_documents, write_sources
from flows.settings import Settings

DEMO_HTTP_PORT = 8765


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


@dataclass
class CollectingHandler:
    """aiosmtpd handler that keeps every message it receives and calls ``on_message``."""

    on_message: Callable[[EmailMessage], None] | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)
        return "250 Message accepted for delivery"


class LoopbackSMTP:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) with a free port."""

    def __init__(self, on_message: Callable[[EmailMessage], None] | None = None) -> None:
        self.handler = CollectingHandler(on_message)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def __enter__(self) -> LoopbackSMTP:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def describe_message(message: EmailMessage) -> str:
    return (
        f"  ✉ {message['Subject']}\n"
        f"    kind={message['X-Rudprk-Alert-Kind']} type={message['X-Rudprk-Event-Type']} "
        f"event={message['X-Rudprk-Event-Id']} message-id={message['Message-ID']}"
    )


def demo_settings(base: Settings, data_dir: Path, sources: Path, smtp_port: int) -> Settings:
    return replace(
        base,
        database_url=f"sqlite:///{data_dir / 'demo.sqlite3'}",
        database_password=None,
        sources_path=sources,
        data_dir=data_dir,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_tls="none",
        smtp_user=None,
        smtp_password=None,
        alert_to=("analysts@demo.invalid",),
        timeout_seconds=10.0,
    )


def run_demo(
    base: Settings,
    *,
    data_dir: Path,
    database_url: str | None = None,
    echo: Callable[[str], None] = print,
) -> tuple[PassSummary, PassSummary, list[EmailMessage]]:
    """Run two passes against the sample feeds; returns both summaries and the e-mails received."""
    now = datetime.now(UTC)
    port = DEMO_HTTP_PORT if port_is_free(DEMO_HTTP_PORT) else 0
    http = LoopbackServer({}, port=port)
    http.set_documents(build_documents(http.base_url, now))
    sources = write_sources(data_dir / "demo-sources.toml", http.base_url)
    with http, LoopbackSMTP(lambda m: echo(describe_message(m))) as smtp:
        settings = demo_settings(base, data_dir, sources, smtp.port)
        if database_url:
            settings = replace(settings, database_url=database_url, database_password=None)
        echo(f"Sample feeds on {http.base_url}/feeds/, SMTP on 127.0.0.1:{smtp.port}")
        echo(f"Database: {settings.database_url}")
        echo("Pass 1 …")
        first = run_pass(settings)
        echo(f"Pass 1: {first.line()}")
        echo("Pass 2 (every feed fetched again) …")
        second = run_pass(settings, force=True)
        echo(f"Pass 2: {second.line()}")
        received = list(smtp.messages)
    if second.alerts_sent == 0:
        echo("Nothing was sent twice.")
    return first, second, received
