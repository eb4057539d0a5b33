"""The SMTP wire speaks the simulated IMS's words, and the protocol log says what crossed the wire."""

from __future__ import annotations

import socket
from typing import Iterator

import pytest

from kb.sim.config import load_org
from kb.sim.ims.replies import catalogue
from kb.sim.org import Organisation
from kb.sim.serve import Bound, SimServer

RELEASE = "Exchange Server 5.5 SP3"


class Wire:
    """A line-by-line SMTP client on a raw socket (what an administrator types in telnet)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buffer = b""
        self.seen: list[str] = []

    def reply(self) -> list[str]:
        lines: list[str] = []
        while True:
            while b"\r\n" not in self.buffer:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return lines
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\r\n", 1)
            line = raw.decode("ascii")
            lines.append(line)
            self.seen.append(line)
            if len(line) < 4 or line[3] != "-":
                return lines

    def say(self, text: str) -> list[str]:
        self.sock.sendall(text.encode("ascii") + b"\r\n")
        return self.reply()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def served() -> Iterator[tuple[Organisation, Bound]]:
    org = load_org(RELEASE)
    with SimServer(org, ("127.0.0.1", 0), ("127.0.0.1", 0)).running() as bound:
        yield org, bound


def text(key: str, **fields: object) -> str:
    spec = catalogue()[key]
    return f"{spec['code']} {str(spec['text']).format(**fields)}"


def test_a_telnet_session_gets_exchange_replies_and_the_log_has_the_same_lines(
        served: tuple[Organisation, Bound]) -> None:
    org, bound = served
    wire = Wire(bound.smtp[1])
    (banner,) = wire.reply()
    assert banner == "220 exch01.contoso.com ESMTP Server (Microsoft Exchange Internet Mail Service 5.5.2650) Ready"
    ehlo = wire.say("EHLO client.example.org")
    assert ehlo[0] == "250-exch01.contoso.com Hello [127.0.0.1]"
    assert ehlo[1:] == ["250-XEXCH50", "250-HELP", "250-ETRN", "250-DSN", "250-SIZE 0",
                        "250-AUTH LOGIN", "250 AUTH=LOGIN"]
    assert wire.say("XYZZY now") == [text("unknown_command")]
    assert wire.say("EXPN staff") == [text("not_implemented")]
    assert wire.say("VRFY alice") == [text("vrfy")]
    assert wire.say("NOOP") == [text("ok")]
    assert wire.say("RCPT TO:<alice@contoso.com>") == [text("bad_sequence")]
    assert wire.say("DATA") == [text("bad_sequence")]
    assert wire.say("MAIL FROM:<someone@example.net>") == ["250 OK - mail from <someone@example.net>"]
    assert wire.say("MAIL FROM:<again@example.net>") == [text("bad_sequence")]
    assert wire.say("RCPT TO:<alice@contoso.com>") == ["250 OK - Recipient <alice@contoso.com>"]
    assert wire.say("RCPT TO:<victim@elsewhere.example>") == ["550 Relaying is prohibited"]
    assert wire.say("DATA") == ["354 Send data.  End with CRLF.CRLF"]
    (accepted,) = wire.say("Subject: wire\r\n\r\nhello\r\n.")
    assert accepted.startswith("250 ") and accepted.endswith(" Message accepted for delivery")
    assert wire.say("QUIT") == [text("quit")]
    wire.close()
    (session,) = [s for s in org.ims.protocol_log.sessions if s.direction == "inbound"]
    logged = [line.split(" : ", 1)[1] for line in session.lines]
    assert [line[len("IO: |"):] for line in logged if line.startswith("IO: |")] == wire.seen
    commands = [line for line in logged if not line.startswith("IO: |")]
    assert commands == ["A connection from 127.0.0.1 was accepted.", "EHLO client.example.org", "XYZZY", "EXPN staff",
                        "VRFY alice", "NOOP", "RCPT TO:<alice@contoso.com>", "DATA", "MAIL FROM:<someone@example.net>",
                        "MAIL FROM:<again@example.net>", "RCPT TO:<alice@contoso.com>",
                        "RCPT TO:<victim@elsewhere.example>", "DATA", "QUIT"]
    assert [m.subject for m in org.client("alice").inbox()] == ["wire"]


def test_etrn_starts_the_queue_for_a_node_now(served: tuple[Organisation, Bound]) -> None:
    org, bound = served
    org.add_remote_host("mx.dialup.example", "192.0.2.80", behaviour="tempfail")
    org.dns.add_zone("dialup.example", mx=[(10, "mx.dialup.example")])
    org.client("alice").send("SMTP:ann@dialup.example", subject="queued")
    assert org.internet.host("mx.dialup.example").received == []
    org.internet.host("mx.dialup.example").behaviour = "accept"
    wire = Wire(bound.smtp[1])
    wire.reply()
    wire.say("EHLO mx.dialup.example")
    assert wire.say("ETRN nowhere.example") == ["251 OK, no messages waiting for node <nowhere.example>"]
    assert wire.say("ETRN dialup.example") == ["250 OK, queuing for node <dialup.example> started"]
    wire.say("QUIT")
    wire.close()
    assert [d.rcpt_to for d in org.internet.host("mx.dialup.example").received] == [("ann@dialup.example",)]


def test_plain_smtp_refuses_ehlo_and_etrn_when_extensions_are_not_advertised() -> None:
    org = load_org(RELEASE)
    org.ims.config.registry["AdvertiseSMTPExtensions"] = 0
    session = org.ims.session()
    assert session.ehlo("client.example.org").line() == text("unknown_command")
    assert session.helo("client.example.org").line() == "250 exch01.contoso.com Hello [127.0.0.1]"
    assert session.etrn("contoso.com").code == 502


def test_disable_etrn_drops_it_from_ehlo_and_refuses_the_command() -> None:
    org = load_org(RELEASE)
    org.ims.config.registry["DisableETRN"] = 1
    session = org.ims.session()
    assert "ETRN" not in session.ehlo("client.example.org").more
    assert session.etrn("contoso.com").line() == text("not_implemented")


def test_a_client_that_hangs_up_without_quit_still_has_its_last_reply_logged(served: tuple[Organisation, Bound]) -> None:
    import time

    org, bound = served
    wire = Wire(bound.smtp[1])
    wire.reply()
    wire.say("HELO client.example.org")
    assert wire.say("NOOP") == ["250 OK"]
    wire.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [line.split(" : ", 1)[1] for s in org.ims.protocol_log.inbound() for line in s.lines]
        if lines[-2:] == ["NOOP", "IO: |250 OK"]:
            break
        time.sleep(0.05)
    assert lines[-2:] == ["NOOP", "IO: |250 OK"]
