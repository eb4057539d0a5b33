"""Simulated remote SMTP hosts as the IMS meets them: accept, 4xx, 5xx, drop, slow."""

from __future__ import annotations

import pytest

from kb.exceptions import ConfigError

from kb.sim import Organisation


def _org(behaviour: str, **options: object) -> tuple[Organisation, object]:
    org = Organisation("Exchange Server 5.5 SP4")
    org.add_mailbox("alice")
    host = org.add_remote_host("mx.example.net", "192.0.2.25", behaviour=behaviour, **options)
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    org.client("alice").send("SMTP:carol@example.net", subject="probe")
    return org, host


@pytest.mark.parametrize("behaviour", ["tempfail", "drop", "nobanner"])
def test_a_host_that_defers_or_drops_leaves_the_message_queued_for_retry(behaviour: str) -> None:
    org, host = _org(behaviour)
    assert host.received == []  # type: ignore[attr-defined]
    assert len(org.ims.queues()["outbound_awaiting_delivery"]) == 1
    assert org.client("alice").ndrs() == []


def test_a_host_that_rejects_the_sender_causes_an_ndr_with_its_reply() -> None:
    org, _ = _org("reject")
    (ndr,) = org.client("alice").ndrs()
    assert ndr.recipients[0].supplementary.endswith("3550 (000C05A6) 550 Requested action not taken: sender rejected")


def test_a_slow_host_within_the_reply_time_out_still_gets_the_mail() -> None:
    org, host = _org("slow", delay=30.0)
    assert len(host.received) == 1  # type: ignore[attr-defined]


def test_a_host_slower_than_the_reply_time_out_is_retried() -> None:
    org, host = _org("slow", delay=3600.0)
    assert host.received == []  # type: ignore[attr-defined]
    assert "time-out" in org.ims.queues()["outbound_awaiting_delivery"][0]["last_error"]


def test_a_host_that_refuses_the_message_size_gives_an_ndr() -> None:
    org, host = _org("accept", max_size=10)
    (ndr,) = org.client("alice").ndrs()
    assert "552" in ndr.recipients[0].supplementary


def test_an_unknown_behaviour_is_refused() -> None:
    org = Organisation("Exchange Server 5.5 SP4")
    with pytest.raises(ConfigError, match="behaviour 'sometimes'"):
        org.add_remote_host("x.example", "192.0.2.1", behaviour="sometimes")
