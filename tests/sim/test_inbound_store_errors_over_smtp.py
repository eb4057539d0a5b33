"""Inbound store errors driven through real SMTP (smtplib) and observed through the JSON API.

Q193782 (corrupted encapsulated address: IS 12800, IMC 4182, the IMS shuts down before Store.exe
5.5.2417.0) and Q201904 (ResolveP2 with a duplicated custom recipient: IS 12004, IMC 4117, the
message archived before Store.exe 5.5.2398.0), on 127.0.0.1 with the simulator's listeners.
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from typing import Any, Iterator

import pytest

from kb.sim import ImsConfig, Organisation
from kb.sim.serve import Bound, SimServer

CORRUPTED = (
    b"From: pat@example.net\r\nTo: alice@contoso.com\r\n"
    b"Cc: IMCEAEX-_O=Contoso_OU=Europe_CN=Recipients_CN=Mail+3LLondon@contoso.com\r\n"
    b"Subject: corrupted\r\n\r\nHi.\r\n"
)
FROM_DUPLICATE = b"From: someone@fabrikam.com\r\nTo: alice@contoso.com\r\nSubject: from someone\r\n\r\nHi.\r\n"


def _org(release: str) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(registry={"ResolveP2": 1}))
    org.add_mailbox("alice", "Alice Smith")
    org.add_custom_recipient("someone-x", "SMTP:someone@fabrikam.com", "Someone")
    org.add_custom_recipient("someone-y", "SMTP:someone@fabrikam.com", "Someone")
    return org


def _serve(org: Organisation) -> Iterator[Bound]:
    with SimServer(org, ("127.0.0.1", 0), ("127.0.0.1", 0)).running() as bound:
        yield bound


@pytest.fixture(params=["Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, Bound]]:
    for bound in _serve(_org(request.param)):
        yield request.param, bound


def _api(bound: Bound, path: str) -> Any:
    with urllib.request.urlopen(f"http://{bound.api[0]}:{bound.api[1]}/api/v1/{path}", timeout=5) as response:
        return json.loads(response.read().decode("utf-8"))


def _smtp(bound: Bound, sender: str, payload: bytes) -> None:
    with smtplib.SMTP(bound.smtp[0], bound.smtp[1], timeout=5) as client:
        client.ehlo("mail.example.net")
        client.sendmail(sender, ["alice@contoso.com"], payload)


def test_mail_from_a_duplicated_custom_recipient_over_smtp(served: tuple[str, Bound]) -> None:
    release, bound = served
    _smtp(bound, "someone@fabrikam.com", FROM_DUPLICATE)
    events = [(e["source"], e["event_id"]) for e in _api(bound, "eventlog")]
    subjects = [m["subject"] for m in _api(bound, "mailboxes/alice/messages")["messages"]]
    archived = _api(bound, "folders/IN/ARCHIVE")["items"]
    if release.endswith("SP1"):
        assert events == [("MSExchangeIS", 12004), ("MSExchangeIMC", 4117)]
        assert subjects == [] and len(archived) == 1
    else:
        assert events == [] and subjects == ["from someone"] and archived == []


def test_a_corrupted_encapsulated_address_over_smtp(served: tuple[str, Bound]) -> None:
    release, bound = served
    _smtp(bound, "pat@example.net", CORRUPTED)
    events = [(e["source"], e["event_id"]) for e in _api(bound, "eventlog")]
    service = _api(bound, "queues")["service"]
    if release.endswith("SP1"):
        assert events[:3] == [("MSExchangeIS", 12800), ("MSExchangeIMC", 4182), ("MSExchangeIMC", 4102)]
        assert service == "stopped"
        # A stopped service refuses the connection: 421 instead of the greeting (RFC 5321 §3.8).
        with pytest.raises(smtplib.SMTPConnectError) as caught:
            _smtp(bound, "pat@example.net", b"Subject: afterwards\r\n\r\nHi.\r\n")
        assert (caught.value.smtp_code, caught.value.smtp_error) == (
            421, b"exch01.contoso.com Service not available, closing transmission channel")
    else:
        assert events == [("MSExchangeIS", 12004), ("MSExchangeIMC", 4117)]
        assert service == "running"
        _smtp(bound, "pat@example.net", b"Subject: afterwards\r\n\r\nHi.\r\n")
        assert [m["subject"] for m in _api(bound, "mailboxes/alice/messages")["messages"]] == ["afterwards"]


def test_a_session_open_when_the_ims_stops_gets_421_for_its_next_command(served: tuple[str, Bound]) -> None:
    release, bound = served
    with smtplib.SMTP(bound.smtp[0], bound.smtp[1], timeout=5) as client:
        client.ehlo("mail.example.net")
        client.sendmail("pat@example.net", ["alice@contoso.com"], CORRUPTED)
        if release.endswith("SP1"):  # the message stopped the IMS (4182): the channel closes
            with pytest.raises(smtplib.SMTPSenderRefused) as caught:
                client.sendmail("pat@example.net", ["alice@contoso.com"], b"Subject: next\r\n\r\nHi.\r\n")
            assert caught.value.smtp_code == 421
            assert caught.value.smtp_error.endswith(b"Service not available, closing transmission channel")
            with pytest.raises(smtplib.SMTPServerDisconnected):
                client.noop()
        else:
            client.sendmail("pat@example.net", ["alice@contoso.com"], b"Subject: next\r\n\r\nHi.\r\n")
