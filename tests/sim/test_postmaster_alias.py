"""How the inbound IMS matches the postmaster alias, on every release (Q245041)."""

from __future__ import annotations

import pytest

from kb.sim import ImsConfig, Organisation

FIXED = {"Exchange Server 5.5 SP4"}  # Msexcimc.exe 5.5.2651.58 and later


def make(release: str, administrator: str = "") -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(administrator=administrator))
    org.add_mailbox("administrator", "Administrator", smtp=["administrator@contoso.com", "postmaster@contoso.com"])
    org.add_mailbox("pauline", "Pauline Price", smtp=["pauline@contoso.com", "p@contoso.com"])
    org.add_remote_host("mx.example.org", "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, "mx.example.org")])
    return org


def receive(org: Organisation, rcpt: str) -> None:
    session = org.ims.session(peer_ip="192.0.2.50")
    session.helo("mx.example.org")
    session.mail("lee@example.org")
    assert session.rcpt(rcpt).code == 250
    assert session.data(f"From: lee@example.org\r\nTo: {rcpt}\r\nSubject: For {rcpt}\r\n\r\nHi.\r\n".encode()).code == 250
    org.run()


def subjects(org: Organisation, alias: str) -> list[str]:
    return [m.subject for m in org.client(alias).inbox()]


@pytest.mark.parametrize("local", ["po", "pos", "post", "postm", "POSTMAST"])
def test_a_prefix_of_postmaster_reaches_the_postmaster_account_before_sp4(release: str, local: str) -> None:
    org = make(release)
    receive(org, f"{local}@contoso.com")
    if release in FIXED:
        assert subjects(org, "administrator") == []
        [ndr] = [d.data.decode() for d in org.internet.host("mx.example.org").received]
        assert "0 (000C05A6) Unknown Recipient" in ndr
    else:
        assert subjects(org, "administrator") == [f"For {local}@contoso.com"]


def test_an_address_a_user_owns_reaches_the_user_on_every_build(release: str) -> None:
    org = make(release)
    receive(org, "p@contoso.com")
    assert subjects(org, "pauline") == ["For p@contoso.com"]
    assert subjects(org, "administrator") == []


def test_postmaster_itself_reaches_the_postmaster_account_on_every_build(release: str) -> None:
    org = make(release)
    receive(org, "Postmaster@contoso.com")
    assert subjects(org, "administrator") == ["For Postmaster@contoso.com"]


def test_without_a_postmaster_proxy_the_ims_administrator_mailbox_is_the_postmaster(release: str) -> None:
    org = Organisation(release, ims_config=ImsConfig(administrator="admin"))
    org.add_mailbox("admin", "IMS Admin")
    org.add_remote_host("mx.example.org", "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, "mx.example.org")])
    receive(org, "postmaster@contoso.com")
    receive(org, "post@contoso.com")
    expected = ["For postmaster@contoso.com"] + ([] if release in FIXED else ["For post@contoso.com"])
    assert subjects(org, "admin") == expected


def test_other_unknown_local_parts_are_unknown_recipients_on_every_build(release: str) -> None:
    org = make(release)
    receive(org, "pastmaster@contoso.com")
    assert subjects(org, "administrator") == []
    assert "Unknown Recipient" in org.internet.host("mx.example.org").received[0].data.decode()
