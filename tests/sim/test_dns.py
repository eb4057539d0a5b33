"""Simulated DNS: MX first, then A; NXDOMAIN and time-outs."""

from __future__ import annotations

import pytest

from kb.sim.outside.dns import Dns, DnsFailure


def test_mx_hosts_come_in_preference_order() -> None:
    dns = Dns()
    dns.add_zone("example.net", mx=[(20, "backup.example.net"), (10, "mx.example.net")])
    assert dns.mail_hosts("example.net") == ["mx.example.net", "backup.example.net"]


def test_a_domain_without_mx_falls_back_to_its_a_record() -> None:
    dns = Dns()
    dns.add_zone("example.org", a=["192.0.2.80"])
    assert dns.mail_hosts("Example.ORG") == ["example.org"]
    assert [q[:2] for q in dns.queries] == [("MX", "Example.ORG"), ("A", "Example.ORG")]


@pytest.mark.parametrize("zone, kind, permanent", [(None, "nxdomain", True), ({"timeout": True}, "timeout", False),
                                                   ({}, "nodata", True)])
def test_failures_say_whether_retrying_can_help(zone: dict | None, kind: str, permanent: bool) -> None:
    dns = Dns()
    if zone is not None:
        dns.add_zone("x.example", **zone)
    with pytest.raises(DnsFailure) as caught:
        dns.mail_hosts("x.example")
    assert (caught.value.kind, caught.value.permanent) == (kind, permanent)
