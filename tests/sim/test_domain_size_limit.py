"""The per-domain "Maximum size" of the IMS, by Msexcimc.exe build (Q240788, Q231303, Q257264)."""

from __future__ import annotations

import pytest

from kb.sim import DomainRoute, ImsConfig, Organisation

# release or overlay -> is a 3 KB message refused by a 2,000 KB per-domain limit?
MATRIX = {
    "Exchange Server 5.5": False,
    "Exchange Server 5.5 SP1": False,
    "Exchange Server 5.5 SP2": False,
    "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2594.0": False,
    "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2607.0": True,
    "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2650.1": True,
    "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2650.21": False,
    "Exchange Server 5.5 SP3": False,
    "Exchange Server 5.5 SP4": False,
}


def _org(release: str, **ims: object) -> Organisation:
    config = ImsConfig(domain_routes=[DomainRoute("fabrikam.com", max_size_kb=2000)], **ims)  # type: ignore[arg-type]
    org = Organisation(release, ims_config=config)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
    org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
    return org


def _send(org: Organisation, body_bytes: int, to: str = "SMTP:bob@fabrikam.com") -> list[str]:
    """Send a message; return the diagnostic lines of the NDRs it caused."""
    client = org.client("alice")
    before = len(client.ndrs())
    client.send(to, subject="size test", body="x" * body_bytes)
    return [row.supplementary or "" for ndr in client.ndrs()[before:] for row in ndr.recipients]


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_3_kb_message_meets_a_2000_kb_domain_limit_as_the_ims_build_reads_it(release: str) -> None:
    org = _org(release)
    diagnostics = _send(org, 3000)
    received = org.internet.host("mail.fabrikam.com").received
    if MATRIX[release]:
        assert received == []
        assert diagnostics == ["MSEXCH:IMS:Contoso:Redmond:EXCH01 3903 (000B099C) Message exceeds size limit"]
    else:
        assert diagnostics == []
        assert [d.rcpt_to for d in received] == [("bob@fabrikam.com",)]


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_message_over_the_domain_limit_is_refused_on_every_build(release: str) -> None:
    org = _org(release)
    assert _send(org, 2100 * 1024) == ["MSEXCH:IMS:Contoso:Redmond:EXCH01 3903 (000B099C) Message exceeds size limit"]
    assert org.internet.host("mail.fabrikam.com").received == []


@pytest.mark.parametrize("release", list(MATRIX))
def test_the_domain_limit_leaves_mail_to_other_domains_alone(release: str) -> None:
    org = _org(release)
    org.add_remote_host("mail.example.net", "192.0.2.26")
    org.dns.add_zone("example.net", mx=[(10, "mail.example.net")])
    assert _send(org, 3000, "SMTP:carol@example.net") == []
    assert len(org.internet.host("mail.example.net").received) == 1


@pytest.mark.parametrize(
    ("release", "enforced"),
    [
        ("Exchange Server 5.5 SP2", False),
        ("Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2591.0", True),
        ("Exchange Server 5.5 SP3", True),
        ("Exchange Server 5.5 SP4", True),
    ],
)
def test_outbound_size_limit_in_the_registry_counts_bytes_from_the_build_that_added_it(release: str, enforced: bool) -> None:
    org = _org(release, registry={"OutboundSizeLimit": 2048})
    org.add_remote_host("mail.example.net", "192.0.2.26")
    org.dns.add_zone("example.net", mx=[(10, "mail.example.net")])
    diagnostics = _send(org, 3000, "SMTP:carol@example.net")
    assert bool(diagnostics) is enforced
    assert len(org.internet.host("mail.example.net").received) == (0 if enforced else 1)
