"""The IMS service (MSExchangeIMC): builds its parts and connects them to the store and the outside world."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from kb.exceptions import SimError
from kb.sim.ims.config import ImsConfig
from kb.sim.ims.inbound import InboundPath
from kb.sim.ims.session import InboundSession
from kb.sim.ims.loglevels import LogFileWriter
from kb.sim.ims.ndr import NdrGenerator
from kb.sim.ims.outbound import IMS_HAS_SIZE_LIMIT_REGISTRY, OutboundPath
from kb.sim.ims.extension import RoutingExtension
from kb.sim.ims.pickup import PickupDirectory
from kb.sim.ims.protolog import ProtocolLog, ProtocolSession
from kb.sim.ims.routing import match_domain
from kb.sim.ims.smtp_out import SmtpClient
from kb.sim.ims.spool import Spool

if TYPE_CHECKING:
    from kb.sim.core.message import MapiMessage
    from kb.sim.core.ports import Converter, GatewayStore, Reports
    from kb.sim.core.server import Server
    from kb.sim.ims.queue import QueueEntry
    from kb.sim.outside.dns import Dns
    from kb.sim.outside.remote import Internet


class InternetMailService:
    """The IMS of one server."""

    def __init__(self, server: "Server", config: ImsConfig | None = None, seed: int = 0, *, store: "GatewayStore",
                 imail: "Converter", reports: "Reports", dns: "Dns", internet: "Internet") -> None:
        self.server = server
        # The other rooms: the store the IMS logs on to (MTS-IN, MTS-OUT, IMAIL, reports, Q165505)
        # and the outside world it resolves and connects to.
        self.store = store
        self.imail = imail
        self.reports = reports
        self.dns = dns
        self.internet = internet
        self.build = server.builds.ims
        self.config = config or ImsConfig()
        self.spool = Spool(seed)
        self.protocol_log = ProtocolLog(sink=self._write_protocol_log_file)
        self.log_writer = LogFileWriter(self)
        self.ndr = NdrGenerator(self)
        self.outbound = OutboundPath(self)
        self.smtp_out = SmtpClient(self)
        self.inbound = InboundPath(self)
        self.pickup = PickupDirectory(self)  # Imcdata\Pickup (Q201314, Q250441)
        self.extension: RoutingExtension | None = None  # a custom routing DLL (Q178378)
        self._wake_pending = False
        # The Windows NT service MSExchangeIMC: "running" or "stopped" (the IMS stops itself on
        # errors it treats as fatal, e.g. 4116 in Q193639, 4182 in Q193782).
        self.state = "running"

    # -- the service -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Return True while the MSExchangeIMC service runs."""
        return self.state == "running"

    def stop(self) -> None:
        """Stop the service: no MTS-OUT passes, no inbound connections; logs 1001 (Q325939)."""
        if not self.running:
            return
        self.state = "stopped"
        self.server.eventlog.log("MSExchangeIMC", 1001)

    def start(self) -> None:
        """Start the service again: spool files left in IN and messages in MTS-OUT are retried.

        "... will be retried when the server is restarted" (4182, Q232279); "Otherwise it will be
        retried when the service is restarted" (4116, Q193639).
        """
        if self.running:
            return
        self.state = "running"
        self.inbound.retry_spool()
        if self.spool.list("PICKUP"):
            self.pickup.scan()
        for entry in self.outbound.queue:
            entry.address_count = None  # a restarted service builds its delivery batches afresh
            if entry.state != "done":
                def deliver(e: QueueEntry = entry) -> None:
                    """Attempt delivery of one queue entry again."""
                    self.outbound.attempt(e)

                self.server.clock.schedule(0, f"deliver {entry.spool_name}#{entry.id} (restart)", deliver)
        if self.store.queue("MTS-OUT"):
            self.wake_outbound()

    def crash(self, exception: str, function: str) -> None:
        """Terminate the service on an unhandled exception: Dr. Watson and the Service Control Manager log it.

        Unlike ``stop()`` there is no 1001 ("shut down successfully", Q325939); what was queued
        stays queued and is retried when the service is started again.
        """
        if not self.running:
            return
        self.state = "stopped"
        now = self.server.clock.now()
        self.server.eventlog.log("DrWatson", 4097, date=f"{now.month}/{now.day}/{now.year}",
                              time=now.strftime("%H:%M:%S.000"), exception=exception, function=function)
        self.server.eventlog.log("Service Control Manager", 7031, service="Microsoft Exchange Internet Mail Service")

    # -- outbound --------------------------------------------------------------------------------
    def wake_outbound(self) -> None:
        """Schedule a pass over MTS-OUT (once, however many messages arrive meanwhile)."""
        if self._wake_pending or not self.running:
            return
        self._wake_pending = True

        def run() -> None:
            self._wake_pending = False
            self.outbound.process_mts_out()

        self.server.clock.schedule(0, "ims: MTS-OUT", run)

    def _write_protocol_log_file(self, session: "ProtocolSession") -> None:
        """Keep ``Imcdata\\LOG\\L*.LOG`` current at the SMTP Protocol Log level (Q154505, Q239816)."""
        self.log_writer.write(session)

    # -- inbound ---------------------------------------------------------------------------------
    def install_extension(self, name: str, decide: Callable[[MapiMessage], str]) -> RoutingExtension:
        """Install a routing extension DLL; ``decide(message)`` returns DISP_NO_CHANGE or DISP_NDR_ORIG."""
        self.extension = RoutingExtension(name, decide)
        return self.extension

    def session(self, peer_ip: str = "127.0.0.1", peer_name: str = "", authenticated: bool = False) -> InboundSession:
        """Open an inbound SMTP session (no sockets): helo/mail/rcpt/data/quit.

        Raise SimError when the service is stopped: nothing listens on port 25 then.
        """
        if not self.running:
            raise SimError(f"connect to {self.server.fqdn} port 25 refused: the MSExchangeIMC service is stopped")
        return InboundSession(self, peer_ip=peer_ip, peer_name=peer_name, authenticated=authenticated)

    def is_local_domain(self, domain: str) -> bool:
        """Return True when the IMS delivers inbound mail for ``domain`` itself."""
        wanted = domain.strip().lower()
        if wanted in (d.lower() for d in self.server.local_domains):
            return True
        entry = match_domain(wanted, self.config.domain_routes)
        return bool(entry is not None and entry.inbound)

    def accepts_inbound(self, address: str) -> bool:
        """Return True when ``address`` is in a domain this IMS accepts mail for."""
        return self.is_local_domain(address.rpartition("@")[2])

    def advertised_size_limit(self) -> int:
        """Return the EHLO ``SIZE`` figure: the administrator's inbound limit in bytes, 0 = none (Q262945).

        The listener's own ceiling (``max_message_bytes``) bounds the simulator, not the IMS, so it
        is not advertised.
        """
        limits = []
        if self.config.message_size_kb:
            limits.append(self.config.message_size_kb * 1024)
        registry = int(self.config.registry.get("InboundSizeLimit", 0) or 0)
        if registry and self.build >= IMS_HAS_SIZE_LIMIT_REGISTRY:
            limits.append(registry)
        return min(limits, default=0)

    def inbound_size_limit(self) -> int:
        """Return the inbound size limit in bytes (0 = none): General tab, then InboundSizeLimit (Q231303)."""
        limits = [self.config.max_message_bytes]
        if self.config.message_size_kb:
            limits.append(self.config.message_size_kb * 1024)
        registry = int(self.config.registry.get("InboundSizeLimit", 0) or 0)
        if registry and self.build >= IMS_HAS_SIZE_LIMIT_REGISTRY:
            limits.append(registry)
        return min(limits)

    # -- inspection ------------------------------------------------------------------------------
    def queues(self) -> dict[str, Any]:
        """Return the four IMS queues (ims-domain §2.13) with their contents."""
        store = self.store
        return {
            "service": self.state,
            "inbound_awaiting_conversion": [f.to_json() for f in self.spool.list("IN")],
            "inbound_awaiting_delivery": [m.summary() for m in store.queue("MTS-IN")],
            "outbound_awaiting_conversion": [t.message.summary() for t in store.queue("MTS-OUT")],
            "outbound_awaiting_delivery": self.outbound.queue_json(),
        }

    def held_messages(self) -> list["MapiMessage"]:
        """Return the messages taken off MTS-OUT that are still to be delivered (Q296879)."""
        return [entry.transfer.message for entry in self.outbound.queue if entry.state != "done"]

    def counters(self) -> dict[str, int]:
        """Return the performance counters the simulator keeps (ims-domain §2.13)."""
        return {
            "inbound_bytes_total": self.inbound.bytes_in,
            "inbound_messages_total": self.inbound.messages_in,
            "ndrs_aborted": self.ndr.aborted,
            "ndrs_total": self.ndr.generated,
            "outbound_bytes_total": self.outbound.bytes_out,
            "outbound_messages_total": self.outbound.messages_out,
        }
