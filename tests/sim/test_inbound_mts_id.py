"""The MTS-ID of inbound mail, built from the IMS administrator's X.400 address (Q253619, Q156710)."""

from __future__ import annotations

import pytest

from kb.sim import ImsConfig, Organisation
from kb.sim.ims.mtsid import x400_fields

UPPER = "C=US; A=ADMD; P=PRMD; S=Administrator"
LOWER = "c=US; a=ADMD; p=PRMD; s=Administrator"
# release -> is mail for a custom recipient lost with MTA 3150 when the address is upper case?
MATRIX = {
    "Exchange Server 5.5": True,
    "Exchange Server 5.5 SP1": True,
    "Exchange Server 5.5 SP2": True,
    "Exchange Server 5.5 SP3": True,
    "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2651.58": True,
    "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39": False,
    "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17": True,  # the fix is in the IMS, not the store
    "Exchange Server 5.5 SP4": False,
}


def _org(release: str, admin_x400: str) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(administrator="admin"))
    org.add_mailbox("admin", "IMS Administrator").x400 = admin_x400
    org.add_mailbox("alice", "Alice Smith")
    org.add_custom_recipient("partner", "SMTP:partner@fabrikam.com", "Partner", smtp=["partner@contoso.com"])
    org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
    org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
    org.add_remote_host("mail.example.net", "192.0.2.7")
    org.dns.add_zone("example.net", mx=[(10, "mail.example.net")])
    return org


def _inbound(org: Organisation, *recipients: str) -> None:
    session = org.ims.session("192.0.2.7", "mail.example.net")
    session.mail("pat@example.net")
    for recipient in recipients:
        session.rcpt(recipient)
    session.data(b"From: pat@example.net\r\nSubject: figures\r\n\r\nHi.\r\n")
    org.run()
    org.advance(3600)


def test_the_pre_fix_parser_sees_only_lower_case_keys() -> None:
    assert x400_fields(UPPER, any_case=False) == {}
    assert x400_fields(LOWER, any_case=False) == {"c": "US", "a": "ADMD", "p": "PRMD"}
    assert x400_fields(UPPER, any_case=True) == {"c": "US", "a": "ADMD", "p": "PRMD"}


@pytest.mark.parametrize("release", list(MATRIX))
def test_an_upper_case_administrator_address_loses_mail_for_a_custom_recipient(release: str) -> None:
    org = _org(release, UPPER)
    _inbound(org, "partner@contoso.com")
    relayed = org.internet.host("mail.fabrikam.com").received
    reports = org.internet.host("mail.example.net").received
    mta_events = org.eventlog.entries(source="MSExchangeMTA", event_id=3150)
    if MATRIX[release]:
        assert relayed == [] and reports == []
        assert len(mta_events) == 1
        assert mta_events[0].type == "Warning" and mta_events[0].category == "X.400 Service"
        assert "cn=Internet Mail Connector (EXCH01). [XAPI GATEWAY 30 1 130 (14)." in mta_events[0].description
    else:
        assert [d.rcpt_to for d in relayed] == [("partner@fabrikam.com",)]
        assert mta_events == []


@pytest.mark.parametrize("release", list(MATRIX))
def test_the_workaround_lower_case_address_works_on_every_build(release: str) -> None:
    org = _org(release, LOWER)
    _inbound(org, "partner@contoso.com")
    assert [d.rcpt_to for d in org.internet.host("mail.fabrikam.com").received] == [("partner@fabrikam.com",)]
    assert org.eventlog.entries(source="MSExchangeMTA") == []


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_local_mailbox_gets_its_copy_whatever_the_mts_id(release: str) -> None:
    org = _org(release, UPPER)
    _inbound(org, "alice@contoso.com")
    (message,) = org.client("alice").inbox()
    expected = "l=EXCH01-" if MATRIX[release] else "c=US;a=ADMD;p=PRMD;l=EXCH01-"
    assert message.mts_id.startswith(expected)
