"""Mailers against a real SMTP server on loopback, and the outbox folder."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from smtpserver import (
    RecordingHandler,
    SMTPTestServer,
    free_port,
    running_smtp_server,
    tls_contexts,
)

from alerts.errors import ChannelUnavailableError, DeliveryError
from alerts.mailer import OutboxDirMailer, SMTPMailer, outbox_file_name

SENDER = "rudprk <alerts@rudprk.test>"
RECIPIENTS = ["analyst@rudprk.test", "desk@rudprk.test"]


def _message(n: int, subject: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject or f"[rudprk] test message {n} — Курск"
    msg["From"] = SENDER
    msg["To"] = ", ".join(RECIPIENTS)
    msg["Message-ID"] = f"<test.{n}@rudprk.test>"
    msg["X-Rudprk-Alert-Id"] = str(n)
    msg.set_content(f"Body {n}: 12 000 soldats envoyés à Koursk.\n", charset="utf-8")
    msg.add_alternative(f"<p>Body {n}</p>\n", subtype="html", charset="utf-8")
    return msg


def test_sends_a_batch_over_one_connection() -> None:
    with running_smtp_server() as server:
        mailer = SMTPMailer(server.host, server.port)
        with mailer:
            for n in range(1, 4):
                mailer.send(_message(n))
        handler = server.handler
        assert [m["Message-ID"] for m in handler.messages] == [
            "<test.1@rudprk.test>",
            "<test.2@rudprk.test>",
            "<test.3@rudprk.test>",
        ]
        assert handler.connections == 1
        assert mailer.connections_opened == 1
        first = handler.received[0]
        assert first.rcpt_tos == RECIPIENTS
        assert first.mail_from == "alerts@rudprk.test"
        assert first.message["Subject"] == "[rudprk] test message 1 — Курск"
        body = first.message.get_body(("plain",))
        assert body is not None
        assert "12 000 soldats envoyés à Koursk" in body.get_content()


def test_connection_refused_is_channel_unavailable() -> None:
    port = free_port()  # nothing listens there
    mailer = SMTPMailer("127.0.0.1", port, timeout=5)
    with pytest.raises(ChannelUnavailableError, match=f"127.0.0.1:{port}"), mailer:
        pass


def test_rejected_message_raises_delivery_error_and_the_next_one_goes() -> None:
    def reject(msg: EmailMessage) -> str | None:
        return "550 5.7.1 Message refused by policy" if "2" in str(msg["Subject"]) else None

    with running_smtp_server(reject) as server:
        with SMTPMailer(server.host, server.port) as mailer:
            mailer.send(_message(1))
            with pytest.raises(DeliveryError, match=r"550 5\.7\.1 Message refused") as info:
                mailer.send(_message(2))
            assert not isinstance(info.value, ChannelUnavailableError)
            mailer.send(_message(3))
        assert [m["Message-ID"] for m in server.handler.messages] == [
            "<test.1@rudprk.test>",
            "<test.3@rudprk.test>",
        ]
        assert len(server.handler.rejected) == 1
        assert server.handler.connections == 1


def test_a_message_the_server_cannot_take_is_a_message_error_not_a_lost_channel() -> None:
    # a server without SMTPUTF8: smtplib itself refuses a non-ASCII address
    odd = _message(2)
    odd.replace_header("To", "аналитик@пример.test")
    with SMTPTestServer(RecordingHandler(), smtputf8=False) as server:
        with SMTPMailer(server.host, server.port) as mailer:
            with pytest.raises(DeliveryError, match="SMTPUTF8") as info:
                mailer.send(odd)
            assert not isinstance(info.value, ChannelUnavailableError)
            mailer.send(_message(3))
        assert [m["Message-ID"] for m in server.handler.messages] == ["<test.3@rudprk.test>"]
        assert mailer.connections_opened == 1


def test_send_outside_the_with_block_is_refused() -> None:
    with pytest.raises(DeliveryError, match="outside its 'with' block"):
        SMTPMailer("127.0.0.1", 25).send(_message(1))


def test_reconnects_once_when_the_server_dropped_the_connection() -> None:
    with running_smtp_server() as server:
        mailer = SMTPMailer(server.host, server.port)
        with mailer:
            mailer.send(_message(1))
            server.restart()  # the open connection dies; the port stays
            mailer.send(_message(2))
        assert [m["Message-ID"] for m in server.handler.messages] == [
            "<test.1@rudprk.test>",
            "<test.2@rudprk.test>",
        ]
        assert mailer.connections_opened == 2


def test_server_gone_mid_batch_is_channel_unavailable() -> None:
    server = SMTPTestServer(RecordingHandler()).start()
    try:
        mailer = SMTPMailer(server.host, server.port, timeout=5)
        with mailer:
            mailer.send(_message(1))
            server.stop()
            with pytest.raises(ChannelUnavailableError):
                mailer.send(_message(2))
        assert len(server.handler.messages) == 1
    finally:
        server.stop()


AUTH_WITHOUT_TLS = "ignore:Requiring AUTH while not requiring TLS"  # loopback only


@pytest.mark.filterwarnings(AUTH_WITHOUT_TLS)
def test_logs_in_when_a_user_is_given() -> None:
    with SMTPTestServer(RecordingHandler(), credentials=("rudprk", "s3cret")) as server:
        with SMTPMailer(server.host, server.port, user="rudprk", password="s3cret") as mailer:
            mailer.send(_message(1))
        assert len(server.handler.messages) == 1
        # without logging in, the server refuses the message
        with (
            SMTPMailer(server.host, server.port) as anonymous,
            pytest.raises(DeliveryError, match="530") as info,
        ):
            anonymous.send(_message(2))
        assert not isinstance(info.value, ChannelUnavailableError)
        assert len(server.handler.messages) == 1


@pytest.mark.filterwarnings(AUTH_WITHOUT_TLS)
def test_refused_login_is_channel_unavailable_and_names_the_user() -> None:
    with SMTPTestServer(RecordingHandler(), credentials=("rudprk", "s3cret")) as server:
        mailer = SMTPMailer(server.host, server.port, user="rudprk", password="wrong", timeout=5)
        with pytest.raises(
            ChannelUnavailableError, match=r"login .* as 'rudprk' refused: 535"
        ) as info:
            mailer.__enter__()
        assert "wrong" not in str(info.value)


@pytest.mark.filterwarnings(AUTH_WITHOUT_TLS)
def test_starttls_then_login(tmp_path: Path) -> None:
    server_ctx, client_ctx = tls_contexts(tmp_path)
    handler = RecordingHandler()
    with SMTPTestServer(handler, starttls=server_ctx, credentials=("rudprk", "s3cret")) as server:
        mailer = SMTPMailer(
            server.host,
            server.port,
            tls="starttls",
            user="rudprk",
            password="s3cret",
            ssl_context=client_ctx,
        )
        with mailer:
            mailer.send(_message(1))
            mailer.send(_message(2))
        assert len(handler.messages) == 2 and handler.connections == 1


def test_implicit_tls(tmp_path: Path) -> None:
    server_ctx, client_ctx = tls_contexts(tmp_path)
    with SMTPTestServer(RecordingHandler(), implicit_tls=server_ctx) as server:
        with SMTPMailer(server.host, server.port, tls="ssl", ssl_context=client_ctx) as mailer:
            mailer.send(_message(1))
        assert [m["Message-ID"] for m in server.handler.messages] == ["<test.1@rudprk.test>"]


def test_untrusted_certificate_is_channel_unavailable(tmp_path: Path) -> None:
    server_ctx, _ = tls_contexts(tmp_path)
    with SMTPTestServer(RecordingHandler(), starttls=server_ctx) as server:
        # the default context trusts the system's CAs only, not this self-signed certificate
        mailer = SMTPMailer(server.host, server.port, tls="starttls", timeout=5)
        with pytest.raises(ChannelUnavailableError, match="CERTIFICATE_VERIFY_FAILED"):
            mailer.__enter__()
        assert server.handler.messages == []


def test_unknown_tls_mode_is_refused() -> None:
    with pytest.raises(DeliveryError, match="unknown SMTP TLS mode 'tls'"):
        SMTPMailer("127.0.0.1", 25, tls="tls")


def test_password_is_not_in_repr() -> None:
    mailer = SMTPMailer("smtp.test", 587, tls="starttls", user="u", password="s3cret")
    assert "s3cret" not in repr(mailer)


def test_outbox_dir_writes_valid_eml_files(tmp_path: Path) -> None:
    outbox = tmp_path / "data" / "outbox"
    mailer = OutboxDirMailer(outbox)
    assert mailer.channel == "file"
    with mailer:
        paths = [mailer.send(_message(n)) for n in (1, 2)]
    assert sorted(outbox.iterdir()) == sorted(paths)
    assert [p.name.endswith(f"-alert-{n}.eml") for n, p in zip((1, 2), paths, strict=True)] == [
        True,
        True,
    ]
    parsed = BytesParser(policy=policy.default).parsebytes(paths[0].read_bytes())
    assert parsed["Message-ID"] == "<test.1@rudprk.test>"
    assert parsed["Subject"] == "[rudprk] test message 1 — Курск"
    assert parsed.is_multipart()
    assert not [p for p in outbox.iterdir() if p.name.startswith(".tmp-")]


def test_outbox_file_names_sort_by_time_and_fall_back_to_message_id() -> None:
    msg = _message(5)
    del msg["X-Rudprk-Alert-Id"]
    msg.replace_header("Message-ID", "<rudprk.ab/../cd@rudprk.test>")
    early = outbox_file_name(msg, datetime(2026, 11, 20, 9, 5, 1, 7, tzinfo=UTC))
    late = outbox_file_name(msg, datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    assert early == "20261120T090501000007Z-rudprk.ab-..-cd.eml"
    assert early < late
    assert "/" not in early


def test_outbox_dir_that_cannot_be_created_is_channel_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ChannelUnavailableError, match="cannot create outbox folder"):
        OutboxDirMailer(blocker / "outbox").__enter__()
