"""A real SMTP server on loopback for tests: aiosmtpd's ``Controller`` in a thread.

``Controller(port=0)`` cannot be used (its readiness probe connects to port 0), so a free port is
picked first. The handler keeps every envelope and its parsed message, and can reject messages
(an SMTP reply such as ``550 …``) chosen by a predicate.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def tls_contexts(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1/localhost: (server context, client context that
    trusts only it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rudprk test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


@dataclass(frozen=True)
class Received:
    peer: tuple[str, int]  # the client's address: one per SMTP connection
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message: EmailMessage


class RecordingHandler:
    """Stores what arrives; ``reject(message)`` returning a reply string refuses that message."""

    def __init__(self, reject: Callable[[EmailMessage], str | None] | None = None) -> None:
        self.reject = reject
        self.received: list[Received] = []
        self.rejected: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = bytes(envelope.original_content or envelope.content)
        parsed = BytesParser(policy=policy.default).parsebytes(data)
        assert isinstance(parsed, EmailMessage)
        reply = self.reject(parsed) if self.reject else None
        if reply:
            self.rejected.append(parsed)
            return reply
        self.received.append(
            Received(
                peer=tuple(session.peer[:2]),
                mail_from=str(envelope.mail_from),
                rcpt_tos=[str(r) for r in envelope.rcpt_tos],
                data=data,
                message=parsed,
            )
        )
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    @property
    def connections(self) -> int:
        """How many distinct SMTP connections delivered the received messages."""
        return len({r.peer for r in self.received})


class SMTPTestServer:
    """A started aiosmtpd server on 127.0.0.1 and a free port; ``restart`` keeps the port."""

    def __init__(
        self,
        handler: RecordingHandler,
        port: int | None = None,
        *,
        smtputf8: bool = True,
        credentials: tuple[str, str] | None = None,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = handler
        self.host = HOST
        self.port = port or free_port()
        self.smtputf8 = smtputf8  # whether the server offers the SMTPUTF8 extension
        # With credentials, AUTH (PLAIN/LOGIN, allowed without TLS on loopback) is required.
        self.credentials = credentials
        self.starttls = starttls  # offer (and require) STARTTLS with this context
        self.implicit_tls = implicit_tls  # TLS from the first byte (SMTPS) with this context
        self._controller: Controller | None = None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False, handled=False)
        given = (auth_data.login.decode(), auth_data.password.decode())
        # handled=False: aiosmtpd itself answers 535 on failure (True would leave the client waiting)
        return AuthResult(success=given == self.credentials, handled=False)

    def start(self) -> Self:
        options: dict[str, Any] = {}
        if self.starttls is not None:
            options |= {"tls_context": self.starttls, "require_starttls": True}
        if self.implicit_tls is not None:
            options |= {"ssl_context": self.implicit_tls}
        if self.credentials is not None:
            options |= {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        controller = Controller(
            self.handler,
            hostname=self.host,
            port=self.port,
            enable_SMTPUTF8=self.smtputf8,
            **options,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def running_smtp_server(
    reject: Callable[[EmailMessage], str | None] | None = None,
) -> Iterator[SMTPTestServer]:
    with SMTPTestServer(RecordingHandler(reject)) as server:
        yield server
