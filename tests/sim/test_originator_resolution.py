"""The store resolving the P2 originator of inbound mail when ResolveP2 is set (Q201904, Q192583)."""

from __future__ import annotations

import pytest

from kb.sim import ImsConfig, Organisation

# release -> is mail from a duplicated custom recipient archived (IS 12004, IMC 4117)?
MATRIX = {
    "Exchange Server 5.5": True,
    "Exchange Server 5.5 SP1": True,
    "Exchange Server 5.5 SP1 + Store.exe 5.5.2398.0": False,
    "Exchange Server 5.5 SP1 + Msexcimc.exe 5.5.2436.0": True,  # the fix is in the store, not the IMS
    "Exchange Server 5.5 SP2": False,
    "Exchange Server 5.5 SP3": False,
    "Exchange Server 5.5 SP4": False,
}


def _org(release: str, resolve_p2: int = 1) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(registry={"ResolveP2": resolve_p2}))
    org.add_mailbox("alice", "Alice Smith")
    org.add_custom_recipient("someone-x", "SMTP:someone@fabrikam.com", "Someone")
    org.add_custom_recipient("someone-y", "SMTP:someone@fabrikam.com", "Someone")
    org.add_custom_recipient("buyer", "SMTP:buyer@fabrikam.com", "Fabrikam Buyer")
    return org


def _inbound(org: Organisation, sender: str) -> str:
    session = org.ims.session("192.0.2.25", "mail.fabrikam.com")
    session.mail(sender)
    session.rcpt("alice@contoso.com")
    name = session.data(f"From: {sender}\r\nSubject: hello\r\n\r\nHi.\r\n".encode("ascii")).text.split()[0]
    org.run()
    return name


def test_both_replicated_entries_match_the_address() -> None:
    org = _org("Exchange Server 5.5 SP2")
    assert [e.alias for e in org.directory.matching("Someone@Fabrikam.com")] == ["someone-x", "someone-y"]
    assert [e.alias for e in org.directory.matching("buyer@fabrikam.com")] == ["buyer"]


@pytest.mark.parametrize("release", list(MATRIX))
def test_mail_from_a_duplicated_custom_recipient_is_archived_until_store_2398(release: str) -> None:
    org = _org(release)
    name = _inbound(org, "someone@fabrikam.com")
    events = [(e.source, e.event_id) for e in org.eventlog.entries()]
    if MATRIX[release]:
        assert org.client("alice").inbox() == []
        assert events == [("MSExchangeIS", 12004), ("MSExchangeIMC", 4117)]
        assert f"The archive filename is '{name}'." in org.eventlog.entries(source="MSExchangeIS")[0].description
        assert [f.name for f in org.ims.spool.list("IN\\ARCHIVE")] == [name]
    else:
        assert [m.sender for m in org.client("alice").inbox()] == ["someone@fabrikam.com"]
        assert events == []
        assert org.ims.spool.list("IN\\ARCHIVE") == []


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_unique_custom_recipient_is_resolved_to_its_display_name(release: str) -> None:
    org = _org(release)
    _inbound(org, "buyer@fabrikam.com")
    assert [m.sender_name for m in org.client("alice").inbox()] == ["Fabrikam Buyer"]


@pytest.mark.parametrize("release", list(MATRIX))
def test_without_resolve_p2_the_duplicate_does_not_matter(release: str) -> None:
    org = _org(release, resolve_p2=0)
    _inbound(org, "someone@fabrikam.com")
    assert len(org.client("alice").inbox()) == 1
    assert org.eventlog.entries() == []
