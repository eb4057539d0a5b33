"""The gate between an organisation and the Internet around it: SMTP sessions into its IMS.

``PeerSession`` is the client side of one session with an organisation's IMS inbound path (the
``kb.sim.outside.remote.Link`` interface): a wired peer's sessions (``kb.sim.peering``) and a
remote host's own reports use it. ``OrgGate`` is the organisation as the hosts of its Internet
see it (``Internet.home``): its time, and the mail server of a domain - its own IMS for its local
domains (the MX of an Exchange organisation's domain is its IMS server, ims-domain §2.3),
otherwise the MX (else A) host in its DNS.

The organisation is seen through the ``Server`` protocol only, so this module imports nothing of
the assembly (no import cycle with ``kb.sim.org``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Protocol

from kb.sim.core.clock import VirtualClock
from kb.sim.outside.dns import Dns, DnsFailure
from kb.sim.outside.remote import Internet, Link, RemoteDelivery, Reply


class InboundLike(Protocol):
    """The server side of an inbound IMS session, as a client drives it."""

    def banner(self) -> str: ...
    def ehlo(self, name: str) -> Reply: ...
    def mail(self, address: str, params: str = "") -> Reply: ...
    def rcpt(self, address: str, params: str = "") -> Reply: ...
    def data(self, payload: bytes) -> Reply: ...
    def quit(self) -> Reply: ...


class ServerIms(Protocol):
    """An IMS as the gate sees it: running or not, and a new inbound session."""

    @property
    def running(self) -> bool: ...
    def session(self, peer_ip: str = ..., peer_name: str = ...) -> InboundLike: ...


class Server(Protocol):
    """An organisation as the gate sees it."""

    clock: VirtualClock
    dns: Dns
    internet: Internet
    local_domains: list[str]

    @property
    def fqdn(self) -> str: ...
    @property
    def ims(self) -> ServerIms: ...


class PeerSession:
    """The client side's view of one session with an organisation's IMS (the Link interface).

    ``record`` (a PeerHost's ``received``) gets what was accepted, as host ``record_as``. The work
    the session causes (conversion, delivery, reports) runs on the shared clock, after the session.
    """

    def __init__(self, peer: Server, client_ip: str, now: datetime, record: list[RemoteDelivery] | None = None,
                 record_as: str = "", client_name: str = "") -> None:
        self.record = record
        self.record_as = record_as
        self.peer = peer
        self.now = now
        self.mail_from = ""
        self.rcpts: list[str] = []
        self.client = ""
        self.mail_params = ""
        self.rcpt_params: list[str] = []
        self.session: InboundLike | None = None
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

    def mail(self, address: str, params: str = "") -> Reply:
        """Send MAIL FROM (with its ESMTP parameters)."""
        assert self.session is not None
        self.mail_from = address
        self.mail_params = params
        self.rcpts = []
        self.rcpt_params = []
        return self.session.mail(address, params)

    def rcpt(self, address: str, params: str = "") -> Reply:
        """Send RCPT TO (with its ESMTP parameters)."""
        assert self.session is not None
        reply = self.session.rcpt(address, params)
        if reply.code < 300:
            self.rcpts.append(address)
            self.rcpt_params.append(params)
        return reply

    def data(self, payload: bytes) -> Reply:
        """Send the message (the peer's work for it is scheduled on the shared clock)."""
        assert self.session is not None
        reply = self.session.data(payload)
        self.session.quit()
        if reply.code < 300 and self.record is not None:
            self.record.append(RemoteDelivery(self.now, self.record_as, self.mail_from, tuple(self.rcpts),
                                              payload, client=self.client, mail_params=self.mail_params,
                                              rcpt_params=tuple(self.rcpt_params)))
        return reply


class OrgGate:
    """An organisation as the hosts of its Internet see it (``kb.sim.outside.remote.Home``)."""

    def __init__(self, org: Server) -> None:
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
