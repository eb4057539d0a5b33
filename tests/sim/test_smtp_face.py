"""The aiosmtpd front end: handler hooks in-process, and random input that must never crash it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Iterator

import pytest
from aiosmtpd.smtp import Envelope, Session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.exceptions import SimError
from kb.sim.config import load_org
from kb.sim.serve import Bound, SimServer
from kb.sim.ims.smtp_face import ImsSmtpHandler


def _session(peer: str = "192.0.2.7") -> Session:
    session = Session(loop=None)  # type: ignore[arg-type]
    session.peer = (peer, 40000)
    session.host_name = "mail.example.net"
    return session


def test_the_handler_hooks_drive_the_modelled_inbound_path_without_sockets() -> None:
    org = load_org("Exchange Server 5.5 SP3")
    handler = ImsSmtpHandler(org, threading.Lock())
    session, envelope = _session(), Envelope()

    async def dialogue() -> list[str]:
        replies = [await handler.handle_MAIL(None, session, envelope, "someone@example.net", [])]  # type: ignore[arg-type]
        replies.append(await handler.handle_RCPT(None, session, envelope, "victim@elsewhere.example", []))  # type: ignore[arg-type]
        replies.append(await handler.handle_RCPT(None, session, envelope, "alice@contoso.com", []))  # type: ignore[arg-type]
        envelope.original_content = b"Subject: hooks\r\n\r\nbody\r\n"
        replies.append(await handler.handle_DATA(None, session, envelope))  # type: ignore[arg-type]
        return replies

    replies = asyncio.run(dialogue())
    assert replies[0].startswith("250 ")
    assert replies[1] == "550 Relaying is prohibited"
    assert replies[2].startswith("250 ")
    assert replies[3].startswith("250 ") and replies[3].endswith("Message accepted for delivery")
    assert envelope.rcpt_tos == ["alice@contoso.com"]
    assert [m.subject for m in org.client("alice").inbox()] == ["hooks"]


def test_the_handler_hooks_answer_421_without_touching_the_model_while_the_ims_is_stopped() -> None:
    org = load_org("Exchange Server 5.5 SP3")
    org.ims.stop()
    handler = ImsSmtpHandler(org, threading.Lock())
    session, envelope = _session(), Envelope()
    reply = asyncio.run(handler.handle_MAIL(None, session, envelope, "someone@example.net", []))  # type: ignore[arg-type]
    assert reply == "421 exch01.contoso.com Service not available, closing transmission channel"
    assert envelope.mail_from is None and org.ims.protocol_log.sessions == []


@pytest.fixture(scope="module")
def server() -> Iterator[Bound]:
    with SimServer(load_org("Exchange Server 5.5 SP3"), ("127.0.0.1", 0), ("127.0.0.1", 0)).running() as bound:
        yield bound
    assert not any(t.name == "kb-sim-serve" and t.is_alive() for t in threading.enumerate())


def _talk(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(0.3)
        received = b""
        try:
            received += sock.recv(4096)
            sock.sendall(payload)
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (socket.timeout, ConnectionError):
            pass
        return received


def _healthy(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        banner = sock.recv(4096)
        sock.sendall(b"NOOP\r\n")
        reply = sock.recv(4096)
    return banner.startswith(b"220 ") and reply.startswith(b"250")


COMMANDS = st.sampled_from([b"HELO", b"EHLO", b"MAIL FROM:", b"RCPT TO:", b"DATA", b"RSET", b"NOOP", b"VRFY", b"AUTH", b"."])
LINE = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda c, arg: c + b" " + arg, COMMANDS, st.binary(max_size=200)),
    st.builds(lambda c, a: c + b"<" + a + b">", COMMANDS, st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass"))),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINE, max_size=12), terminator=st.sampled_from([b"\r\n", b"\n", b"\r", b""]))
def test_random_smtp_input_never_crashes_the_server(server: Bound, lines: list[bytes], terminator: bytes) -> None:
    answer = _talk(server.smtp[1], terminator.join(lines) + terminator)
    assert answer.startswith(b"220 ")
    for line in answer.split(b"\r\n")[1:]:
        if line:
            assert line[:3].isdigit(), line
    assert _healthy(server.smtp[1])


def test_an_overlong_line_and_a_huge_message_are_refused_not_fatal(server: Bound) -> None:
    answer = _talk(server.smtp[1], b"EHLO " + b"x" * 5000 + b"\r\n")
    assert b"500" in answer
    assert _healthy(server.smtp[1])


def test_a_server_that_cannot_listen_raises_its_error_instead_of_hanging(server: Bound) -> None:
    busy = SimServer(load_org("Exchange Server 5.5 SP3"), server.smtp, ("127.0.0.1", 0))
    with pytest.raises(SimError, match=f"cannot listen for SMTP on 127.0.0.1:{server.smtp[1]}"):
        with busy.running(timeout=10):
            pass
