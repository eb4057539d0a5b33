"""Conformance rows: per-recipient results (partial failure, 4xx retry then expiry, 5xx) and DSNs."""

from __future__ import annotations

import pytest

from sim_conformance import HOST, HOST_IP, RELEASES, Deviation, Row, dsn_blocks, judge, make_org, row_id
from kb.sim import Organisation
from kb.sim.ims.smtp_out import IMS_PER_RECIPIENT_STORAGE_REPLY


def org_with_replies(release: str, replies: dict[str, str]) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(HOST, HOST_IP, recipients=replies)
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    return org


def partial_failure_delivers_the_others(release: str) -> None:
    org = org_with_replies(release, {"gone@example.net": "550 5.1.1 User unknown"})
    org.client("alice").send(["SMTP:ann@example.net", "SMTP:gone@example.net"], subject="Figures")
    assert [d.rcpt_to for d in org.internet.host(HOST).received] == [("ann@example.net",)]
    (ndr,) = org.client("alice").ndrs()
    assert [r.address for r in ndr.recipients] == ["gone@example.net"]


def storage_reply_to_one_rcpt_fails_only_that_recipient(release: str) -> None:
    org = org_with_replies(release, {"full@example.net": "552 mailbox quota limit exceeded"})
    org.client("alice").send(["SMTP:ann@example.net", "SMTP:full@example.net"], subject="Figures")
    assert [d.rcpt_to for d in org.internet.host(HOST).received] == [("ann@example.net",)]
    (ndr,) = org.client("alice").ndrs()
    assert [r.address for r in ndr.recipients] == ["full@example.net"]


def transient_failure_is_retried_on_the_virtual_clock(release: str) -> None:
    org = org_with_replies(release, {"busy@example.net": "450 mailbox busy"})
    client = org.client("alice")
    client.send("SMTP:busy@example.net", subject="Later")
    assert client.ndrs() == [] and org.internet.host(HOST).received == []
    org.internet.host(HOST).recipients.clear()
    org.advance(15 * 60)  # the first retry interval (Q146669)
    assert [d.rcpt_to for d in org.internet.host(HOST).received] == [("busy@example.net",)]
    assert client.ndrs() == []


def transient_failure_expires_after_the_message_time_out(release: str) -> None:
    org = org_with_replies(release, {"busy@example.net": "450 mailbox busy"})
    client = org.client("alice")
    client.send("SMTP:busy@example.net", subject="Later")
    org.advance(47 * 3600)
    assert client.ndrs() == []
    org.advance(3600 + 1)
    (ndr,) = client.ndrs()
    _, (block,) = dsn_blocks(ndr)
    assert block["Action"] == "failed" and block["Status"] == "4.4.7"
    assert block["Remote-MTA"] == f"dns; {HOST}" and block["Diagnostic-Code"] == "smtp; 450 mailbox busy"
    assert org.ims.queues()["outbound_awaiting_delivery"] == []


def permanent_failure_is_reported_at_once_and_never_retried(release: str) -> None:
    org = org_with_replies(release, {"gone@example.net": "550 5.1.1 User unknown"})
    client = org.client("alice")
    client.send("SMTP:gone@example.net", subject="Figures")
    assert len(client.ndrs()) == 1
    sessions = len(org.ims.protocol_log.sessions)
    org.advance(49 * 3600)
    assert len(org.ims.protocol_log.sessions) == sessions and len(client.ndrs()) == 1


def dsn_fields_come_from_the_remote_reply(release: str) -> None:
    org = org_with_replies(release, {"gone@example.net": "550 5.1.1 User unknown"})
    org.client("alice").send("SMTP:gone@example.net", subject="Figures")
    (ndr,) = org.client("alice").ndrs()
    per_message, (block,) = dsn_blocks(ndr)
    assert per_message["Reporting-MTA"] == "dns; exch01.contoso.com"
    assert block["Final-Recipient"] == "rfc822;gone@example.net"
    assert block["Action"] == "failed"
    assert block["Status"] == "5.1.1"
    assert block["Remote-MTA"] == f"dns; {HOST}"
    assert block["Diagnostic-Code"] == "smtp; 550 5.1.1 User unknown"


def a_reply_without_an_enhanced_code_gives_its_class_only(release: str) -> None:
    org = org_with_replies(release, {"gone@example.net": "550 No such user here"})
    org.client("alice").send("SMTP:gone@example.net", subject="Figures")
    _, (block,) = dsn_blocks(org.client("alice").ndrs()[0])
    assert block["Status"] == "5.0.0"


def host_unknown_gives_5_4_4_without_remote_mta(release: str) -> None:
    org = make_org(release)
    org.client("alice").send("SMTP:joe@nowhere.invalid", subject="Figures")
    _, (block,) = dsn_blocks(org.client("alice").ndrs()[0])
    assert block["Status"] == "5.4.4" and block["Remote-MTA"] is None
    assert block["Final-Recipient"] == "rfc822;joe@nowhere.invalid"


