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

``OrgGate`` is how the Internet's hosts reach the organisation they surround (``Internet.home``):
a remote host that bounces later sends its own report to the reverse path's server - for the
organisation's own domains, a session on its IMS's inbound path; otherwise the MX host in DNS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from typing import Callable

from kb.exceptions import ConfigError, SimError
from kb.sim.outside.dns import DnsFailure
from kb.sim.outside.remote import Link, RemoteDelivery, RemoteHost, Reply

if TYPE_CHECKING:
    from kb.sim.ims.inbound import InboundSession
    from kb.sim.org import Organisation


@dataclass
class PeerHost(RemoteHost):
    """A remote host whose SMTP server is another simulated organisation's IMS."""

    peer: "Organisation | None" = field(default=None, repr=False)
    client_ip: str = ""  # the address the connecting side's sessions come from

    def connect(self, now: datetime) -> "PeerSession":  # type: ignore[override]
        """Open an inbound session on the peer's IMS, its clock brought up to ``now``."""
        if self.peer is None:
            raise SimError(f"peer host {self.name} is not wired to an organisation")
        return PeerSession(self.peer, self.client_ip, now, host=self)


class PeerSession:
    """The client side's view of one session with an organisation's IMS (the Link interface).

    ``host`` (a PeerHost) records what was accepted. The work the session causes (conversion,
    delivery, reports) runs on the shared clock, after the session.
    """

    def __init__(self, peer: "Organisation", client_ip: str, now: datetime, host: "PeerHost | None" = None,
                 client_name: str = "") -> None:
        self.host = host
        self.peer = peer
        self.now = now
        self.mail_from = ""
        self.rcpts: list[str] = []
        self.client = ""
        self.session: "InboundSession | None" = None
        if self.peer.ims.running:
            self.session = self.peer.ims.session(peer_ip=client_ip, peer_name=client_name)

    def banner(self) -> Reply | None:
        """Return the peer IMS's greeting; a stopped service answers 421 (RFC 5321 §3.8)."""
        if self.session is None:
            return Reply(421, f"{self.peer.fqdn} Service not available, closing transmission channel")
        return Reply(220, self.session.banner())

    def ehlo(self, name: str) -> Reply:
        """Send EHLO."""
        assert self.session is not None
        self.client = name
        return self.session.ehlo(name)

    def mail(self, address: str) -> Reply:
        """Send MAIL FROM."""
        assert self.session is not None
        self.mail_from = address
        self.rcpts = []
        return self.session.mail(address)

    def rcpt(self, address: str) -> Reply:
        """Send RCPT TO."""
        assert self.session is not None
        reply = self.session.rcpt(address)
        if reply.code < 300:
            self.rcpts.append(address)
        return reply

    def data(self, payload: bytes) -> Reply:
        """Send the message (the peer's work for it is scheduled on the shared clock)."""
        assert self.session is not None
        reply = self.session.data(payload)
        self.session.quit()
        if reply.code < 300 and self.host is not None:
            self.host.received.append(RemoteDelivery(self.now, self.host.name, self.mail_from, tuple(self.rcpts),
                                                     payload, self.client))
        return reply


class OrgGate:
    """An organisation as the hosts of its Internet see it (``kb.sim.outside.remote.Home``)."""

    def __init__(self, org: "Organisation") -> None:
        self.org = org

    def now(self) -> datetime:
        """Return the organisation's time."""
        return self.org.clock.now()

    def schedule(self, delay_seconds: float, label: str, action: Callable[[], None]) -> object:
        """Run ``action`` on the organisation's clock."""
        return self.org.clock.schedule(delay_seconds, label, action)

    def link(self, domain: str, client_ip: str, client_name: str) -> Link | None:
        """Open a session with the server of ``domain``: this IMS for a local domain, else the MX host."""
        org, now = self.org, self.org.clock.now()
        domain = domain.strip().rstrip(".").lower()
        if domain in {d.lower() for d in org.local_domains} or domain == org.fqdn:
            # The remote host connects to the organisation's published mail host: its IMS.
            return PeerSession(org, client_ip, now, client_name=client_name)
        try:
            names = org.dns.mail_hosts(domain)
        except DnsFailure:
            return None
        for name in names:
            try:
                addresses = org.dns.a(name)
            except DnsFailure:
                continue
            for ip in addresses:
                host = org.internet.at(ip)
                if host is not None:
                    return host.connect(now)
        return None


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
    server's host name, and an A record for it; their clocks are joined (one time, one run queue). Raise ConfigError for one organisation twice, the
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
