"""The IMS fetching an MTS-OUT message's properties under the store's 32 KB RPC cap (Q193639)."""

from __future__ import annotations

import pytest

from kb.sim import Organisation

RECIPIENTS = [f"SMTP:user{n:03d}@fabrikam.com" for n in range(500)]
HEADERS = "".join(f"X-Relay-Trace-{n:04d}: hop through gateway{n % 7}.example.net\r\n" for n in range(450))
# release -> does the IMS stop (4116) on a message whose properties exceed 32 KB?
MATRIX = {
    "Exchange Server 5.5": True,
    "Exchange Server 5.5 SP1": True,
    "Exchange Server 5.5 SP1 + Msexcimc.exe 5.5.2407.0": True,
    "Exchange Server 5.5 SP1 + Msexcimc.exe 5.5.2417.0": False,
    "Exchange Server 5.5 SP2": False,
    "Exchange Server 5.5 SP3": False,
    "Exchange Server 5.5 SP4": False,
}


def _org(release: str) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
    org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
    return org


def _send_large(org: Organisation) -> None:
    org.client("alice").send(RECIPIENTS, subject="Trace", body="b", props={"PR_TRANSPORT_MESSAGE_HEADERS": HEADERS})


def test_the_trigger_message_has_one_property_over_21_kb_and_more_than_32_kb_in_all() -> None:
    org = _org("Exchange Server 5.5 SP2")
    sizes = org.store.property_sizes(
        org.client("alice").compose(RECIPIENTS, subject="Trace", props={"PR_TRANSPORT_MESSAGE_HEADERS": HEADERS})
    )
    assert sizes["PR_TRANSPORT_MESSAGE_HEADERS"] > 21 * 1024
    assert sum(sizes.values()) > 32 * 1024


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_message_with_over_32_kb_of_properties_stops_the_ims_only_before_build_2417(release: str) -> None:
    org = _org(release)
    _send_large(org)
    events = org.eventlog.entries(source="MSExchangeIMC", event_id=4116)
    received = org.internet.host("mail.fabrikam.com").received
    if MATRIX[release]:
        assert org.ims.state == "stopped"
        assert [e.data.hex(" ") for e in events] == ["74 00 05 00 0e 00 07 80"]
        assert [m["subject"] for m in org.ims.queues()["outbound_awaiting_conversion"]] == ["Trace"]
        assert received == []
    else:
        assert org.ims.state == "running"
        assert events == []
        assert len({r for d in received for r in d.rcpt_to}) == 500


@pytest.mark.parametrize("release", [r for r, stops in MATRIX.items() if stops])
def test_the_stopped_ims_retries_the_message_at_restart_and_stops_again(release: str) -> None:
    org = _org(release)
    _send_large(org)
    org.ims.start()
    org.run()
    assert org.ims.state == "stopped"
    assert len(org.eventlog.entries(source="MSExchangeIMC", event_id=4116)) == 2
    assert len(org.eventlog.entries(source="MSExchangeIMC", event_id=1001)) == 2


@pytest.mark.parametrize("release", list(MATRIX))
def test_ordinary_mail_still_flows_on_every_build(release: str) -> None:
    org = _org(release)
    org.client("alice").send("SMTP:carol@fabrikam.com", subject="Lunch?", body="12:30?")
    assert org.ims.state == "running"
    assert len(org.internet.host("mail.fabrikam.com").received) == 1


@pytest.mark.parametrize("release", [r for r, stops in MATRIX.items() if not stops])
def test_a_single_property_over_32_kb_goes_to_bad_without_stopping_a_fixed_ims(release: str) -> None:
    org = _org(release)
    org.client("alice").send("SMTP:carol@fabrikam.com", subject="Huge", body="b",
                             props={"PR_TRANSPORT_MESSAGE_HEADERS": "h" * (33 * 1024)})
    assert org.ims.state == "running"
    assert [e.data.hex(" ") for e in org.eventlog.entries(source="MSExchangeIMC", event_id=4116)] == ["74 00 05 00 05 40 00 80"]
    assert len(org.ims.spool.list("BAD")) == 1
    assert org.internet.host("mail.fabrikam.com").received == []