def one_dsn_block_per_failed_member_after_list_expansion(release: str) -> None:
    org = org_with_replies(release, {"gone@example.net": "550 5.1.1 User unknown",
                                     "left@example.net": "550 5.1.1 User unknown"})
    org.add_mailbox("bob", "Bob Jones")
    org.add_custom_recipient("gone", "SMTP:gone@example.net", "Gone Person")
    org.add_custom_recipient("left", "SMTP:left@example.net", "Left Person")
    org.add_custom_recipient("ann", "SMTP:ann@example.net", "Ann Other")
    org.add_distribution_list("team", ["bob", "gone", "ann", "left"], "Team")
    org.client("alice").send("team", subject="Figures")
    assert [m.subject for m in org.client("bob").inbox()] == ["Figures"]
    (ndr,) = org.client("alice").ndrs()
    assert [(r.address, r.display_name) for r in ndr.recipients] == [
        ("gone@example.net", "Gone Person"), ("left@example.net", "Left Person")]
    _, blocks = dsn_blocks(ndr)
    assert [b["Final-Recipient"] for b in blocks] == ["rfc822;gone@example.net", "rfc822;left@example.net"]
    assert {b["Original-Recipient"] for b in blocks} == {"rfc822;team@contoso.com"}
    assert [b["Status"] for b in blocks] == ["5.1.1", "5.1.1"]


def the_ndr_is_a_multipart_report_with_the_original(release: str) -> None:
    org = make_org(release)
    org.client("alice").send("SMTP:joe@nowhere.invalid", subject="Figures")
    from kb.sim.store.report import parse_report

    ndr = org.client("alice").ndrs()[0]
    assert ndr.mime is not None
    parts = [p.get_content_type() for p in parse_report(ndr.mime).iter_parts()]
    assert parts == ["text/plain", "message/delivery-status", "message/rfc822"]


def a_5xx_to_mail_from_fails_every_recipient_of_the_batch(release: str) -> None:
    org = Organisation(release)
    org.add_mailbox("alice")
    org.add_remote_host(HOST, HOST_IP, behaviour="reject")
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    org.client("alice").send(["SMTP:ann@example.net", "SMTP:bo@example.net"], subject="Figures")
    (ndr,) = org.client("alice").ndrs()
    assert sorted(r.address for r in ndr.recipients) == ["ann@example.net", "bo@example.net"]
    assert [b["Status"] for b in dsn_blocks(ndr)[1]] == ["5.0.0", "5.0.0"]


def _unreachable(release: str, behaviour: str) -> None:
    org = Organisation(release)
    org.add_mailbox("alice")
    org.add_remote_host(HOST, HOST_IP, behaviour=behaviour)
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    client = org.client("alice")
    client.send("SMTP:ann@example.net", subject="Later")
    assert client.ndrs() == []
    org.internet.host(HOST).behaviour = "accept"
    org.advance(15 * 60)
    assert [d.rcpt_to for d in org.internet.host(HOST).received] == [("ann@example.net",)]


def a_host_that_is_unavailable_is_retried(release: str) -> None:
    for behaviour in ("tempfail", "nobanner", "drop"):
        _unreachable(release, behaviour)


def a_dns_time_out_is_retried_not_reported(release: str) -> None:
    org = Organisation(release)
    org.add_mailbox("alice")
    org.dns.add_zone("slow.example", timeout=True)
    client = org.client("alice")
    client.send("SMTP:ann@slow.example", subject="Later")
    org.advance(6 * 3600)
    assert client.ndrs() == [] and len(org.ims.queues()["outbound_awaiting_delivery"]) == 1


def send_again_on_a_member_ndr_goes_to_the_member(release: str) -> None:
    org = org_with_replies(release, {"gone@example.net": "550 5.1.1 User unknown"})
    org.add_custom_recipient("gone", "SMTP:gone@example.net", "Gone Person")
    org.add_custom_recipient("ann", "SMTP:ann@example.net", "Ann Other")
    org.add_distribution_list("team", ["gone", "ann"], "Team")
    client = org.client("alice")
    client.send("team", subject="Figures")
    org.internet.host(HOST).recipients.clear()
    client.send_again(client.ndrs()[0])
    assert [d.rcpt_to for d in org.internet.host(HOST).received] == [("ann@example.net",), ("gone@example.net",)]


def nested_lists_report_the_member_once(release: str) -> None:
    org = org_with_replies(release, {"gone@example.net": "550 5.1.1 User unknown"})
    org.add_custom_recipient("gone", "SMTP:gone@example.net", "Gone Person")
    org.add_distribution_list("inner", ["gone"], "Inner")
    org.add_distribution_list("outer", ["inner", "gone"], "Outer")
    org.client("alice").send("outer", subject="Figures")
    (ndr,) = org.client("alice").ndrs()
    _, blocks = dsn_blocks(ndr)
    assert [(b["Original-Recipient"], b["Final-Recipient"]) for b in blocks] == [
        ("rfc822;outer@contoso.com", "rfc822;gone@example.net")]


