"""Two organisations wired together over simulated SMTP: each is a remote host of the other.

``wire(a, b)`` gives each organisation a DNS zone (MX) for the other's domains and a remote host
at the other's address whose SMTP sessions are the other IMS's inbound sessions, so mail from one
arrives through the other's inbound path (relay rules, recipient checks, IN spool, conversion),
and the other's reports (its *own* NDRs, sent with ``MAIL FROM:<>``) come back through the first
one's inbound path - a remote peer that bounces. Each organisation keeps its own release: an SP4
sender can talk to an SP2 receiver.

The two organisations run as one world: ``wire`` joins their clocks (one time, one run queue),
so the work a connection causes on the peer runs in time order with the sender's, ``a.run()``
and ``a.advance()`` drive both, and a loop between them is caught by the clock's run limit
(inference: no article describes the timing between two servers; the simulator keeps it zero).

A session with a peer's IMS is a ``kb.sim.gate.PeerSession``; ``kb.sim.gate.OrgGate`` is how
the Internet's hosts (a UNIX host that bounces later) reach the organisation they surround.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kb.exceptions import ConfigError, SimError
from kb.sim.gate import PeerSession
from kb.sim.outside.remote import RemoteHost

if TYPE_CHECKING:
    from kb.sim.org import Organisation


@dataclass
class PeerHost(RemoteHost):
    """A remote host whose SMTP server is another simulated organisation's IMS."""

    peer: "Organisation | None" = field(default=None, repr=False)
    client_ip: str = ""  # the address the connecting side's sessions come from

    def connect(self, now: datetime) -> PeerSession:  # type: ignore[override]
        """Open an inbound session on the peer's IMS."""
        if self.peer is None:
            raise SimError(f"peer host {self.name} is not wired to an organisation")
        return PeerSession(self.peer, self.client_ip, now, record=self.received, record_as=self.name)


def _add_peer(org: "Organisation", peer: "Organisation", peer_ip: str, own_ip: str) -> PeerHost:
    host = PeerHost(name=peer.fqdn, ip=peer_ip, peer=peer, client_ip=own_ip)
    org.internet.add_host(host)
    org.dns.add_zone(peer.fqdn, a=[peer_ip])
    for domain in peer.local_domains:
        org.dns.add_zone(domain, mx=[(10, peer.fqdn)])
    return host


def wire(a: "Organisation", b: "Organisation", a_ip: str = "192.0.2.1", b_ip: str = "192.0.2.2") -> tuple[PeerHost, PeerHost]:
    """Wire ``a`` and ``b`` over SMTP; return (b as seen from a, a as seen from b).

    Each side's DNS gets an MX record for every local domain of the other, pointing at the other
    server's host name, and an A record for it; their clocks are joined (one time, one run queue).
    Raise ConfigError for one organisation twice, the
    same address for both, or domains they both claim.
    """
    if a is b:
        raise ConfigError("wire", None, "an organisation cannot be wired to itself")
    if a_ip == b_ip:
        raise ConfigError("wire", None, f"both organisations at {a_ip!r} (expected two addresses)")
    shared = sorted(set(d.lower() for d in a.local_domains) & set(d.lower() for d in b.local_domains))
    if shared or a.fqdn == b.fqdn:
        raise ConfigError("wire", None, f"both organisations claim {(shared or [a.fqdn])[0]!r}")
    hosts = _add_peer(a, b, b_ip, a_ip), _add_peer(b, a, a_ip, b_ip)
    b.clock.join(a.clock)
    return hosts


def peers_of(org: "Organisation") -> dict[str, "Organisation"]:
    """Return the organisations wired to ``org`` (by ``wire`` or an org file's ``peers``), by server name."""
    return {host.name: host.peer for host in org.internet.hosts() if isinstance(host, PeerHost) and host.peer is not None}
