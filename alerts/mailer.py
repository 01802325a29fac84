"""Delivery channels: real SMTP (stdlib ``smtplib``, one connection per batch) and an outbox folder.

A mailer is a context manager: ``__enter__`` opens the channel (an SMTP connection, or the
folder), ``send`` delivers one message, ``__exit__`` closes. Errors follow
:mod:`alerts.errors`: :class:`~alerts.errors.PermanentDeliveryError` when the server refused
this message for good (a ``5xx``), :class:`~alerts.errors.TemporaryDeliveryError` when it may go
through later (a ``4xx``, a timeout, a connection lost once the message was on its way), and
:class:`~alerts.errors.ChannelUnavailableError` when the channel itself is down (no message is at
fault, and the caller should leave the rest for later). Every error carries the server's reply.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import tempfile
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from alerts.errors import (
    ChannelUnavailableError,
    DeliveryError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)

log = logging.getLogger(__name__)

TLS_MODES = ("none", "starttls", "ssl")


class Mailer(Protocol):
    channel: str

    def __enter__(self) -> Mailer: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, message: EmailMessage) -> Path | None:
        """Deliver one message; the file written, for channels that write files."""
        ...


def _smtp_reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {detail}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = []
        for rcpt, (code, text) in exc.recipients.items():
            detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
            parts.append(f"{rcpt}: {code} {detail}")
        return "all recipients refused (" + "; ".join(parts) + ")"
    return str(exc) or type(exc).__name__


class _DataTracking:
    """Remembers whether the current message reached the ``DATA`` command.

    Before ``DATA`` nothing was handed over, so a broken connection can be retried at once on a
    new one; after it the server may have taken the message, so it must not be resent blindly.
    """

    data_started = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        result: tuple[int, bytes] = super().data(msg)  # type: ignore[misc]
        return result


class _SMTP(_DataTracking, smtplib.SMTP):
    pass


class _SMTPSSL(_DataTracking, smtplib.SMTP_SSL):
    pass


class SMTPMailer:
    """Sends over one SMTP connection per batch (opened in ``__enter__``).

    ``tls``: ``none`` (plain, e.g. a local relay or Mailpit), ``starttls`` (upgrade on port 587)
    or ``ssl`` (implicit TLS, port 465). Login only when ``user`` is given. If the connection
    turns out to be dead before a message was handed over (the server dropped an idle
    connection), it reconnects once and sends that message on the new connection.
    """

    channel = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: str = "none",
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``ssl_context``: how the server's certificate is checked for ``starttls``/``ssl``
        (default: the system's trusted CAs and host-name checking)."""
        if tls not in TLS_MODES:
            raise DeliveryError(
                f"unknown SMTP TLS mode {tls!r}: expected one of {', '.join(TLS_MODES)}"
            )
        self.host = host
        self.port = port
        self.tls = tls
        self.user = user
        self._password = password
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.connections_opened = 0
        self._smtp: _SMTP | _SMTPSSL | None = None
        self._open = False

    def __repr__(self) -> str:  # never shows the password
        return f"SMTPMailer({self.host!r}, {self.port}, tls={self.tls!r}, user={self.user!r})"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _connect(self) -> _SMTP | _SMTPSSL:
        context = self.ssl_context or ssl.create_default_context()
        smtp: _SMTP | _SMTPSSL | None = None
        try:
            if self.tls == "ssl":
                smtp = _SMTPSSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = _SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo_or_helo_if_needed()
            if self.tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self._password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self._close_quietly(smtp)
            raise ChannelUnavailableError(
                f"SMTP login to {self.address} as {self.user!r} refused: {_smtp_reason(exc)}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._close_quietly(smtp)
            raise ChannelUnavailableError(
                f"cannot connect to SMTP server {self.address} (tls={self.tls}): {_smtp_reason(exc)}"
            ) from exc
        self.connections_opened += 1
        return smtp

    @staticmethod
    def _close_quietly(smtp: smtplib.SMTP | None) -> None:
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def __enter__(self) -> Self:
        if self._smtp is None:
            self._smtp = self._connect()
        self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._open = False
        smtp, self._smtp = self._smtp, None
        self._close_quietly(smtp)

    def _send_once(self, smtp: _SMTP | _SMTPSSL, message: EmailMessage) -> None:
        smtp.data_started = False
        refused = smtp.send_message(message)
        if refused:
            # Some recipients took it: resending would duplicate it for them, so it counts as sent.
            log.warning(
                "smtp recipients refused",
                extra={"message_id": message["Message-ID"], "refused": sorted(refused)},
            )

    def _message_error(self, exc: smtplib.SMTPException) -> DeliveryError:
        """The error for an SMTP failure that is not a dropped connection, by its reply code."""
        where = f"SMTP server {self.address}"
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                return PermanentDeliveryError(f"{where} refused: {_smtp_reason(exc)}")
            return TemporaryDeliveryError(f"{where} deferred: {_smtp_reason(exc)}")
        if isinstance(exc, smtplib.SMTPResponseException):
            code = exc.smtp_code
            if code == 421:
                # "Service not available, closing transmission channel": the server, not the message.
                self._drop()
                return ChannelUnavailableError(
                    f"{where} closed the connection: {_smtp_reason(exc)}"
                )
            if 500 <= code < 600:
                return PermanentDeliveryError(f"{where} rejected the message: {_smtp_reason(exc)}")
            return TemporaryDeliveryError(f"{where} deferred the message: {_smtp_reason(exc)}")
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return PermanentDeliveryError(f"{where} cannot take the message: {_smtp_reason(exc)}")
        return TemporaryDeliveryError(f"{where} cannot take the message now: {_smtp_reason(exc)}")

    def _drop(self) -> None:
        self._close_quietly(self._smtp)
        self._smtp = None

    def _lost_after_data(self, exc: BaseException) -> TemporaryDeliveryError:
        self._drop()
        return TemporaryDeliveryError(
            f"SMTP connection to {self.address} lost while the message was being sent: "
            f"{_smtp_reason(exc)} (the message may have been "
            "delivered; it will be sent again later with the same Message-ID)"
        )

    def send(self, message: EmailMessage) -> None:
        """Send one message.

        Raises :class:`PermanentDeliveryError` (5xx), :class:`TemporaryDeliveryError` (4xx,
        connection lost once ``DATA`` began) or :class:`ChannelUnavailableError` (the server
        cannot be reached again, or answered 421).
        """
        if not self._open:
            raise DeliveryError("SMTPMailer.send called outside its 'with' block")
        if self._smtp is not None:
            smtp = self._smtp
            # smtplib's errors are OSErrors too: the order of these clauses matters.
            try:
                self._send_once(smtp, message)
                return
            except smtplib.SMTPServerDisconnected as exc:
                if smtp.data_started:
                    raise self._lost_after_data(exc) from exc
                log.info("smtp reconnecting", extra={"server": self.address, "error": str(exc)})
            except smtplib.SMTPException as exc:
                raise self._message_error(exc) from exc
            except OSError as exc:  # reset, broken pipe, timeout: the connection, not the message
                if smtp.data_started:
                    raise self._lost_after_data(exc) from exc
                log.info("smtp reconnecting", extra={"server": self.address, "error": str(exc)})
            self._drop()
        self._smtp = self._connect()
        smtp = self._smtp
        try:
            self._send_once(smtp, message)
        except smtplib.SMTPServerDisconnected as exc:
            if smtp.data_started:
                raise self._lost_after_data(exc) from exc
            raise self._connection_lost(exc) from exc
        except smtplib.SMTPException as exc:
            raise self._message_error(exc) from exc
        except OSError as exc:
            if smtp.data_started:
                raise self._lost_after_data(exc) from exc
            raise self._connection_lost(exc) from exc

    def _connection_lost(self, exc: OSError) -> ChannelUnavailableError:
        self._drop()
        return ChannelUnavailableError(
            f"SMTP server {self.address} dropped the connection again: {_smtp_reason(exc)}"
        )


_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def outbox_file_name(message: EmailMessage, now: datetime) -> str:
    """``20261120T100102123456Z-alert-7.eml``: sorts by time; names the alert (or the Message-ID)."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    alert_id = str(message.get("X-Rudprk-Alert-Id", "")).strip()
    if alert_id.isdigit():
        slug = f"alert-{alert_id}"
    else:
        raw = str(message.get("Message-ID", "")).strip("<> ").split("@")[0]
        slug = _SLUG_UNSAFE.sub("-", raw).strip("-.")[:60] or "message"
    return f"{stamp}-{slug}.eml"


class OutboxDirMailer:
    """Writes each message as an ``.eml`` file in a folder, atomically (temporary file + rename).

    For machines without an SMTP relay: any mail client opens the files.
    """

    channel = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.written: list[Path] = []

    def __enter__(self) -> Self:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ChannelUnavailableError(
                f"cannot create outbox folder {self.directory}: {exc.strerror or exc}"
            ) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def send(self, message: EmailMessage) -> Path:
        data = message.as_bytes(policy=policy.SMTP)
        target = self.directory / outbox_file_name(message, datetime.now(UTC))
        tmp_name: str | None = None
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=self.directory)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except OSError as exc:
            if tmp_name is not None:
                Path(tmp_name).unlink(missing_ok=True)
            # A full disk or a permission problem an operator can fix: tried again later.
            raise TemporaryDeliveryError(f"cannot write {target}: {exc.strerror or exc}") from exc
        self.written.append(target)
        return target
