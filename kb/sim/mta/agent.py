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
from kb.sim.core.p1 import P1Recipient, Transfer
from kb.sim.store.report import ReportedFailure

if TYPE_CHECKING:
    from kb.sim.org import Organisation


class MessageTransferAgent:
    """Routes by recipient: local delivery, or the IMS (the only gateway simulated)."""

    def __init__(self, org: "Organisation") -> None:
        self.org = org
        self.build = org.builds.mta
        # The IMS address space; "SMTP *" is the default (Q189492).
        self.ims_address_spaces: list[tuple[str, str]] = [("SMTP", "*")]
        self.transferred = 0
        self.rejected: list[str] = []  # MTS-IDs of messages that failed integrity verification
        self.deferred = DeferredDelivery(self)  # "Do not deliver before" (Q214682, Q248253)
        # The Windows NT service MSExchangeMTA: "running" or "stopped" (Q247255).
        self.state = "running"

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
        self.org.store.mta_session_opened()

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
        entry = self.org.directory.by_smtp(message.reverse_path) if message.reverse_path else None
        return entry.alias if entry is not None else ""

    def _route_row(self, message: MapiMessage, row: RecipientRow, gateway: Transfer) -> None:
        targets = self._resolve(row)
        for entry, address, addrtype, via in targets:
            if isinstance(entry, Mailbox):
                # The store delivers local recipients itself, without examining the MTS-ID (Q156710).
                self.org.store.deliver(entry.alias, message)
            elif not self.verify_integrity(message):
                continue  # lost: no NDR (Q253619)
            elif self.in_ims_address_space(addrtype, address):
                member = entry.alias if isinstance(entry, (Mailbox, CustomRecipient)) else None
                gateway.recipients.append(P1Recipient(row.row_id, address, addrtype, via, member))
            else:
                self.ndr_unroutable(message, row, address)

    def _resolve(self, row: RecipientRow) -> list[tuple[object, str, str, str | None]]:
        """Return (directory entry or None, address, type, via) for the row after expansion."""
        entry = self.org.directory.find(row.entry) if row.entry else None
        if entry is None and row.addrtype == "SMTP":
            entry = self.org.directory.by_smtp(row.address)
        if entry is None:
            return [(None, row.address, row.addrtype, None)]
        out: list[tuple[object, str, str, str | None]] = []
        members: list[Mailbox | CustomRecipient] = (
            self.org.directory.expand(entry.alias) if isinstance(entry, DistributionList) else [entry])
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
        org = self.org
        failure = ReportedFailure(
            row_id=row.row_id,
            address=address,
            reason=1,
            diag=0,
            diagnostic_line=f"MSEXCH:MSExchangeMTA:{org.site}:{org.server}",
            reason_text="No transport provider was available for delivery to this recipient.",
            status="5.4.0",
        )
        try:
            report = org.reports.create_ndr(message, [failure])
        except MapiError:
            return  # (inference) the MTA drops a report the store cannot build; no article describes a log
        sender = org.directory.by_smtp(message.reverse_path) if message.reverse_path else None
        org.reports.deliver_report(report, Transfer(message=message, recipients=[P1Recipient(row.row_id, address)],
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
            org = self.org
            self.org.eventlog.log(
                "MSExchangeMTA", 3150,
                entity=f"/o={org.organisation}/ou={org.site}/cn=Configuration/cn=Connections/"
                       f"cn=Internet Mail Connector ({org.server})",
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

    def transfer_to_ims(self, transfer: Transfer) -> None:
        """Put ``transfer`` into MTS-OUT and wake the IMS (XAPI transfer, Q234065)."""
        self.transferred += 1
        self.org.store.queue("MTS-OUT").append(transfer)
        self.org.ims.wake_outbound()
