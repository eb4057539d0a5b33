"""The inbound relay gate and encapsulated one-off addresses, on every release (Q237927, Q264330)."""

from __future__ import annotations

import pytest

from kb.sim import ImsConfig, Organisation, RelayRules
from kb.sim.ims.recipients import decapsulate, split

BEFORE_SP3 = {"Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2"}
SP4 = {"Exchange Server 5.5 SP4"}
CANONICAL = "IMCEASMTP-user+40partner+2Eexample@contoso.com"
LOOSE = '"IMCEA user@partner.example"@contoso.com'
PLAIN = "user@partner.example"


def make(release: str, **config: object) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(**config))  # type: ignore[arg-type]
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mx.partner.example", "198.51.100.25")
    org.dns.add_zone("partner.example", mx=[(10, "mx.partner.example")])
    org.add_remote_host("smarthost.partner.example", "198.51.100.99")
    return org


def offer(org: Organisation, rcpt: str, authenticated: bool = False) -> int:
    """Offer one message for ``rcpt``; return the RCPT reply code."""
    session = org.ims.session(peer_ip="203.0.113.66", authenticated=authenticated)
    session.helo("client.example")
    session.mail("someone@client.example")
    code = session.rcpt(rcpt).code
    if code == 250:
        assert session.data(b"From: someone@client.example\r\nSubject: hi\r\n\r\nhi\r\n").code == 250
        org.run()
    return code


def relayed(org: Organisation) -> list[list[str]]:
    return [list(d.rcpt_to) for h in org.internet.hosts() for d in h.received]


@pytest.mark.parametrize(("local", "target"), [
    ("IMCEASMTP-user+40partner+2Eexample", "user@partner.example"),
    ("imceasmtp-a+2Eb+40c+2Eexample", "a.b@c.example"),
    ("IMCEA user@partner.example", "user@partner.example"),
    ("IMCEAEX-_O=Org_OU=Site_CN=Recipients_CN=bob", None),
    ("IMCEASMTP-user+4", None),
    ("alice", None),
])
def test_the_decapsulator_reads_smtp_encapsulations(local: str, target: str | None) -> None:
    assert decapsulate(local) == target


def test_a_quoted_local_part_loses_its_quotes() -> None:
    assert split(LOOSE) == ("IMCEA user@partner.example", "contoso.com")


def test_with_rerouting_off_an_imceasmtp_address_is_rerouted_before_sp3(release: str) -> None:
    org = make(release, reroute_incoming=False)
    code = offer(org, CANONICAL)
    if release in BEFORE_SP3:
        assert code == 250 and relayed(org) == [["user@partner.example"]]
    else:
        assert code == 550 and relayed(org) == []


def test_with_rerouting_off_a_plain_foreign_address_is_refused_on_every_build(release: str) -> None:
    org = make(release, reroute_incoming=False)
    assert offer(org, PLAIN) == 550
    assert relayed(org) == []


def test_local_mail_is_delivered_with_rerouting_off_on_every_build(release: str) -> None:
    org = make(release, reroute_incoming=False)
    assert offer(org, "alice@contoso.com") == 250
    assert [m.subject for m in org.client("alice").inbox()] == ["hi"]


@pytest.mark.parametrize("rcpt", [CANONICAL, LOOSE])
def test_restrictions_judge_the_decapsulated_target_from_the_build_that_sees_the_form(release: str, rcpt: str) -> None:
    org = make(release, forward_host="smarthost.partner.example", relay=RelayRules(flags=8))
    code = offer(org, rcpt)
    leaks = release not in SP4 and (rcpt == LOOSE or release in BEFORE_SP3)
    if leaks:
        assert code == 250 and relayed(org) == [["user@partner.example"]]
        assert [h.name for h in org.internet.hosts() if h.received] == ["smarthost.partner.example"]
    else:
        assert code == 550 and relayed(org) == []


@pytest.mark.parametrize("rcpt", [CANONICAL, LOOSE, PLAIN])
def test_an_authenticated_client_may_relay_to_any_form_on_every_build(release: str, rcpt: str) -> None:
    org = make(release, relay=RelayRules(flags=8))
    assert offer(org, rcpt, authenticated=True) == 250
    assert relayed(org) == [["user@partner.example"]]
