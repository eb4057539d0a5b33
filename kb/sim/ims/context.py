"""The IMS as its parts see it: the service's settings, state and parts, and its ports to the other rooms.

Each part of the IMS (outbound, inbound, ndr, smtp_out, pickup, ...) is handed the service typed as
``Ims`` rather than as the InternetMailService class, so no part imports the module that builds
them all (kb.sim.ims.service). The parts meet each other only through the small protocols here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kb.sim.core.dsn import DsnRequest
    from kb.sim.core.builds import Build
    from kb.sim.core.message import MapiMessage
    from kb.sim.core.p1 import Transfer
    from kb.sim.core.ports import Converter, GatewayStore, Reports
    from kb.sim.core.server import Server
    from kb.sim.ims.addressing import ImsRecipient
    from kb.sim.ims.config import ImsConfig
    from kb.sim.ims.extension import RoutingExtension
    from kb.sim.ims.failures import Failure
    from kb.sim.ims.protolog import ProtocolLog
    from kb.sim.ims.queue import Attempt, QueueEntry
    from kb.sim.ims.spool import Spool
    from kb.sim.outside.dns import Dns
    from kb.sim.outside.remote import Internet


class NdrMaker(Protocol):
    """The IMS's NDR making (kb.sim.ims.ndr)."""

    def report(self, transfer: "Transfer", spool_name: str, failures: "list[Failure]",
               spool_dir: str = "OUT") -> "MapiMessage | None":
        """Ask the store for the NDR on ``failures`` and deliver it, or log 4120 and archive."""
        ...


class OutboundQueue(Protocol):
    """The outbound path's queue (kb.sim.ims.outbound)."""

    def pending_for(self, spool_name: str) -> bool:
        """Return True while an entry of ``spool_name`` is still to be delivered."""
        ...

    def dequeue(self, node: str, subdomains: bool = False) -> int:
        """Start delivery of what waits for ``node`` now (ETRN); return how many entries started."""
        ...


class SmtpSender(Protocol):
    """The IMS's SMTP client (kb.sim.ims.smtp_out)."""

    def session(self, entry: "QueueEntry", host: str, ip: str, recipients: "list[ImsRecipient]") -> "Attempt":
        """Deliver ``recipients`` of ``entry`` to ``host`` at ``ip`` in one SMTP session."""
        ...


class InboundSpool(Protocol):
    """The inbound path (kb.sim.ims.inbound) as the SMTP sessions and the Pickup directory reach it."""

    messages_in: int  # performance counters (ims-domain §2.13)
    bytes_in: int
    envelopes: dict[str, tuple[str, list[str]]]  # spool name -> (MAIL FROM, RCPT TO) of a file in IN

    def accept(self, mail_from: str, rcpt_to: list[str], payload: bytes, peer_ip: str, peer_name: str,
               dsn: "DsnRequest | None" = None) -> str:
        """Write an accepted message to the IN spool and schedule its conversion; return the spool name."""
        ...

    def process(self, name: str, mail_from: str, rcpt_to: list[str]) -> None:
        """Convert and submit the spool file ``name``."""
        ...


class Ims(Protocol):
    """The Internet Mail Service of one server."""

    @property
    def build(self) -> "Build":
        """The Msexcimc.exe build."""
        ...

    @property
    def config(self) -> "ImsConfig":
        """The administrator's settings."""
        ...

    @property
    def spool(self) -> "Spool":
        """The Imcdata directories."""
        ...

    @property
    def protocol_log(self) -> "ProtocolLog":
        """The SMTP protocol log."""
        ...

    @property
    def server(self) -> "Server":
        """The server the IMS runs on."""
        ...

    @property
    def store(self) -> "GatewayStore":
        """The information store (MTS-IN, MTS-OUT, MAPI)."""
        ...

    @property
    def imail(self) -> "Converter":
        """The store's content converter."""
        ...

    @property
    def reports(self) -> "Reports":
        """The store's report generation."""
        ...

    @property
    def dns(self) -> "Dns":
        """The DNS the IMS resolves with."""
        ...

    @property
    def internet(self) -> "Internet":
        """The hosts the IMS connects to."""
        ...

    @property
    def ndr(self) -> NdrMaker:
        """The IMS's NDR making."""
        ...

    @property
    def outbound(self) -> OutboundQueue:
        """The outbound path."""
        ...

    @property
    def smtp_out(self) -> SmtpSender:
        """The SMTP client."""
        ...

    @property
    def inbound(self) -> InboundSpool:
        """The inbound path."""
        ...

    @property
    def extension(self) -> "RoutingExtension | None":
        """The installed routing extension DLL, if any."""
        ...

    @property
    def running(self) -> bool:
        """Return True while the MSExchangeIMC service runs."""
        ...

    def stop(self) -> None:
        """Stop the service (event 1001)."""
        ...

    def crash(self, exception: str, function: str) -> None:
        """Terminate the service on an unhandled exception."""
        ...

    def is_local_domain(self, domain: str) -> bool:
        """Return True when the IMS delivers inbound mail for ``domain`` itself."""
        ...

    def accepts_inbound(self, address: str) -> bool:
        """Return True when ``address`` is in a domain this IMS accepts mail for."""
        ...

    def inbound_size_limit(self) -> int:
        """Return the inbound size limit in bytes (0 = none)."""
        ...

    def advertised_size_limit(self) -> int:
        """Return the EHLO SIZE figure."""
        ...
