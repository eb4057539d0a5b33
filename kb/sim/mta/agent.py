"""The MTA: routes submitted messages to local mailboxes or to the IMS's MTS-OUT queue.

Local recipients are delivered by the store; recipients whose address falls in the IMS address
space (default ``SMTP *``, Q189492) are transferred into MTS-OUT, from which the IMS takes them
(Q234065). Distribution lists are expanded and custom recipients turned into their targets here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.sim.mta.deferred import DeferredDelivery
from kb.sim.core.directory import CustomRecipient, DistributionList, Mailbox
from kb.sim.core.message import MapiMessage, RecipientRow, split_address
from kb.sim.core.mapi import MapiError
from kb.sim.core.p1 import P1Recipient, ReportedFailure, Transfer
from kb.sim.mta.x400 import X400Connector, connector_for
from kb.sim.core.dsn import recipient_request

if TYPE_CHECKING:
    from kb.sim.core.ports import Delivery, Gateway, Reports
    from kb.sim.core.server import Server


class MessageTransferAgent:
    """Routes by recipient: local delivery, or the IMS (the only gateway simulated)."""

    def __init__(self, server: "Server", store: "Delivery", reports: "Reports") -> None:
        self.server = server
        self.store = store
        self.reports = reports
        self.gateway: "Gateway"  # the IMS, connected by the assembly layer (kb.sim.org)
        self.build = server.builds.mta
        self.x400_connectors: list[X400Connector] = []
        # The IMS address space; "SMTP *" is the default (Q189492).
        self.ims_address_spaces: list[tuple[str, str]] = [("SMTP", "*")]
        self.transferred = 0
        self.rejected: list[str] = []  # MTS-IDs of messages that failed integrity verification
        # "Do not deliver before" (Q214682, Q248253).
        self.deferred = DeferredDelivery(server, reports, self.route, self.build)
        # The Windows NT service MSExchangeMTA: "running" or "stopped" (Q247255).
        self.state = "running"

    def connect(self, gateway: "Gateway") -> None:
        """Connect the MTA to the gateway whose MTS-OUT queue it fills (the IMS)."""
        self.gateway = gateway

    @property
    def running(self) -> bool:
        """Return True while the MSExchangeMTA service runs."""
        return self.state == "running"

    def stop(self) -> None:
        """Stop the MTA service: the store has no MTA session until it starts again."""
        self.state = "stopped"

    def start(self) -> None:
        """Start the MTA service; the store hands over what waited for it."""
        if self.running:
            return
        self.state = "running"
        self.store.mta_session_opened()

    def submit(self, message: MapiMessage, originator: str = "") -> None:
        """Route every recipient row of ``message`` (after its deferred delivery time, if any)."""
        originator = originator or self._originator_alias(message)
        if self.deferred.hold(message, originator):
            return
        self.route(message, originator)

    def route(self, message: MapiMessage, originator: str) -> None:
        """Route every recipient row of ``message`` now."""
        gateway = Transfer(message=message, originator=originator)
        for row in message.recipients:
            self._route_row(message, row, gateway)
        if gateway.recipients:
            self.transfer_to_ims(gateway)

    def _originator_alias(self, message: MapiMessage) -> str:
        # Reports go to the envelope originator: a local mailbox only when the reverse path is one.
        entry = self.server.directory.by_smtp(message.reverse_path) if message.reverse_path else None
        return entry.alias if entry is not None else ""

    def _route_row(self, message: MapiMessage, row: RecipientRow, gateway: Transfer) -> None:
        targets = self._resolve(row)
        for entry, address, addrtype, via in targets:
            if isinstance(entry, Mailbox):
                # The store delivers local recipients itself, without examining the MTS-ID (Q156710).
                delivered = self.store.deliver(entry.alias, message) is not message
                if delivered and via is None and "dsn" in message.props:
                    # NOTIFY=SUCCESS: a delivery report (RFC 3461 §6.2.7.1).
                    self.reports.report_success(message, [(row.row_id, address)], "delivered", gateway)
            elif not self.verify_integrity(message):
                continue  # lost: no NDR (Q253619)
            elif self.in_ims_address_space(addrtype, address):
                member = entry.alias if isinstance(entry, (Mailbox, CustomRecipient)) else None
                gateway.recipients.append(P1Recipient(row.row_id, address, addrtype, via, member))
            else:
                self.ndr_unroutable(message, row, address)
        if "dsn" in message.props and targets and targets[0][3] is not None \
                and isinstance(self.server.directory.find(targets[0][3]), DistributionList):
            # A list took it: one "expanded" report; its members are not reported on (RFC 3461 §6.2.7.3).
            self.reports.report_success(message, [(row.row_id, row.address)], "expanded", gateway)

    def _resolve(self, row: RecipientRow) -> list[tuple[object, str, str, str | None]]:
        """Return (directory entry or None, address, type, via) for the row after expansion."""
        entry = self.server.directory.find(row.entry) if row.entry else None
        if entry is None and row.addrtype == "SMTP":
            entry = self.server.directory.by_smtp(row.address)
        if entry is None:
            return [(None, row.address, row.addrtype, None)]
        out: list[tuple[object, str, str, str | None]] = []
        members: list[Mailbox | CustomRecipient] = (
            self.server.directory.expand(entry.alias) if isinstance(entry, DistributionList) else [entry])
        via = entry.alias if isinstance(entry, DistributionList) else None
        for member in members:
            if isinstance(member, CustomRecipient):
                addrtype, address = split_address(member.target)
                out.append((member, address, addrtype, via or member.alias))
            else:
                out.append((member, member.address, "SMTP", via))
        return out

    def ndr_unroutable(self, message: MapiMessage, row: RecipientRow, address: str) -> None:
        """NDR a recipient no connector's address space covers (MSEXCH:MSExchangeMTA line, Q220882)."""
        server = self.server
        if not recipient_request(message.props, row.row_id).wants_failure:
            return  # NOTIFY without FAILURE (RFC 3461 §4.1)
        failure = ReportedFailure(
            row_id=row.row_id,
            address=address,
            reason=1,
            diag=0,
            diagnostic_line=f"MSEXCH:MSExchangeMTA:{server.site}:{server.name}",
            reason_text="No transport provider was available for delivery to this recipient.",
            status="5.4.0",
        )
        try:
            report = self.reports.create_ndr(message, [failure])
        except MapiError:
            return  # (inference) the MTA drops a report the store cannot build; no article describes a log
        sender = server.directory.by_smtp(message.reverse_path) if message.reverse_path else None
        self.reports.deliver_report(report, Transfer(message=message, recipients=[P1Recipient(row.row_id, address)],
                                                     originator=sender.alias if isinstance(sender, Mailbox) else ""))

    def verify_integrity(self, message: MapiMessage) -> bool:
        """Check the P1 MTS-ID of a message the MTA has to route; log 3150 once and refuse a bad one.

        An MTS-ID needs its global domain identifier (c=, a=, p=) besides the local string: the
        MTA takes a message without it from the XAPI gateway interface as an object that "failed
        integrity verification" (MSExchangeMTA 3150), and the message is lost without an NDR
        (Q253619). The check is the same in every MTA build; the IMS built the bad MTS-ID.
        """
        fields = {}
        for part in message.mts_id.split(";"):
            key, sep, value = part.partition("=")
            if sep:
                fields[key.strip().lower()] = value
        if fields.get("c", "").strip() and "a" in fields and fields.get("p", "").strip() and fields.get("l"):
            return True
        if message.mts_id not in self.rejected:
            self.rejected.append(message.mts_id)
            server = self.server
            server.eventlog.log(
                "MSExchangeMTA", 3150,
                entity=f"/o={server.organisation}/ou={server.site}/cn=Configuration/cn=Connections/"
                       f"cn=Internet Mail Connector ({server.name})",
            )
        return False

    def in_ims_address_space(self, addrtype: str, address: str) -> bool:
        """Return True when ``addrtype:address`` falls in an IMS address space."""
        for space_type, pattern in self.ims_address_spaces:
            if space_type.upper() != addrtype.upper():
                continue
            if pattern == "*" or address.lower().rstrip().endswith(pattern.lower().lstrip("*")):
                return True
        return False

    def return_report(self, report: MapiMessage, recipient: str) -> None:
        """Send a report back out to an Internet originator through the IMS, with a null reverse path.

        An NDR leaves with MAIL FROM:<> and the postmaster as MIME From (RFC 5321 §4.5.5; Q250507,
        Q200059).
        """
        report.props["null_reverse_path"] = True
        self.transfer_to_ims(Transfer(message=report, recipients=[P1Recipient(0, recipient)]))

    def return_foreign_report(self, report: MapiMessage, transfer: Transfer) -> bool:
        """Send ``report`` back over the X.400 connector its original came in on, as a P1 report; False if none."""
        connector = connector_for(self.x400_connectors, transfer.message)
        if connector is None:
            return False
        connector.return_report(report, transfer)
        return True

    def transfer_to_ims(self, transfer: Transfer) -> None:
        """Put ``transfer`` into MTS-OUT and wake the IMS (XAPI transfer, Q234065)."""
        self.transferred += 1
        self.store.queue("MTS-OUT").append(transfer)
        self.gateway.wake_outbound()
