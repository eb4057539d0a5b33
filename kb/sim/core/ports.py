"""The message-transfer interfaces between the rooms: what each component offers the others.

Exchange 5.5's components meet at a few narrow places (ims-domain §2.1-2.5): a client or gateway
submits to the **store**; the store hands mail to the **MTA** ("Gateway Out") and takes it back
for local delivery; the MTA transfers a P1 envelope (kb.sim.core.p1.Transfer) into the IMS's
**MTS-OUT** queue and wakes the **IMS**; the IMS converts through the store (IMAIL), submits
inbound mail through **MTS-IN**, and asks the store to build an NDR (MAPI, Q272672), which the
store delivers or hands back to the MTA. Each room is typed against these protocols, never
against another room's classes or the organisation; kb.sim.org builds the rooms and connects
them.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from kb.sim.core.message import MapiMessage
from kb.sim.core.p1 import ReportedFailure, Transfer


class Delivery(Protocol):
    """The store as the MTA and the connectors reach it: local delivery, the MTS queues, entry ids."""

    def new_entry_id(self) -> str:
        """Return the next entry id."""
        ...

    def deliver(self, alias: str, message: MapiMessage) -> MapiMessage:
        """Deliver a copy of ``message`` to the Inbox of ``alias``."""
        ...

    def queue(self, name: str) -> list[Any]:
        """Return the live contents of the IMS queue folder MTS-IN or MTS-OUT."""
        ...

    def mta_session_opened(self) -> None:
        """Hand every message waiting for the MTA over to it ("Gateway Out", Q234065)."""
        ...


class GatewayStore(Delivery, Protocol):
    """The store as a MAPI gateway (the IMS) reaches it: MTS-IN submits, property fetches, reports."""

    state: str  # the MSExchangeIS service: "running", "stopped" or "stopping"

    def transfer_in(self, message: MapiMessage) -> None:
        """Hand a message a gateway submitted through MTS-IN to the MTA."""
        ...

    def submit_from_gateway(self, message: MapiMessage, spool_name: str, resolve_p2: bool = False) -> None:
        """Take a converted inbound message from a gateway: the store's checks on submit (MapiError)."""
        ...

    def property_sizes(self, message: MapiMessage) -> dict[str, int]:
        """Return the byte size of each property a gateway fetches."""
        ...

    def get_props(self, message: MapiMessage, names: list[str]) -> dict[str, int]:
        """Fetch ``names`` in one RPC (MapiError over the RPC limit)."""
        ...

    def enter_conversion(self, resume: Callable[[], None]) -> bool:
        """Start a content conversion, or return False and call ``resume`` when the store can convert again."""
        ...

    def check_gateway_report(self) -> None:
        """Let the store generate a report for the gateway, or raise MapiError."""
        ...


class Store(GatewayStore, Protocol):
    """The whole information store, as the parts of its own room (IMAIL, reports, rules, limits) use it."""

    def submit(self, alias: str, message: MapiMessage) -> MapiMessage:
        """Submit ``message`` from mailbox ``alias`` (Sent Items, then the MTA)."""
        ...

    def folders(self, alias: str) -> list[str]:
        """Return the folder names of a mailbox."""
        ...

    def folder(self, alias: str, name: str) -> list[Any]:
        """Return the live items of one folder of a mailbox."""
        ...

    def crash(self, exception: str, function: str) -> None:
        """End the store process on an unhandled exception."""
        ...


class Converter(Protocol):
    """IMAIL, the store's Internet content converter (ims-domain §2.1)."""

    def to_internet(self, message: MapiMessage) -> bytes:
        """Return the RFC 822 form of ``message`` (ConversionError when it cannot be written)."""
        ...

    def from_internet(self, data: bytes, mail_from: str, rcpt_to: list[str]) -> MapiMessage:
        """Return the MAPI message for an inbound RFC 822 message (MapiError on failure)."""
        ...


class Reports(Protocol):
    """The store's report generation: the NDR a gateway or the MTA asks for, and its delivery."""

    def create_ndr(self, original: MapiMessage, failures: list[ReportedFailure]) -> MapiMessage:
        """Create the NDR on ``original`` for ``failures`` (MapiError when a row is missing)."""
        ...

    def deliver_report(self, report: MapiMessage, transfer: Transfer) -> None:
        """Deliver ``report`` on ``transfer`` to its originator."""
        ...

    def report_success(self, original: MapiMessage, rows: list[tuple[int, str]], action: str,
                       transfer: Transfer, remote_mta: str = "") -> MapiMessage | None:
        """Send a delivery report (RFC 3461 NOTIFY=SUCCESS) on ``rows`` ((row id, final recipient))."""
        ...


class TransferAgent(Protocol):
    """The MTA as the store and the connectors reach it."""

    @property
    def running(self) -> bool:
        """Return True while the MSExchangeMTA service runs."""
        ...

    def submit(self, message: MapiMessage, originator: str = "") -> None:
        """Route every recipient row of ``message``."""
        ...

    def return_report(self, report: MapiMessage, recipient: str) -> None:
        """Send a report out to an Internet originator through the IMS, with a null reverse path."""
        ...

    def return_foreign_report(self, report: MapiMessage, transfer: Transfer) -> bool:
        """Send a report back over the connector the original came in on; False when it came from none."""
        ...


class Gateway(Protocol):
    """The IMS as the MTA and the store see it: MTS-OUT's reader."""

    def wake_outbound(self) -> None:
        """Schedule a pass over MTS-OUT."""
        ...

    def held_messages(self) -> list[MapiMessage]:
        """Return the messages taken off MTS-OUT and not yet delivered (they still count in the IMS mailbox)."""
        ...
