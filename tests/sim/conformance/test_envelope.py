"""Conformance rows: the SMTP envelope (reverse path, reports, relaying), on every release."""

from __future__ import annotations

import pytest

from sim_conformance import HOST, RELEASES, Row, every_message, inbound, judge, make_org, received_ndrs, row_id
from kb.sim import RelayRules


def null_reverse_path_to_unknown_local_recipient_is_never_answered(release: str) -> None:
    org = make_org(release)
    codes = inbound(org, "", ["nobody@contoso.com"],
                    headers="From: Mailer <mailer-daemon@example.net>\r\nTo: nobody@contoso.com\r\n")
    assert codes[:3] == [250, 250, 250]
    assert org.internet.host(HOST).received == []  # nothing to the header From either
    assert not any(m.is_ndr for m in every_message(org))


def null_reverse_path_is_accepted_for_a_local_mailbox(release: str) -> None:
    org = make_org(release)
    codes = inbound(org, "", ["bob@contoso.com"])
    assert 250 == codes[2] == codes[3]
    assert [m.subject for m in org.client("bob").inbox()] == ["conformance"]


def a_report_goes_to_the_reverse_path_with_a_null_reverse_path(release: str) -> None:
    org = make_org(release)
    inbound(org, "bounces@example.net", ["nobody@contoso.com"],
            headers="From: Someone <someone@example.net>\r\nTo: nobody@contoso.com\r\n")
    reports = received_ndrs(org)
    assert [(mail_from, rcpts) for mail_from, rcpts, _ in reports] == [("", ("bounces@example.net",))]


def mail_a_mailbox_sends_leaves_with_its_address_as_reverse_path(release: str) -> None:
    org = make_org(release)
    org.client("alice").send("SMTP:carol@example.net", subject="hello")
    assert [d.mail_from for d in org.internet.host(HOST).received] == ["alice@contoso.com"]


def relayed_mail_keeps_its_reverse_path_and_header_from(release: str) -> None:
    org = make_org(release, relay=RelayRules(flags=2, allow=["198.51.100.0;255.255.255.0"]))
    inbound(org, "list-owner@lists.example.org", ["carol@example.net"],
            headers="From: Author <author@example.org>\r\nTo: carol@example.net\r\n")
    (delivery,) = org.internet.host(HOST).received
    assert delivery.mail_from == "list-owner@lists.example.org"
    assert b"From: Author <author@example.org>" in delivery.data


def relayed_mail_with_a_null_reverse_path_leaves_with_a_null_reverse_path(release: str) -> None:
    org = make_org(release, relay=RelayRules(flags=2, allow=["198.51.100.0;255.255.255.0"]))
    inbound(org, "", ["carol@example.net"],
            headers="From: Mail Delivery <postmaster@example.org>\r\nTo: carol@example.net\r\n")
    assert [d.mail_from for d in org.internet.host(HOST).received] == [""]


def a_failed_relay_with_a_null_reverse_path_is_not_reported(release: str) -> None:
    org = make_org(release, relay=RelayRules(flags=2, allow=["198.51.100.0;255.255.255.0"]))
    inbound(org, "", ["someone@nowhere.invalid"],
            headers="From: Mail Delivery <postmaster@example.net>\r\nTo: someone@nowhere.invalid\r\n")
    assert org.internet.host(HOST).received == []
    assert [e.event_id for e in org.eventlog.entries(source="MSExchangeIMC", event_id=4132)] == [4132]


def inbound_mail_carries_a_received_field_of_the_ims(release: str) -> None:
    org = make_org(release)
    org.ims.stop()
    org.ims.start()
    session = org.ims.session(peer_ip="198.51.100.7")
    session.transaction("client.example.org", "a@example.org", ["bob@contoso.com"], b"Subject: x\r\n\r\nx\r\n")
    (spooled,) = org.ims.spool.list("IN")
    assert spooled.data.startswith(b"Received: from client.example.org ([198.51.100.7]) by EXCH01 with SMTP")


def an_auto_reply_goes_to_the_reverse_path_and_never_to_a_null_one(release: str) -> None:
    org = make_org(release)
    org.client("bob").add_rule("reply", text="Out of the office.")
    inbound(org, "bounces@example.net", ["bob@contoso.com"],
            headers="From: Someone <someone@example.net>\r\nTo: bob@contoso.com\r\n")
    inbound(org, "", ["bob@contoso.com"], headers="From: Mailer <mailer-daemon@example.net>\r\nTo: bob@contoso.com\r\n")
    assert [d.rcpt_to for d in org.internet.host(HOST).received] == [("bounces@example.net",)]


def a_report_on_inbound_mail_never_goes_to_a_local_header_from(release: str) -> None:
    org = make_org(release)
    org.mta.ims_address_spaces = []  # nothing covers SMTP: the MTA must report the relayed recipient
    org.add_custom_recipient("partner", "SMTP:partner@example.net", smtp=["partner@contoso.com"])
    inbound(org, "bounces@example.net", ["partner@contoso.com"],
            headers="From: Alice Smith <alice@contoso.com>\r\nTo: partner@contoso.com\r\n")
    assert not org.client("alice").ndrs()


ROWS = [
    Row("a null reverse path to an unknown local recipient is never answered",
        "RFC 5321 §4.5.5, §6.1", null_reverse_path_to_unknown_local_recipient_is_never_answered),
    Row("a null reverse path is accepted for a local mailbox", "RFC 5321 §4.5.5 (MUST accept <>)",
        null_reverse_path_is_accepted_for_a_local_mailbox),
    Row("a report goes to the reverse path, not the header From, with MAIL FROM:<>",
        "RFC 5321 §4.5.5, §6.1; RFC 3464 §2; Q250507", a_report_goes_to_the_reverse_path_with_a_null_reverse_path),
    Row("mail a mailbox sends leaves with the mailbox address as reverse path", "RFC 5321 §3.3",
        mail_a_mailbox_sends_leaves_with_its_address_as_reverse_path),
    Row("relayed mail keeps its reverse path and its header From", "RFC 5321 §3.3, §4.4; RFC 5322 §3.6.2",
        relayed_mail_keeps_its_reverse_path_and_header_from),
    Row("relayed mail with a null reverse path leaves with a null reverse path", "RFC 5321 §4.5.5; Q258999",
        relayed_mail_with_a_null_reverse_path_leaves_with_a_null_reverse_path),
    Row("a relayed report that cannot be delivered is not reported on",
        "RFC 5321 §4.5.5; Q185108 (event 4132)", a_failed_relay_with_a_null_reverse_path_is_not_reported),
    Row("inbound mail carries a Received field of the IMS", "RFC 5321 §4.4; Q190084",
        inbound_mail_carries_a_received_field_of_the_ims),
    Row("an auto-reply goes to the reverse path and never to a null one", "RFC 3834 §2, §4",
        an_auto_reply_goes_to_the_reverse_path_and_never_to_a_null_one),
    Row("a report on inbound mail never goes to a local header From", "RFC 5321 §4.5.5, §6.1",
        a_report_on_inbound_mail_never_goes_to_a_local_header_from),
]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_the_envelope_conforms_on_every_release_or_deviates_where_an_article_says(row: Row, release: str) -> None:
    judge(row, release)
