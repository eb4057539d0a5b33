"""Outbound retries when the destination's addresses change between attempts (Q265727)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kb.sim import Organisation

FIXED = {"Exchange Server 5.5 SP4"}  # Msexcimc.exe 5.5.2652.78 and later
AFFECTED_SAMPLE = ["Exchange Server 5.5", "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP3",
                   "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39"]
FIXED_SAMPLE = ["Exchange Server 5.5 SP4", "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.78"]


def make(release: str, hosts: list[list[str]], behaviour: str = "tempfail") -> Organisation:
    """An org whose mail to example.net goes to MX hosts mx0..mxN, each with the given A records."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    for n, ips in enumerate(hosts):
        org.add_remote_host(f"mx{n}.example.net", ips[0], behaviour=behaviour)
        for ip in ips[1:]:
            org.add_remote_host(f"alt{n}-{ip.rpartition('.')[2]}.example.net", ip, behaviour=behaviour)
        org.dns.add_zone(f"mx{n}.example.net", a=ips)
    org.dns.add_zone("example.net", mx=[(10 * (n + 1), f"mx{n}.example.net") for n in range(len(hosts))])
    return org


def crashed(org: Organisation) -> bool:
    ids = {(e.source, e.event_id) for e in org.eventlog.entries()}
    return org.ims.state == "stopped" and {("DrWatson", 4097), ("Service Control Manager", 7031)} <= ids


def test_retries_to_an_unchanged_destination_never_stop_the_service(release: str) -> None:
    org = make(release, [["192.0.2.31"], ["192.0.2.32"]])
    org.client("alice").send("SMTP:bob@example.net", subject="x")
    org.advance(3 * 3600)
    assert org.ims.state == "running"
    [entry] = org.ims.queues()["outbound_awaiting_delivery"]
    assert entry["attempts"] >= 3


def test_a_withdrawn_mx_between_attempts_stops_the_service_before_the_fix(release: str) -> None:
    org = make(release, [["192.0.2.31"], ["192.0.2.32"]])
    org.client("alice").send("SMTP:bob@example.net", subject="x")
    org.dns.add_zone("example.net", mx=[(10, "mx0.example.net")])
    org.internet.host("mx0.example.net").behaviour = "accept"
    org.advance(16 * 60)
    if release in FIXED:
        assert org.ims.state == "running"
        assert [d.rcpt_to for d in org.internet.host("mx0.example.net").received] == [("bob@example.net",)]
    else:
        assert crashed(org)
        assert org.eventlog.entries(source="MSExchangeIMC", event_id=1001) == []  # not a clean shutdown
        assert org.internet.host("mx0.example.net").received == []


def test_a_restart_after_the_crash_builds_the_batch_afresh_and_delivers(release: str) -> None:
    org = make(release, [["192.0.2.31"], ["192.0.2.32"]])
    org.client("alice").send("SMTP:bob@example.net", subject="x")
    org.dns.add_zone("example.net", mx=[(10, "mx0.example.net")])
    org.internet.host("mx0.example.net").behaviour = "accept"
    org.advance(16 * 60)
    org.ims.start()
    org.run()
    assert org.ims.state == "running"
    assert len(org.internet.host("mx0.example.net").received) == 1


def test_an_added_address_between_attempts_is_used_on_every_build(release: str) -> None:
    org = make(release, [["192.0.2.31"]])
    org.client("alice").send("SMTP:bob@example.net", subject="x")
    org.add_remote_host("mx9.example.net", "192.0.2.39")
    org.dns.add_zone("example.net", mx=[(10, "mx0.example.net"), (20, "mx9.example.net")])
    org.advance(16 * 60)
    assert org.ims.state == "running"
    assert len(org.internet.host("mx9.example.net").received) == 1


# Q265727 CAUSE: the IMS "continues to search for IP addresses ... even though there are no more
# IP addresses to try for a given domain". Variants: how many MX hosts and A records the first
# attempt found, how the hosts fail, which addresses are gone at the retry.
shapes = st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=4).filter(lambda s: sum(s) >= 2)


@st.composite
def destinations(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]], str]:
    shape = draw(shapes)
    ip = iter(f"192.0.2.{n}" for n in range(10, 250))
    hosts = [[next(ip) for _ in range(k)] for k in shape]
    flat = [(h, a) for h, ips in enumerate(hosts) for a in ips]
    keep = draw(st.lists(st.sampled_from(flat), min_size=1, max_size=len(flat) - 1, unique=True))
    after = [[a for (h2, a) in flat if h2 == h and (h2, a) in keep] for h in range(len(hosts))]
    behaviour = draw(st.sampled_from(["tempfail", "drop", "nobanner"]))
    return hosts, after, behaviour


def _retry_with_fewer_addresses(release: str, hosts: list[list[str]], after: list[list[str]], behaviour: str) -> Organisation:
    org = make(release, hosts, behaviour)
    org.client("alice").send("SMTP:bob@example.net", subject="x")
    org.advance(60)
    for n, ips in enumerate(after):
        if ips:
            org.dns.add_zone(f"mx{n}.example.net", a=ips)
    org.dns.add_zone("example.net", mx=[(10 * (n + 1), f"mx{n}.example.net") for n, ips in enumerate(after) if ips])
    org.advance(16 * 60)
    return org


@settings(max_examples=25, deadline=None)
@given(destination=destinations(), release=st.sampled_from(AFFECTED_SAMPLE))
def test_every_retry_that_finds_fewer_addresses_stops_affected_builds(destination: tuple, release: str) -> None:
    org = _retry_with_fewer_addresses(release, *destination)
    assert crashed(org)


@settings(max_examples=25, deadline=None)
@given(destination=destinations(), release=st.sampled_from(FIXED_SAMPLE))
def test_no_retry_that_finds_fewer_addresses_stops_fixed_builds(destination: tuple, release: str) -> None:
    org = _retry_with_fewer_addresses(release, *destination)
    assert org.ims.state == "running"
    assert org.eventlog.entries(source="DrWatson") == []
    [entry] = org.ims.queues()["outbound_awaiting_delivery"]
    assert entry["attempts"] == 2 and entry["state"] == "retry"