def an_unknown_local_recipient_is_reported_with_5_1_1(release: str) -> None:
    org = make_org(release)
    session = org.ims.session("198.51.100.7")
    session.transaction("client.example.org", "sender@example.net", ["nobody@contoso.com", "bob@contoso.com"],
                        b"From: sender@example.net\r\nSubject: Hi\r\n\r\nHi.\r\n")
    org.run()
    ((mail_from, rcpts, data),) = [(d.mail_from, d.rcpt_to, d.data) for d in org.internet.host(HOST).received]
    assert (mail_from, rcpts) == ("", ("sender@example.net",))
    from kb.sim.store.report import dsn_fields

    fields = dsn_fields(data)
    assert [(r["Final-Recipient"], r["Status"], r["Action"]) for r in fields.recipients] == [
        ("rfc822;nobody@contoso.com", "5.1.1", "failed")]
    assert [m.subject for m in org.client("bob").inbox()] == ["Hi"]


ROWS = [
    Row("a partial failure delivers to the other recipients and reports only the failed one",
        "RFC 5321 §3.3 (per-recipient RCPT replies)", partial_failure_delivers_the_others),
    Row("a storage reply to one RCPT fails only that recipient", "RFC 821 §4.2.2, RFC 5321 §4.2.2 (552 to RCPT)",
        storage_reply_to_one_rcpt_fails_only_that_recipient,
        (Deviation("Q260741", lambda b: b.ims < IMS_PER_RECIPIENT_STORAGE_REPLY,
                   "before Msexcimc.exe 5.5.2652.39 a 552 to RCPT fails the whole batch"),)),
    Row("a transient failure is retried on the connector schedule", "RFC 5321 §4.5.4.1; Q146669",
        transient_failure_is_retried_on_the_virtual_clock),
    Row("a transient failure expires after the message time-out with Status 4.4.7",
        "RFC 5321 §4.5.4.1; RFC 3463 §3.5 (4.4.7); RFC 3464 §2.3.5, §2.3.6 (the last attempt); Q184051",
        transient_failure_expires_after_the_message_time_out),
    Row("a permanent failure is reported at once and never retried", "RFC 5321 §4.2.1, §4.5.4.1",
        permanent_failure_is_reported_at_once_and_never_retried),
    Row("DSN fields come from the remote reply: Status, Remote-MTA, Diagnostic-Code",
        "RFC 3464 §2.2.2, §2.3.4, §2.3.5, §2.3.6; RFC 3463 §2", dsn_fields_come_from_the_remote_reply),
    Row("a reply without an enhanced code gives its class only", "RFC 3463 §2 (X.0.0)",
        a_reply_without_an_enhanced_code_gives_its_class_only),
    Row("host unknown gives Status 5.4.4 without Remote-MTA", "RFC 3463 §3.5 (5.4.4); RFC 3464 §2.3.5",
        host_unknown_gives_5_4_4_without_remote_mta),
    Row("one DSN block per failed member after list expansion, naming the member",
        "RFC 3464 §2.3.1, §2.3.2; RFC 5321 §3.9.2", one_dsn_block_per_failed_member_after_list_expansion),
    Row("a 5xx to MAIL FROM fails every recipient of the batch", "RFC 5321 §3.3, §4.2.5",
        a_5xx_to_mail_from_fails_every_recipient_of_the_batch),
    Row("a host that refuses service, sends no banner or drops the link is retried", "RFC 5321 §4.5.4.1, §3.8; Q146669",
        a_host_that_is_unavailable_is_retried),
    Row("a DNS time-out is retried, not reported", "RFC 5321 §5.1 (temporary DNS errors); Q184051",
        a_dns_time_out_is_retried_not_reported),
    Row("Send Again on a member's NDR goes to the member", "Q146480; RFC 3464 §2.3.2",
        send_again_on_a_member_ndr_goes_to_the_member),
    Row("nested lists report a member once, under the list the sender used", "RFC 3464 §2.3.1; RFC 5321 §3.9.2",
        nested_lists_report_the_member_once),
    Row("an unknown local recipient is reported with 5.1.1, the others delivered", "RFC 3463 §3.2 (5.1.1); Q246881",
        an_unknown_local_recipient_is_reported_with_5_1_1),
    Row("the NDR is a multipart/report with the delivery status and the original",
        "RFC 3462 §1 (RFC 6522); RFC 3464 §2", the_ndr_is_a_multipart_report_with_the_original),
]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_recipient_results_and_dsns_conform_on_every_release_or_deviate_where_an_article_says(
        row: Row, release: str) -> None:
    judge(row, release)
