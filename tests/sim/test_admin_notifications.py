"""Administrator notifications of the IMS, filtered on (reason, diagnostic) codes (Q217195)."""

from __future__ import annotations

import pytest

from kb.sim import ImsConfig, Organisation

# release -> is an unknown-address NDR copied to an administrator who chose only "host not found"?
MATRIX = {
    "Exchange Server 5.5": True,
    "Exchange Server 5.5 SP1": True,
    "Exchange Server 5.5 SP2": True,
    "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2539.1": True,
    "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2558.0": False,
    "Exchange Server 5.5 SP3": False,
    "Exchange Server 5.5 SP4": False,
}


def _org(release: str, notifications: str | list[str]) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(administrator="admin", notifications=notifications))
    org.add_mailbox("admin", "IMS Administrator")
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mail.fabrikam.com", "192.0.2.25", recipients={"nobody@fabrikam.com": "550 5.1.1 User unknown"})
    org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
    return org


def _admin_copies_after(org: Organisation, recipient: str) -> int:
    before = len(org.client("admin").ndrs())
    org.client("alice").send(recipient, subject="test", body="Hello.")
    assert org.client("alice").ndrs(), "the sender always gets the NDR"
    return len(org.client("admin").ndrs()) - before


@pytest.mark.parametrize("release", list(MATRIX))
def test_an_unknown_address_notifies_an_administrator_who_chose_only_host_not_found_before_2558(release: str) -> None:
    org = _org(release, ["host"])
    assert _admin_copies_after(org, "SMTP:nobody@fabrikam.com") == (1 if MATRIX[release] else 0)


@pytest.mark.parametrize("release", list(MATRIX))
def test_the_ndr_row_carries_the_codes_the_build_sets(release: str) -> None:
    org = _org(release, ["host"])
    org.client("alice").send("SMTP:nobody@fabrikam.com", subject="test")
    (row,) = org.client("alice").ndrs()[0].recipients
    assert (row.ndr_reason, row.ndr_diag) == ((0, 255) if MATRIX[release] else (1, 0))
    assert row.supplementary == "MSEXCH:IMS:Contoso:Redmond:EXCH01 3550 (000C05A6) 550 5.1.1 User unknown"


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_host_not_found_failure_notifies_the_administrator_who_chose_it_on_every_build(release: str) -> None:
    org = _org(release, ["host"])
    assert _admin_copies_after(org, "SMTP:joe@no-such-host.example") == 1


@pytest.mark.parametrize("release", list(MATRIX))
def test_the_address_option_catches_unknown_addresses_only_once_they_carry_their_own_codes(release: str) -> None:
    org = _org(release, ["address"])
    fixed = not MATRIX[release]
    # Before the fix the failure carries host-not-found codes, so the "address" option misses it.
    assert _admin_copies_after(org, "SMTP:nobody@fabrikam.com") == (1 if fixed else 0)


@pytest.mark.parametrize("release", list(MATRIX))
def test_all_copies_every_failure_and_none_copies_nothing(release: str) -> None:
    assert _admin_copies_after(_org(release, "all"), "SMTP:nobody@fabrikam.com") == 1
    assert _admin_copies_after(_org(release, []), "SMTP:nobody@fabrikam.com") == 0
