"""Fixtures of the simulator tests: the release matrix and a small organisation."""

from __future__ import annotations

import pytest

from kb.sim import Organisation

RELEASES = [
    "Exchange Server 5.5",
    "Exchange Server 5.5 SP1",
    "Exchange Server 5.5 SP2",
    "Exchange Server 5.5 SP3",
    "Exchange Server 5.5 SP4",
    "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17",
]


@pytest.fixture(params=RELEASES)
def release(request: pytest.FixtureRequest) -> str:
    """Each simulated release in turn (the build matrix)."""
    return request.param


def make_org(release: str) -> Organisation:
    """Return an organisation with mailboxes alice and bob and one accepting Internet host."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_mailbox("bob", "Bob Jones")
    org.add_remote_host("mx.example.net", "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    return org


@pytest.fixture
def org(release: str) -> Organisation:
    """A fresh organisation on the current release of the matrix."""
    return make_org(release)
