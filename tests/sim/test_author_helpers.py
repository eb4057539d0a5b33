"""Helpers for repro authors: an NDR's DSN fields as data, and transcripts of SMTP sessions."""

from __future__ import annotations

import pytest

from kb.sim import Organisation
from kb.sim.store.report import dsn_fields


def _org(release: str) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice")
    org.add_remote_host("mx.example.net", "192.0.2.25", recipients={"gone@example.net": "550 5.1.1 User unknown"})
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    org.client("alice").send(["SMTP:gone@example.net", "SMTP:ok@example.net"], subject="Figures")
    return org


def test_the_dsn_fields_of_an_ndr_are_returned_as_data(release: str) -> None:
    fields = dsn_fields(_org(release).client("alice").ndrs()[0])
    assert fields.per_message["Reporting-MTA"] == "dns; exch01.contoso.com"
    assert fields.recipient("gone@example.net") == {
        "Original-Recipient": "rfc822;gone@example.net", "Final-Recipient": "rfc822;gone@example.net",
        "Action": "failed", "Status": "5.1.1", "Remote-MTA": "dns; mx.example.net",
        "Diagnostic-Code": "smtp; 550 5.1.1 User unknown"}
    assert len(fields.recipients) == 1
    with pytest.raises(KeyError):
        fields.recipient("ok@example.net")


def test_a_message_without_a_delivery_status_part_is_refused() -> None:
    with pytest.raises(ValueError, match="delivery-status"):
        dsn_fields(b"Subject: plain\r\n\r\nbody\r\n")


def test_an_outbound_session_reads_as_command_and_reply_pairs() -> None:
    org = _org("Exchange Server 5.5 SP4")
    (session,) = org.ims.protocol_log.outbound("mx.example.net")
    assert session.dialogue()[1:6] == [
        ("", "220 mx.example.net ESMTP ready"),
        ("EHLO exch01.contoso.com", "250 mx.example.net Hello exch01.contoso.com"),
        ("MAIL FROM:<alice@contoso.com>", "250 OK"),
        ("RCPT TO:<gone@example.net>", "550 5.1.1 User unknown"),
        ("RCPT TO:<ok@example.net>", "250 OK")]
    assert "[out]   C: RCPT TO:<gone@example.net>  S: 550 5.1.1 User unknown" in org.ims.protocol_log.transcript(
        "out", "outbound")


def test_an_inbound_session_keeps_a_multi_line_reply_together() -> None:
    org = Organisation("Exchange Server 5.5 SP4")
    session = org.ims.session("192.0.2.7")
    session.ehlo("client.example.org")
    session.quit()
    (logged,) = org.ims.protocol_log.inbound()
    command, reply = logged.dialogue()[1]
    assert command == "EHLO client.example.org"
    assert reply.split("\r\n")[0] == "250-exch01.contoso.com Hello [192.0.2.7]" and reply.endswith("250 AUTH=LOGIN")
    assert logged.dialogue()[2] == ("QUIT", "221 closing connection")
