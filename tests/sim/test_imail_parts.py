"""Inbound multipart mail keeps its parts: the body text, and the rest as attachments (Q262986)."""

from __future__ import annotations

import pytest

from kb.sim import Organisation, dsn_fields
from kb.sim.store.imail_parts import attachments_of

REPORT = (b"From: Mail Delivery Subsystem <MAILER-DAEMON@unix.example.net>\r\nTo: alice@contoso.com\r\n"
          b"Subject: Returned mail: User unknown\r\nMIME-Version: 1.0\r\n"
          b'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
          b"--b1\r\n\r\nThe original message was received.\r\n"
          b"--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; unix.example.net\r\n\r\n"
          b"Final-Recipient: RFC822; gone@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
          b"--b1\r\nContent-Type: message/rfc822\r\n\r\nSubject: Minutes\r\n\r\nhello\r\n"
          b"--b1--\r\n")


def deliver(payload: bytes, mail_from: str = "") -> Organisation:
    org = Organisation("Exchange Server 5.5 SP4")
    org.add_mailbox("alice", "Alice Smith")
    session = org.ims.session(peer_ip="198.51.100.25", peer_name="unix.example.net")
    session.transaction("unix.example.net", mail_from, ["alice@contoso.com"], payload)
    org.run()
    return org


def test_an_internet_dsn_arrives_as_a_note_with_its_parts_as_attachments() -> None:
    (message,) = deliver(REPORT).client("alice").inbox()
    assert message.message_class == "IPM.Note"  # RFC 1892/1894 are not in Exchange 5.5 (Q262986)
    assert message.body.strip() == "The original message was received."
    assert [a.content_type for a in attachments_of(message)] == ["message/delivery-status", "message/rfc822"]
    assert b"Subject: Minutes" in attachments_of(message)[1].data
    assert dsn_fields(message).recipient("gone@example.net")["Status"] == "5.1.1"


def test_a_named_attachment_keeps_its_file_name_and_a_plain_message_has_none() -> None:
    mixed = (b"Subject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
             b"--m\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
             b"--m\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n"
             b"Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--m--\r\n")
    (message,) = deliver(mixed, "pat@example.net").client("alice").inbox()
    assert [(a.content_type, a.filename) for a in attachments_of(message)] == [("application/octet-stream", "a.bin")]
    (plain,) = deliver(b"Subject: hi\r\n\r\nhello\r\n", "pat@example.net").client("alice").inbox()
    assert attachments_of(plain) == []
    with pytest.raises(ValueError):
        dsn_fields(plain)
