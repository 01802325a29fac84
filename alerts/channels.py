"""Channels beyond e-mail, through Apprise URLs (Slack, Microsoft Teams, Telegram, Matrix, a
generic JSON webhook…).

An :class:`AppriseChannel` has the shape of a mailer (:class:`alerts.mailer.Mailer`), so its
deliveries go through the same outbox loop with the same guarantees: claimed under a lease,
marked sent right after the service answered, retried with back-off when it did not. The
alert's rendered e-mail is what it posts: its subject as the title, its plain text as the body.

Apprise reports a failure as ``False`` and a log line; the line is kept as the delivery's last
error and classified: a connection that could not be made is the channel being down, an HTTP
``4xx`` other than 408 and 429 is a refusal (the URL is wrong: an operator must act), anything
else is temporary. URLs carry tokens: they are never logged, stored or shown (a channel is
known by its name in the rules file).
"""

from __future__ import annotations

import logging
import re
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Self

from alerts.errors import (
    ChannelUnavailableError,
    DeliveryError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)

log = logging.getLogger(__name__)

_HTTP_CODE = re.compile(r"(?:error|code|status)[=: ]+(\d{3})\b", re.IGNORECASE)
_SUBJECT_PREFIX = "[rudprk] "
MAX_BODY = 3500  # Slack and Telegram cut long messages; the e-mail has the rest


def check_apprise_url(url: str) -> str | None:
    """Why ``url`` is not a usable Apprise URL, or ``None`` when it is."""
    import apprise

    if "://" not in url:
        return "not an Apprise URL (expected scheme://…, e.g. slack://… or json://host/path)"
    probe = apprise.Apprise()
    if not probe.add(url):
        return f"Apprise does not accept this URL (scheme {url.split('://', 1)[0]!r})"
    return None


def _classify(name: str, detail: str) -> DeliveryError:
    text = f"channel {name}: {detail or 'the service did not accept the notification'}"
    lowered = detail.lower()
    if "connection error" in lowered or "could not connect" in lowered or "timed out" in lowered:
        return ChannelUnavailableError(text)
    match = _HTTP_CODE.search(detail)
    if match:
        code = int(match.group(1))
        if 400 <= code < 500 and code not in (408, 429):
            return PermanentDeliveryError(text)
    return TemporaryDeliveryError(text)


def notification_of(message: EmailMessage) -> tuple[str, str]:
    """The title and body a chat channel shows for a rendered alert e-mail."""
    subject = str(message.get("Subject", ""))
    title = subject.removeprefix(_SUBJECT_PREFIX)
    part = message.get_body(("plain",))
    body = part.get_content() if isinstance(part, EmailMessage) else ""
    lines = body.splitlines()
    if lines and lines[0].strip() == title.strip():
        lines = lines[1:]
    text = "\n".join(lines).strip()
    if len(text) > MAX_BODY:
        text = text[: MAX_BODY - 1].rstrip() + "…"
    return title, text


class AppriseChannel:
    """Posts alerts to one Apprise URL; a mailer-shaped sender for :func:`deliver_pending`."""

    channel = "apprise"

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self._url = url
        self._client: object | None = None

    def __repr__(self) -> str:  # never shows the URL: it holds the token
        return f"AppriseChannel({self.name!r})"

    def __enter__(self) -> Self:
        import apprise

        client = apprise.Apprise()
        if not client.add(self._url):
            raise ChannelUnavailableError(f"channel {self.name}: Apprise refused its URL")
        self._client = client
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._client = None

    def send(self, message: EmailMessage) -> Path | None:
        import apprise

        client = self._client
        if not isinstance(client, apprise.Apprise):
            raise DeliveryError(f"channel {self.name} is not open")
        title, body = notification_of(message)
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
            ok = client.notify(body=body, title=title)
        if ok:
            return None
        detail = " ".join(str(captured.getvalue()).split())[:500]
        raise _classify(self.name, detail)
