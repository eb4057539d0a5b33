"""Conformance rows: loops (forwarding rules, a list containing itself, hop count), on every release."""

from __future__ import annotations

import pytest

from sim_conformance import HOST, RELEASES, Row, every_message, inbound, judge, make_org, received_ndrs, row_id


def forwarding_rules_in_a_circle_do_not_loop(release: str) -> None:
    org = make_org(release)
    org.client("alice").add_rule("forward", "bob")
    org.client("bob").add_rule("forward", "alice")
    org.client("bob").send("alice", subject="Round and round")
    assert org.run() == 0
    assert len(org.client("alice").inbox()) == 1
    assert len(org.client("bob").inbox()) == 1  # the auto-forward, which no rule acts on again


def a_rule_forwarding_to_the_internet_and_back_does_not_loop(release: str) -> None:
    org = make_org(release)
    org.client("alice").add_rule("forward", "SMTP:carol@example.net")
    inbound(org, "carol@example.net", ["alice@contoso.com"])
    assert len(org.internet.host(HOST).received) == 1
    assert len(org.client("alice").inbox()) == 1


def a_list_containing_itself_delivers_once_to_each_member(release: str) -> None:
    org = make_org(release)
    org.add_distribution_list("first", ["alice"], "First")
    org.add_distribution_list("second", ["bob", "first"], "Second")
    org.directory.get("first").members.append("second")  # type: ignore[union-attr]
    org.client("alice").send("first", subject="Everyone")
    assert [m.subject for m in org.client("alice").inbox()] == ["Everyone"]
    assert [m.subject for m in org.client("bob").inbox()] == ["Everyone"]


def hops(count: int) -> str:
    return "".join(f"Received: from relay{i}.example.org by relay{i + 1}.example.org; Tue, 11 Jan 2000 09:00:00 +0000\r\n"
                   for i in range(count))


def mail_over_the_hop_count_is_not_delivered_and_is_reported(release: str) -> None:
    org = make_org(release)
    inbound(org, "sender@example.net", ["bob@contoso.com"],
            headers=hops(100) + "From: Sender <sender@example.net>\r\nTo: bob@contoso.com\r\n")
    assert org.client("bob").inbox() == []
    assert [e.event_id for e in org.eventlog.entries(source="MSExchangeIMC", event_id=4098)] == [4098]
    assert [e.event_id for e in org.eventlog.entries(source="MSExchangeIS", event_id=12071)] == [12071]
    ((mail_from, rcpts, data),) = received_ndrs(org)
    assert (mail_from, rcpts) == ("", ("sender@example.net",))
    assert b"Status: 5.4.6" in data
    assert [f.note for f in org.ims.spool.list("IN\\ARCHIVE")] == ["event 4098"]


def mail_at_the_hop_count_is_delivered(release: str) -> None:
    org = make_org(release)
    inbound(org, "sender@example.net", ["bob@contoso.com"],
            headers=hops(99) + "From: Sender <sender@example.net>\r\nTo: bob@contoso.com\r\n")
    assert [m.subject for m in org.client("bob").inbox()] == ["conformance"]  # 99 + the IMS's own = 100


def a_looping_report_is_dropped_not_answered(release: str) -> None:
    org = make_org(release)
    inbound(org, "", ["bob@contoso.com"], headers=hops(120) + "From: postmaster@example.net\r\nTo: bob@contoso.com\r\n")
    assert org.internet.host(HOST).received == [] and not every_message(org)


ROWS = [
    Row("forwarding rules in a circle do not loop", "RFC 5321 §6.3; Q192982 (PR_AUTO_FORWARDED)",
        forwarding_rules_in_a_circle_do_not_loop),
    Row("a rule forwarding to the Internet does not forward its own mail again", "RFC 5321 §6.3",
        a_rule_forwarding_to_the_internet_and_back_does_not_loop),
    Row("a list containing itself delivers once to each member", "RFC 5321 §3.9.2, §6.3",
        a_list_containing_itself_delivers_once_to_each_member),
    Row("mail over the hop count is not delivered and is reported with 5.4.6",
        "RFC 5321 §6.3; RFC 3463 §3.5; Q260247 (IS 12071, IMS 4098)", mail_over_the_hop_count_is_not_delivered_and_is_reported),
    Row("mail at the hop count is delivered", "RFC 5321 §6.3 (at least 100)", mail_at_the_hop_count_is_delivered),
    Row("a looping report is dropped, not answered", "RFC 5321 §4.5.5, §6.3", a_looping_report_is_dropped_not_answered),
]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_loops_are_broken_on_every_release_or_deviate_where_an_article_says(row: Row, release: str) -> None:
    judge(row, release)
