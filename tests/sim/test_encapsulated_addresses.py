"""The store parsing encapsulated header addresses on an inbound submit (Q193782, Q189492)."""

from __future__ import annotations

import pytest

from kb.exceptions import SimError
from kb.sim import Organisation
from kb.sim.store.imail import decode_encapsulated

GOOD = "IMCEAEX-_O=Contoso_OU=Europe_CN=Recipients_CN=Mail+3bLondon@contoso.com"
CORRUPTED = "IMCEAEX-_O=Contoso_OU=Europe_CN=Recipients_CN=Mail+3LLondon@contoso.com"
# release -> does a corrupted encapsulated address shut the IMS down (IS 12800, IMC 4182)?
MATRIX = {
    "Exchange Server 5.5": True,
    "Exchange Server 5.5 SP1": True,
    "Exchange Server 5.5 SP1 + Store.exe 5.5.2398.0": True,
    "Exchange Server 5.5 SP1 + Store.exe 5.5.2417.0": False,
    "Exchange Server 5.5 SP1 + Msexcimc.exe 5.5.2417.0": True,  # the fix is in the store, not the IMS
    "Exchange Server 5.5 SP2": False,
    "Exchange Server 5.5 SP3": False,
    "Exchange Server 5.5 SP4": False,
}


def _inbound(org: Organisation, cc: str, subject: str = "forwarded") -> str:
    session = org.ims.session("192.0.2.7", "mail.example.net")
    session.mail("pat@example.net")
    session.rcpt("alice@contoso.com")
    data = f"From: pat@example.net\r\nTo: alice@contoso.com\r\nCc: {cc}\r\nSubject: {subject}\r\n\r\nHi.\r\n"
    name = session.data(data.encode("ascii")).text.split()[0]
    org.run()
    return name


def _org(release: str) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    return org


def test_plus_escapes_decode_to_their_characters() -> None:
    assert decode_encapsulated("IMCEASMTP-user+40host+2Ecom") == "IMCEASMTP-user@host.com"
    assert decode_encapsulated("Mail+3bLondon") == "Mail;London"


@pytest.mark.parametrize("bad", ["Mail+3LLondon", "trailing+", "short+4"])
def test_a_plus_without_two_hex_digits_is_a_corrupted_escape(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_encapsulated(bad)


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_well_formed_encapsulated_address_is_delivered_on_every_build(release: str) -> None:
    org = _org(release)
    _inbound(org, GOOD)
    assert [m.subject for m in org.client("alice").inbox()] == ["forwarded"]
    assert org.ims.state == "running"


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_corrupted_encapsulated_address_shuts_the_ims_down_until_store_2417(release: str) -> None:
    org = _org(release)
    name = _inbound(org, CORRUPTED)
    ids = [(e.source, e.event_id) for e in org.eventlog.entries()]
    assert org.client("alice").inbox() == []
    if MATRIX[release]:
        assert ids == [("MSExchangeIS", 12800), ("MSExchangeIMC", 4182), ("MSExchangeIMC", 4102), ("MSExchangeIMC", 1001)]
        assert org.ims.state == "stopped"
        assert [f.name for f in org.ims.spool.list("IN")] == [name]  # retried at restart
        with pytest.raises(SimError, match="refused"):
            org.ims.session("192.0.2.7")
    else:
        assert ids == [("MSExchangeIS", 12004), ("MSExchangeIMC", 4117)]
        assert org.ims.state == "running"
        assert [f.name for f in org.ims.spool.list("IN\\ARCHIVE")] == [name]


@pytest.mark.parametrize("release", [r for r, stops in MATRIX.items() if stops])
def test_a_restart_meets_the_same_spool_file_and_stops_again(release: str) -> None:
    org = _org(release)
    _inbound(org, CORRUPTED)
    org.ims.start()
    org.run()
    assert org.ims.state == "stopped"
    assert len(org.eventlog.entries(source="MSExchangeIMC", event_id=4182)) == 2
