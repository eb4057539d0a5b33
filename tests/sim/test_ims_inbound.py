"""The IMS inbound path driven through its SMTP session object (no sockets)."""

from __future__ import annotations

from kb.sim import ImsConfig, Organisation, RelayRules
from kb.sim.ims.config import DomainRoute

MESSAGE = b"From: Someone <someone@example.net>\r\nTo: alice@contoso.com\r\nSubject: from the Internet\r\n\r\nHello.\r\n"


def _org(release: str = "Exchange Server 5.5 SP3", **ims: object) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(**ims))  # type: ignore[arg-type]
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mx.example.net", "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    return org


def test_the_banner_names_the_ims_build_of_the_release() -> None:
    session = _org().ims.session()
    assert session.banner() == "exch01.contoso.com ESMTP Server (Microsoft Exchange Internet Mail Service 5.5.2650) Ready"
    sp1 = _org("Exchange Server 5.5 SP1").ims.session()
    assert "Internet Mail Service 5.5.2232)" in sp1.banner()


def test_a_message_for_a_local_mailbox_is_spooled_converted_and_delivered(release: str) -> None:
    org = _org(release)
    session = org.ims.session("192.0.2.7", "mail.example.net")
    assert session.helo("mail.example.net").code == 250
    assert session.mail("someone@example.net").code == 250
    assert session.rcpt("alice@contoso.com").code == 250
    reply = session.data(MESSAGE)
    assert reply.code == 250
    org.run()
    (message,) = org.client("alice").inbox()
    assert message.subject == "from the Internet"
    assert message.sender == "someone@example.net"
    assert org.ims.spool.list("IN") == []
    assert org.ims.counters()["inbound_messages_total"] == 1


def test_the_spool_file_carries_the_ims_received_header_until_it_is_processed() -> None:
    org = _org()
    session = org.ims.session("192.0.2.7", "mail.example.net")
    session.mail("someone@example.net")
    session.rcpt("alice@contoso.com")
    name = session.data(MESSAGE).text.split()[0]
    spooled = org.ims.spool.read("IN", name).data
    assert spooled.startswith(b"Received: from mail.example.net ([192.0.2.7]) by EXCH01 with SMTP "
                              b"(Microsoft Exchange Internet Mail Service Version 5.5.2650)")


def test_relaying_is_refused_when_no_rule_allows_the_client() -> None:
    org = _org(relay=RelayRules(flags=2, allow=["10.0.0.0;255.0.0.0"]))
    outsider = org.ims.session("192.0.2.7")
    outsider.mail("spammer@example.net")
    assert outsider.rcpt("victim@elsewhere.example").line() == "550 Relaying is prohibited"
    insider = org.ims.session("10.1.2.3")
    insider.mail("alice@contoso.com")
    assert insider.rcpt("carol@example.net").code == 250


def test_with_no_restrictions_the_server_is_an_open_relay() -> None:
    session = _org().ims.session("192.0.2.7")
    session.mail("x@example.net")
    assert session.rcpt("y@elsewhere.example").code == 250


def test_do_not_reroute_refuses_every_non_local_recipient() -> None:
    session = _org(reroute_incoming=False).ims.session("10.1.2.3")
    session.mail("x@example.net")
    assert session.rcpt("y@elsewhere.example").code == 550
    assert session.rcpt("alice@contoso.com").code == 250


def test_a_per_domain_always_relay_entry_overrides_the_restrictions() -> None:
    org = _org(relay=RelayRules(flags=2), domain_routes=[DomainRoute("partner.example", relay=True)])
    session = org.ims.session("192.0.2.7")
    session.mail("x@example.net")
    assert session.rcpt("y@partner.example").code == 250


def test_the_recipient_limit_answers_452() -> None:
    session = _org(max_inbound_recipients=1).ims.session()
    session.mail("x@example.net")
    assert session.rcpt("alice@contoso.com").code == 250
    assert session.rcpt("alice@contoso.com").code == 452


