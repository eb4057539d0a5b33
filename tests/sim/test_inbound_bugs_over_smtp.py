"""Inbound IMS bugs driven through real SMTP (smtplib) against ``kb sim serve`` on 127.0.0.1.

Each scenario runs on a release the article names as affected and on the first fixed one; the
outcome is read back through the JSON API only (mailboxes, event log, spool folders, Internet).
"""

from __future__ import annotations

import json
import re
import signal
import smtplib
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sim"
SP2, SP3, SP4 = "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4"


class Server:
    """A running ``kb sim serve`` with its SMTP and API ports."""

    def __init__(self, config: str, release: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kb", "sim", "serve", "--release", release, "--config", str(FIXTURES / config),
             "--smtp", "127.0.0.1:0", "--api", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.smtp_port = self.api_port = 0
        deadline = time.monotonic() + 30
        assert self.process.stderr is not None
        while not (self.smtp_port and self.api_port) and time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            if match := re.search(r"SMTP on 127\.0\.0\.1:(\d+)", line):
                self.smtp_port = int(match.group(1))
            if match := re.search(r"API on http://127\.0\.0\.1:(\d+)/", line):
                self.api_port = int(match.group(1))
        if not (self.smtp_port and self.api_port):
            self.process.kill()
            raise AssertionError(f"kb sim serve did not start: {self.process.stderr.read()}")

    def get(self, path: str, **query: str) -> Any:
        url = f"http://127.0.0.1:{self.api_port}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        with urllib.request.urlopen(url, timeout=10) as answer:
            return json.load(answer)

    def smtp(self) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10)

    def inbox(self, alias: str) -> list[str]:
        return [m["subject"] for m in self.get(f"/api/v1/mailboxes/{alias}/messages")["messages"]]

    def received_by(self, host: str) -> list[dict[str, Any]]:
        return next(h for h in self.get("/api/v1/internet") if h["name"] == host)["received"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.communicate(timeout=15)


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start servers on demand; stop them all after the test."""
    servers: list[Server] = []

    def start(config: str, release: str) -> Server:
        servers.append(Server(config, release))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize("release", [SP3, SP4])
def test_max_recipients_on_submit_archives_without_ndr_on_sp3_and_ndrs_on_sp4(serve: Any, release: str) -> None:
    server = serve("recipient-limit.yaml", release)
    rcpts = ["user1@contoso.com", "hugedl@contoso.com", "user2@contoso.com"]
    body = f"From: pat@example.org\r\nTo: {', '.join(rcpts)}\r\nSubject: Testing\r\n\r\nHello all.\r\n"
    with server.smtp() as client:
        assert client.sendmail("pat@example.org", rcpts, body) == {}  # SMTP accepts it on both
    assert all(server.inbox(a) == [] for a in ("user1", "user2", "dana"))
    events = server.get("/api/v1/eventlog", source="MSExchangeIMC", event_id="4117")
    archive = server.get("/api/v1/folders/IN/ARCHIVE")["items"]
    ndrs = [d for d in server.received_by("mx.example.org") if d["rcpt_to"] == ["pat@example.org"]]
    if release == SP3:
        assert [e["category"] for e in events] == ["Internal Processing"]
        assert len(archive) == 1 and archive[0]["name"] in events[0]["description"]
        assert ndrs == []
    else:
        assert events == [] and archive == []
        assert len(ndrs) == 1 and ndrs[0]["mail_from"] == ""  # the NDR leaves with a null reverse path


@pytest.mark.parametrize("release", [SP2, SP4])
def test_a_partial_postmaster_address_reaches_the_postmaster_only_before_sp4(serve: Any, release: str) -> None:
    server = serve("postmaster-prefix.yaml", release)
    with server.smtp() as client:
        client.sendmail("lee@example.org", ["pos@contoso.com"], "Subject: To pos\r\n\r\nHi.\r\n")
        client.sendmail("lee@example.org", ["p@contoso.com"], "Subject: To p\r\n\r\nHi.\r\n")
    assert server.inbox("pauline") == ["To p"]
    if release == SP2:
        assert server.inbox("administrator") == ["To pos"]
    else:
        assert server.inbox("administrator") == []
        assert [d["rcpt_to"] for d in server.received_by("mx.example.org")] == [["lee@example.org"]]


@pytest.mark.parametrize("release", [SP3, SP4])
def test_the_loose_imcea_form_relays_past_the_authentication_restriction_until_sp4(serve: Any, release: str) -> None:
    server = serve("relay-encapsulated.yaml", release)
    with server.smtp() as client:
        client.ehlo("spammer.example")
        assert client.mail("bulk@spammer.example")[0] == 250
        assert client.rcpt("user@domain2.example") == (550, b"Relaying is prohibited")
        assert client.rcpt("IMCEASMTP-user+40domain2+2Eexample@contoso.com") == (550, b"Relaying is prohibited")
        code, _ = client.rcpt('"IMCEA user@domain2.example"@contoso.com')
        if code == 250:
            assert client.data(b"Subject: Buy now\r\n\r\nOffer.\r\n")[0] == 250
    relayed = [d["rcpt_to"] for d in server.received_by("mail.domain2.example")]
    if release == SP3:
        assert code == 250 and relayed == [["user@domain2.example"]]
    else:
        assert code == 550 and relayed == []


@pytest.mark.parametrize("release", [SP2, SP3])
def test_with_rerouting_off_an_imceasmtp_address_is_rerouted_only_before_sp3(serve: Any, release: str) -> None:
    server = serve("no-reroute.yaml", release)
    with server.smtp() as client:
        refused = {}
        try:
            refused = client.sendmail("someone@client.example", ["IMCEASMTP-user+40partner+2Eexample@contoso.com"],
                                      "Subject: Hello\r\n\r\nHi.\r\n")
        except smtplib.SMTPRecipientsRefused as error:
            refused = error.recipients
    relayed = [d["rcpt_to"] for d in server.received_by("mx.partner.example")]
    if release == SP2:
        assert refused == {} and relayed == [["user@partner.example"]]
    else:
        assert list(refused.values()) == [(550, b"Relaying is prohibited")] and relayed == []
