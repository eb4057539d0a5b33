"""Peers from an org file behind `kb sim serve`: real SMTP in, the peer's NDR and a UNIX host's DSN back."""

from __future__ import annotations

import json
import smtplib
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from kb.sim.config import load_org
from kb.sim.org import Organisation
from kb.sim.peering import peers_of
from kb.sim.serve import Bound, SimServer

CONTOSO = Path(__file__).resolve().parents[1] / "fixtures" / "sim" / "peers" / "contoso.yaml"


@pytest.fixture
def served() -> Iterator[tuple[Organisation, Bound]]:
    org = load_org("Exchange Server 5.5 SP3", CONTOSO)
    with SimServer(org, ("127.0.0.1", 0), ("127.0.0.1", 0)).running() as bound:
        yield org, bound


def api(bound: Bound, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://{bound.api[0]}:{bound.api[1]}/api/v1/{path}", data=data,
                                     headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read().decode("utf-8"))


def subjects(bound: Bound, alias: str) -> list[str]:
    return [m["subject"] for m in api(bound, f"mailboxes/{alias}/messages")["messages"]]


def test_internet_mail_relayed_to_the_peer_and_its_ndr_back_over_real_smtp(served: tuple[Organisation, Bound]) -> None:
    org, bound = served
    with smtplib.SMTP(bound.smtp[0], bound.smtp[1], timeout=5) as client:
        client.ehlo("client.example.org")
        client.sendmail("alice@contoso.com", ["dana@fabrikam.example", "nobody@fabrikam.example"],
                        b"From: alice@contoso.com\r\nSubject: Over the wire\r\n\r\nhello\r\n")
    api(bound, "clock/advance", {"seconds": 1})
    fabrikam = peers_of(org)["mail01.fabrikam.example"]
    assert [m.subject for m in fabrikam.client("dana").inbox()] == ["Over the wire"]
    assert subjects(bound, "alice") == ["Undeliverable: Over the wire"]  # Fabrikam's NDR, through Contoso's inbound path


def test_a_unix_hosts_dsn_reaches_the_mailbox_after_its_delay(served: tuple[Organisation, Bound]) -> None:
    _, bound = served
    api(bound, "mailboxes/alice/send", {"to": ["SMTP:gone@example.net", "SMTP:pat@example.net"], "subject": "Minutes"})
    assert subjects(bound, "alice") == []
    api(bound, "clock/advance", {"seconds": 60})
    assert subjects(bound, "alice") == ["Returned mail: User unknown"]
    (unix,) = [h for h in api(bound, "internet") if h["name"] == "unix.example.net"]
    assert [r["state"] for r in unix["reports"]] == ["sent"]
