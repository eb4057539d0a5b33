"""x-mac-type / x-mac-creator attachment parameters in inbound mail, on every release (Q252624)."""

from __future__ import annotations

import pytest

from kb.sim import Organisation

# The store build decides: ignored before the SP3 store, rejected by the SP3 store, dropped by
# Store.exe 5.5.2652.17 and later (SP4, or SP3 with the post-SP3 store fix).
REJECTS = {"Exchange Server 5.5 SP3"}


def message(params: str) -> bytes:
    return (
        "From: designer@example.org\r\nTo: alice@contoso.com\r\nSubject: Layout\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n'
        f'--b\r\nContent-Type: application/octet-stream; name="L.QXD"{params}\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n"
    ).encode()


def receive(release: str, data: bytes) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    session = org.ims.session(peer_ip="192.0.2.70")
    session.helo("mac.example.org")
    session.mail("designer@example.org")
    session.rcpt("alice@contoso.com")
    assert session.data(data).code == 250
    org.run()
    return org


@pytest.mark.parametrize("params", ['; x-mac-type="XDOC"; x-mac-creator="XPR3"', '; x-mac-creator="XPR3"',
                                    '; x-mac-type="42494E4"'])
def test_an_illegal_value_is_archived_with_12006_and_4117_only_by_the_sp3_store(release: str, params: str) -> None:
    org = receive(release, message(params))
    inbox = org.client("alice").inbox()
    if release in REJECTS:
        assert inbox == []
        [is_event] = org.eventlog.entries(source="MSExchangeIS", event_id=12006)
        [imc_event] = org.eventlog.entries(source="MSExchangeIMC", event_id=4117)
        assert (is_event.category, imc_event.category) == ("Content Engine", "Internal Processing")
        [archived] = org.ims.spool.list("IN\\ARCHIVE")
        assert f"'{archived.name}'" in is_event.description and archived.name in imc_event.description
    else:
        assert [m.subject for m in inbox] == ["Layout"]
        assert org.eventlog.entries() == [] and org.ims.spool.list("IN\\ARCHIVE") == []


@pytest.mark.parametrize("params", ['; x-mac-type="42494E41"; x-mac-creator="4D535744"', ""])
def test_legal_or_absent_values_are_delivered_on_every_build(release: str, params: str) -> None:
    org = receive(release, message(params))
    assert [m.subject for m in org.client("alice").inbox()] == ["Layout"]
    assert org.eventlog.entries() == []


def test_the_regression_is_in_the_store_not_the_ims() -> None:
    data = message('; x-mac-creator="XPR3"')
    sp4_ims_on_sp3_store = "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2653.0"
    sp3_store_on_sp2 = "Exchange Server 5.5 SP2 + Store.exe 5.5.2650.23"
    assert receive(sp4_ims_on_sp3_store, data).client("alice").inbox() == []
    assert receive(sp3_store_on_sp2, data).client("alice").inbox() == []
    assert len(receive("Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17", data).client("alice").inbox()) == 1
