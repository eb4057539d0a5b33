"""Server-side Inbox rules and what the IMS lets out when auto replies are disabled (Q192982)."""

from __future__ import annotations

import pytest

from kb.exceptions import SimError
from kb.sim import ImsConfig, Organisation

# Msexcimc.exe 5.5.2407.0 (in SP2) tells an auto forward from an auto reply, given the registry value.
TELLS_FORWARD_FROM_REPLY = {"Exchange Server 5.5 SP2", "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4",
                            "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"}
HOST = "mx.example.net"


def make(release: str, **config: object) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(**config))  # type: ignore[arg-type]
    org.add_mailbox("alice", "Alice Smith")
    org.add_mailbox("bob", "Bob Jones")
    org.add_mailbox("carl", "Carl Diaz")
    org.add_remote_host(HOST, "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    return org


def internet(org: Organisation) -> list[tuple[list[str], bool]]:
    """Return (recipients, is an auto forward) of what reached the Internet."""
    return [(list(d.rcpt_to), b"Subject: FW: " in d.data) for d in org.internet.host(HOST).received]


def test_a_forward_rule_sends_an_auto_forward_on_every_build(release: str) -> None:
    org = make(release)
    org.client("bob").add_rule("forward", to="carl")
    org.client("alice").send("bob", subject="Budget", body="Numbers.")
    [copy] = org.client("carl").inbox()
    assert copy.subject == "FW: Budget" and copy.props["PR_AUTO_FORWARDED"] is True
    assert copy.sender == "bob@contoso.com"


def test_rules_do_not_act_on_reports_or_generated_mail(release: str) -> None:
    org = make(release)
    org.client("bob").add_rule("forward", to="carl")
    org.client("carl").add_rule("forward", to="bob")  # a loop, broken because forwards are not forwarded
    org.client("alice").send("bob", subject="Loop?")
    assert [m.subject for m in org.client("carl").inbox()] == ["FW: Loop?"]
    assert [m.subject for m in org.client("bob").inbox()] == ["Loop?"]


def test_a_reply_rule_answers_the_sender_with_an_auto_reply_class(release: str) -> None:
    org = make(release)
    org.client("bob").add_rule("reply", text="Out this week.")
    org.client("alice").send("bob", subject="Lunch")
    [reply] = org.client("alice").inbox()
    assert (reply.subject, reply.message_class) == ("RE: Lunch", "IPM.Note.Rules.ReplyTemplate.Microsoft")


@pytest.mark.parametrize("allow", [0, 1])
def test_an_auto_forward_to_the_internet_with_auto_replies_disabled(release: str, allow: int) -> None:
    org = make(release, disable_auto_replies=True, registry={"AlwaysAllowForwarding": allow})
    org.client("bob").add_rule("forward", to="SMTP:bob.home@example.net")
    org.client("alice").send("bob", subject="Budget")
    if allow and release in TELLS_FORWARD_FROM_REPLY:
        assert internet(org) == [(["bob.home@example.net"], True)]
        assert org.eventlog.entries(event_id=4123) == []
    else:
        assert internet(org) == []
        [event] = org.eventlog.entries(source="MSExchangeIMC", event_id=4123)
        assert "has been intentionally dropped" in event.description


def test_an_auto_forward_goes_out_when_auto_replies_are_allowed_on_every_build(release: str) -> None:
    org = make(release)
    org.client("bob").add_rule("forward", to="SMTP:bob.home@example.net")
    org.client("alice").send("bob", subject="Budget")
    assert internet(org) == [(["bob.home@example.net"], True)]


def test_an_auto_reply_to_the_internet_stays_suppressed_with_always_allow_forwarding(release: str) -> None:
    org = make(release, disable_auto_replies=True, registry={"AlwaysAllowForwarding": 1})
    org.client("bob").add_rule("reply", text="Out this week.")
    session = org.ims.session(peer_ip="192.0.2.25")
    session.helo(HOST)
    session.mail("carol@example.net")
    session.rcpt("bob@contoso.com")
    session.data(b"From: carol@example.net\r\nSubject: Lunch\r\n\r\nLunch?\r\n")
    org.run()
    assert internet(org) == []
    assert len(org.eventlog.entries(event_id=4123)) == 1


def test_a_rule_needs_a_known_action_and_a_target() -> None:
    org = make("Exchange Server 5.5 SP4")
    with pytest.raises(SimError, match="'bounce' is not one of forward, reply"):
        org.client("bob").add_rule("bounce")
    with pytest.raises(SimError, match="needs a recipient"):
        org.client("bob").add_rule("forward")