def test_a_message_over_the_size_limit_is_refused_with_552() -> None:
    org = _org(message_size_kb=1)
    session = org.ims.session()
    session.mail("x@example.net")
    session.rcpt("alice@contoso.com")
    assert session.data(MESSAGE + b"x" * 2048).code == 552
    assert org.ims.spool.list("IN") == []


def test_commands_out_of_sequence_get_503() -> None:
    session = _org().ims.session()
    assert session.rcpt("alice@contoso.com").code == 503
    assert session.data(MESSAGE).code == 503


def test_an_unknown_local_recipient_is_reported_to_the_internet_sender_with_a_null_reverse_path() -> None:
    org = _org()
    session = org.ims.session("192.0.2.7")
    session.mail("someone@example.net")
    session.rcpt("nosuchuser@contoso.com")
    session.data(MESSAGE)
    org.run()
    (delivery,) = org.internet.host("mx.example.net").received
    assert delivery.mail_from == ""
    assert delivery.rcpt_to == ("someone@example.net",)
    assert b"0 (000C05A6) Unknown Recipient" in delivery.data
    assert b"message/delivery-status" in delivery.data


def test_message_archival_keeps_a_copy_in_in_archive() -> None:
    org = _org(logging={"message_archival": 3})
    session = org.ims.session()
    session.mail("x@example.net")
    session.rcpt("alice@contoso.com")
    name = session.data(MESSAGE).text.split()[0]
    org.run()
    assert [f.name for f in org.ims.spool.list("IN\\ARCHIVE")] == [name]
    assert org.ims.spool.list("IN") == []


def test_every_command_is_written_to_the_protocol_log() -> None:
    org = _org()
    session = org.ims.session("192.0.2.7")
    session.mail("x@example.net")
    session.rcpt("alice@contoso.com")
    lines = org.ims.protocol_log.sessions[0].lines
    assert lines[0].endswith("A connection from 192.0.2.7 was accepted.")
    assert any(line.endswith("RCPT TO:<alice@contoso.com>") for line in lines)
    assert lines[0].startswith("1/11/00 9:00:00 AM : ")


def test_message_transfer_logging_writes_2002_for_each_received_message() -> None:
    org = _org(logging={"message_transfer": 3})
    session = org.ims.session("192.0.2.7", "mail.example.net")
    session.mail("someone@example.net")
    session.rcpt("alice@contoso.com")
    name = session.data(MESSAGE).text.split()[0]
    (event,) = org.eventlog.entries(source="MSExchangeIMC", event_id=2002)
    assert event.description == (f"A message from someone@example.net in temporary file imcdata\\in\\{name} "
                                  "was received from mail.example.net with 1 local recipients.")
    assert _org().eventlog.entries(event_id=2002) == []


def test_a_transaction_runs_the_whole_dialogue_and_delivers() -> None:
    org = _org()
    dialogue = org.ims.session("192.0.2.7").transaction("mail.example.net", "someone@example.net",
                                                        ["alice@contoso.com"], MESSAGE)
    assert [command for command, _ in dialogue] == [
        "EHLO mail.example.net", "MAIL FROM:<someone@example.net>", "RCPT TO:<alice@contoso.com>", "DATA", "QUIT"]
    assert [reply.code for _, reply in dialogue] == [250, 250, 250, 250, 221]
    org.run()
    assert [m.subject for m in org.client("alice").inbox()] == ["from the Internet"]


def test_a_transaction_whose_recipients_are_all_refused_sends_no_data() -> None:
    org = _org(reroute_incoming=False)
    dialogue = org.ims.session("192.0.2.7").transaction("mail.example.net", "someone@example.net",
                                                        ["bob@elsewhere.example"], MESSAGE)
    assert [(command, reply.code) for command, reply in dialogue][2:] == [
        ("RCPT TO:<bob@elsewhere.example>", 550), ("QUIT", 221)]
