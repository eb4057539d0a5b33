"""AUTH and DSN over real SMTP on 127.0.0.1: smtplib and a telnet-style client against ``kb sim serve``."""

from __future__ import annotations

import base64
import smtplib
from pathlib import Path
from typing import Iterator

import pytest

from kb.sim.config import load_org
from kb.sim.org import Organisation
from kb.sim.store.report import dsn_fields
from kb.sim.serve import Bound, SimServer

from test_smtp_wire import Wire

RELEASE = "Exchange Server 5.5 SP3"
ORG_FILE = """\
organisation: Contoso
server: EXCH01
domain: contoso.com
guest_account: false
mailboxes:
  - {alias: alice, display_name: Alice Smith, password: "Pa55 word"}
  - {alias: bob, display_name: Bob Jones}
dns:
  - {name: example.net, mx: [[10, mx.example.net]]}
  - {name: dsn.example, mx: [[10, mx.dsn.example]]}
remote_hosts:
  - {name: mx.example.net, ip: 192.0.2.25}
  - {name: mx.dsn.example, ip: 192.0.2.26, extensions: [DSN]}
ims:
  relay: {flags: 8}
  logging: {smtp_protocol_log: Medium}
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Organisation, Bound]]:
    path = tmp_path / "org.yaml"
    path.write_text(ORG_FILE, encoding="utf-8")
    org = load_org(RELEASE, path)
    with SimServer(org, ("127.0.0.1", 0), ("127.0.0.1", 0)).running() as bound:
        yield org, bound


def test_smtplib_logs_in_with_the_org_files_password_and_may_then_relay(served: tuple[Organisation, Bound]) -> None:
    org, bound = served
    with smtplib.SMTP(*bound.smtp) as smtp:
        smtp.ehlo("client.example.org")
        assert smtp.has_extn("auth") and "LOGIN" in smtp.esmtp_features["auth"]
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail("alice@contoso.com", ["carol@example.net"], b"Subject: before\r\n\r\nx\r\n")
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login("alice", "wrong")
        assert refused.value.smtp_code == 535
        assert smtp.login("alice", "Pa55 word") == (235, b"LOGIN authentication successful")
        smtp.sendmail("alice@contoso.com", ["carol@example.net"], b"Subject: after\r\n\r\nx\r\n")
    assert [d.rcpt_to for d in org.internet.host("mx.example.net").received] == [("carol@example.net",)]
    log = "".join(f.data.decode() for f in org.ims.spool.list("LOG"))
    assert "AUTH LOGIN ****" in log and base64.b64encode(b"Pa55 word").decode() not in log and "Pa55" not in log
    assert [line.split(" : ", 1)[1] for line in org.ims.protocol_log.sessions[0].lines].count("****") == 2


def test_a_telnet_client_walks_auth_login_and_dsn_parameters_reach_the_next_hop(served: tuple[Organisation, Bound]) -> None:
    org, bound = served
    wire = Wire(bound.smtp[1])
    try:
        wire.reply()
        wire.say("EHLO client.example.org")
        assert wire.say("auth login") == ["334 VXNlcm5hbWU6"]
        assert wire.say(base64.b64encode(b"CONTOSO\\alice").decode()) == ["334 UGFzc3dvcmQ6"]
        assert wire.say(base64.b64encode(b"Pa55 word").decode()) == ["235 LOGIN authentication successful"]
        assert wire.say("AUTH LOGIN") == ["503 Bad sequence of commands"]
        assert wire.say("MAIL FROM:<alice@contoso.com> RET=HDRS ENVID=Q+2B1 SIZE=64") == [
            "250 OK - mail from <alice@contoso.com>; can accomodate 64 bytes"]
        assert wire.say("RCPT TO:<zed@dsn.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Zed+40dsn.example") == [
            "250 OK - Recipient <zed@dsn.example>"]
        assert wire.say("RCPT TO:<bob@contoso.com> notify=success") == ["250 OK - Recipient <bob@contoso.com>"]
        assert wire.say("RCPT TO:<bob@contoso.com> NOTIFY=NEVER,SUCCESS") == ["501 Syntax error in parameters or arguments"]
        assert wire.say("DATA")[0].startswith("354 ")
        assert wire.say("Subject: wire\r\n\r\nhello\r\n.")[0].endswith("Message accepted for delivery")
        wire.say("QUIT")
    finally:
        wire.close()
    (delivery,) = org.internet.host("mx.dsn.example").received
    assert (delivery.mail_params, delivery.rcpt_params) == (
        "RET=HDRS ENVID=Q+2B1", ("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Zed@dsn.example",))
    reports = [m for m in org.client("alice").inbox() if m.message_class == "REPORT.IPM.Note.DR"]
    (report,) = reports
    fields = dsn_fields(report)
    assert fields.per_message["Original-Envelope-Id"] == "Q+1"
    assert fields.recipient("bob@contoso.com")["Action"] == "delivered"


def test_an_over_long_answer_to_a_prompt_ends_the_exchange_and_the_session_goes_on(served: tuple[Organisation, Bound]) -> None:
    org, bound = served
    wire = Wire(bound.smtp[1])
    try:
        wire.reply()
        wire.say("EHLO client.example.org")
        assert wire.say("AUTH LOGIN") == ["334 VXNlcm5hbWU6"]
        assert wire.say("A" * 200_000) == ["500 Line too long"]
        assert wire.say("NOOP") == ["250 OK"]
        assert wire.say("AUTH LOGIN") == ["334 VXNlcm5hbWU6"]
        assert wire.say("*") == ["501 Syntax error in parameters or arguments"]
    finally:
        wire.close()
    assert not org.ims.protocol_log.sessions[0].lines[-1].endswith("A" * 100)
