"""The private information store: mailbox folders, the IMS's MTS-IN/MTS-OUT queues, submission.

Report generation lives in kb.sim.store.report and content conversion (IMAIL) in kb.sim.store.imail; both run
inside the store in Exchange 5.5 (ims-domain §2.1) and switch on the Store.exe build.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from kb.exceptions import SimError
from kb.sim.core.builds import build
from kb.sim.core.directory import DistributionList
from kb.sim.store.dswatch import DirectoryWatch
from kb.sim.core.eventlog import hresult_data
from kb.sim.core.mapi import MAPI_E_CALL_FAILED, MAPI_E_NOT_ENOUGH_MEMORY, MapiError
from kb.sim.core.message import MapiMessage, RecipientRow
from kb.sim.store.quota import Quotas

if TYPE_CHECKING:
    from kb.sim.org import Organisation

MAILBOX_FOLDERS = ("Inbox", "Outbox", "Sent Items", "Deleted Items")
# The IMS mailbox's queue folders (Q165505, Q234065).
IMS_FOLDERS = ("MTS-IN", "MTS-OUT")
# "The Exchange memory manager enforces a limit of 32 KB per remote procedure call (RPC)"; a
# property fetch over it fails with 0x8007000E although nothing is out of memory (Q193639).
RPC_LIMIT_BYTES = 32 * 1024
# Q201904/Q192583: with ResolveP2 the store looks the P2 originator up in the directory; before
# Store.exe 5.5.2398.0 (in SP2) an ambiguous-name result was mapped to E_FAIL and the submit
# failed (IS 12004, IMC 4117, archived); from 5.5.2398.0 the originator stays unresolved.
STORE_TOLERATES_AMBIGUOUS_ORIGINATOR = build("5.5.2398.0")
# Q247255: the X.400 blind-copy change of Q235455 (Store.exe 5.5.2642.0, in SP3) made the store
# set a message's count of MTA recipients to zero when no MTA session is available (the MTA
# stopped, or out of resources), and a queue entry with no recipients left is deleted: the
# message is silently lost. Corrected in the post-SP3 store fixes of December 20, 1999
# (Store.exe 5.5.2651.68, Q248838) and in SP4. Before 5.5.2642.0 and from 5.5.2651.68 the
# message waits in the store's queue to the MTA until a session opens.
STORE_ZEROES_MTA_RECIPIENTS_FROM = build("5.5.2642.0")
STORE_KEEPS_MTA_RECIPIENTS = build("5.5.2651.68")


class RecipientLimitError(MapiError):
    """A submit refused under the store limit "Max Recipients on Submit" (Q246051): E_FAIL."""

    def __init__(self, count: int, limit: int, spool_name: str = "", ndr_count: int = 0) -> None:
        self.count = count
        self.limit = limit
        detail = f"{count} recipients exceed Max Recipients on Submit ({limit})"
        if ndr_count:
            detail += f"; the store's NDR ({ndr_count} recipients with the embedded message) was refused too"
        super().__init__(MAPI_E_CALL_FAILED, detail + (f" [{spool_name}]" if spool_name else ""))


class InformationStore:
    """Folders of every mailbox plus the IMS queues; entry ids are deterministic."""

    def __init__(self, org: "Organisation") -> None:
        self.org = org
        self.build = org.builds.store
        self._folders: dict[str, OrderedDict[str, list[Any]]] = {}
        self._next_id = 0
        # Store limit "Max Recipients on Submit" (counts To+Cc+Bcc after DL expansion, Q246051);
        # 0 = no limit.
        self.max_recipients_on_submit = 0
        # The directory watch and its rebuild thread (Q268357, Q274403).
        self.dswatch = DirectoryWatch(self)
        # The Windows NT service MSExchangeIS: "running", "stopped", or "stopping" when a shutdown
        # hangs (Q274403: the store "may stop responding (hang) while ... shutting down").
        self.state = "running"
        self.crashes: list[str] = []  # what stopped the process (exception and function), oldest first
        # Storage limits (Private IS General tab, per-mailbox overrides) and mailbox sizes (Q226202).
        self.quotas = Quotas(org)

    # -- the service -------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the information store; a store with deadlocked threads hangs in "stopping"."""
        if self.state != "running":
            return
        self.state = "stopping" if self.dswatch.deadlocked else "stopped"

    def crash(self, exception: str, function: str) -> None:
        """End the store process on an unhandled exception; the Service Control Manager logs 7031."""
        if self.state != "running":
            return
        self.state = "stopped"
        self.crashes.append(f"{exception} in {function}")
        self.org.eventlog.log("Service Control Manager", 7031, service="Microsoft Exchange Information Store")

    def start(self) -> None:
        """Start the store (a hung "stopping" process is ended first); blocked work resumes."""
        if self.state == "running":
            return
        self.state = "running"
        self.dswatch.restart()

    # -- folders -----------------------------------------------------------------------------
    def create_mailbox(self, alias: str, folders: tuple[str, ...] = MAILBOX_FOLDERS) -> None:
        """Create the folders of a mailbox."""
        self._folders[alias.lower()] = OrderedDict((name, []) for name in folders)

    def folder(self, alias: str, name: str) -> list[Any]:
        """Return the live list of items in folder ``name`` of mailbox ``alias``."""
        folders = self._folders.get(alias.lower())
        if folders is None:
            raise SimError(f"store: no mailbox {alias!r}")
        for key, items in folders.items():
            if key.lower() == name.lower():
                return items
        raise SimError(f"store: mailbox {alias!r} has no folder {name!r} (expected one of {', '.join(folders)})")

    def folders(self, alias: str) -> list[str]:
        """Return the folder names of a mailbox."""
        return list(self._folders.get(alias.lower(), {}))

    def new_entry_id(self) -> str:
        """Return the next entry id (deterministic)."""
        self._next_id += 1
        return f"{self._next_id:08X}"

    def find(self, alias: str, entry_id: str) -> MapiMessage:
        """Return the message ``entry_id`` in any folder of ``alias``."""
        for items in self._folders.get(alias.lower(), {}).values():
            for item in items:
                if isinstance(item, MapiMessage) and item.entry_id == entry_id:
                    return item
        raise SimError(f"store: mailbox {alias!r} has no message {entry_id!r}")

    # -- flow --------------------------------------------------------------------------------
    def submit(self, alias: str, message: MapiMessage) -> MapiMessage:
        """Submit ``message`` from mailbox ``alias``: stamp it, file it in Sent Items, hand it to the MTA."""
        message.submit_time = self.org.clock.now()
        if not message.mts_id:
            message.mts_id = self.org.new_mts_id()
        if not message.message_id:
            message.message_id = f"<{message.mts_id.rpartition('=')[2]}@{self.org.server.lower()}.{self.org.domain}>"
        self.folder(alias, "Sent Items").append(message.clone(self.new_entry_id()))
        self.org.mta.submit(message)
        return message

    def transfer_in(self, message: MapiMessage) -> None:
        """Hand a message a gateway submitted through MTS-IN to the MTA for routing (Q234065).

        The gateway's envelope originator is not a local sender, so the MTA finds the report
        recipient from the message's reverse path. Without an MTA session the message waits in
        MTS-IN (Q247255; see ``transfer_to_mta``).
        """
        self.transfer_to_mta(message, originator="")

    def deliver(self, alias: str, message: MapiMessage) -> MapiMessage:
        """Deliver a copy of ``message`` to the Inbox of ``alias``."""
        if self.quotas.refuses(alias, message):
            return message  # over "Prohibit send and receive": refused (kb.sim.store.quota)
        copy = message.clone(self.new_entry_id())
        copy.delivery_time = self.org.clock.now()
        self.folder(alias, "Inbox").append(copy)
        self.org.rules.on_delivery(alias, copy)  # server-side Inbox rules run in the store
        return copy

    def property_sizes(self, message: MapiMessage) -> dict[str, int]:
        """Return the byte size of each property a gateway fetches (the body is streamed apart)."""
        sizes = {
            "PR_SUBJECT": len(message.subject.encode("utf-8")),
            "PR_SENDER_EMAIL_ADDRESS": len(message.sender.encode("utf-8")),
            "PR_SENDER_NAME": len(message.sender_name.encode("utf-8")),
            "PR_DISPLAY_TO": len(message.to_line.encode("utf-8")),
            "PR_INTERNET_MESSAGE_ID": len(message.message_id.encode("utf-8")),
        }
        for name, value in message.props.items():
            if name.startswith("PR_"):
                sizes[name] = len(value.encode("utf-8")) if isinstance(value, str) else 8
        return sizes

    def get_props(self, message: MapiMessage, names: list[str]) -> dict[str, int]:
        """Fetch ``names`` in one RPC; raise MAPI_E_NOT_ENOUGH_MEMORY over the 32 KB cap (Q193639)."""
        sizes = self.property_sizes(message)
        total = sum(sizes.get(n, 0) for n in names)
        if total > RPC_LIMIT_BYTES:
            raise MapiError(MAPI_E_NOT_ENOUGH_MEMORY, f"{total} bytes of properties exceed the {RPC_LIMIT_BYTES}-byte RPC limit")
        return {n: sizes.get(n, 0) for n in names}

    def submit_from_gateway(self, message: MapiMessage, spool_name: str, resolve_p2: bool = False) -> None:
        """Take a converted inbound message from the IMS (MTS-IN): the store's checks on submit.

        The store parses the header addresses for display names (Q193782) and, when the IMS asks
        for it (ResolveP2), resolves the P2 originator in the directory (Q201904). Errors reach
        the IMS as MapiError; the store logs its own content-engine event first.
        """
        self.org.imail.check_hop_count(message, spool_name)
        try:
            self.org.imail.resolve_display_names(message)
            if resolve_p2:
                self._resolve_originator(message)
        except MapiError as error:
            if error.hresult == MAPI_E_CALL_FAILED:
                # "Error 80004005-F0000000 occurred while processing message <>. The archive
                # filename is '3SW32JRP'." (Q201904)
                self.org.eventlog.log("MSExchangeIS", 12004, data=hresult_data(error.hresult),
                                      error="80004005-F0000000", message=message.message_id.strip("<>"),
                                      file=spool_name)
            raise
        self.org.imail.set_mac_attributes(message, spool_name)
        self.enforce_recipient_limit(message, spool_name)
        if "PR_NDR_REASON_CODE" in message.props:
            # A message handed in with non-delivery properties set: the store complains and goes on
            # with the submit (IS Private 2078, Transfer Out Of Gateway, Q178378).
            self.org.eventlog.log("MSExchangeIS Private", 2078)

    # -- Max Recipients on Submit ------------------------------------------------------------
    def recipient_count(self, message: MapiMessage) -> int:
        """Count recipients as "Max Recipients on Submit" does (Q246051).

        To + Cc + Bcc, each distribution list expanded first, and the recipients of embedded
        messages too ("this applies to embedded messages within messages as well").
        """
        directory = self.org.directory
        count = 0
        for row in message.recipients:
            entry = directory.find(row.entry) if row.entry else directory.by_smtp(row.address.strip())
            count += len(directory.expand(entry.alias)) if isinstance(entry, DistributionList) else 1
        if message.original is not None:
            count += self.recipient_count(message.original)
        return count

    def enforce_recipient_limit(self, message: MapiMessage, spool_name: str = "") -> None:
        """Refuse a submit over "Max Recipients on Submit"; the store's own NDR is refused too.

        Q246051 (CAUSE): the store enforces the limit and tries to NDR the message, but the NDR
        embeds the refused message, so the same policy refuses the NDR: nothing reaches the
        sender and the submitter gets E_FAIL (data 80004005 in the IMS's 4117). The policy itself
        did not change; SP4 changed the IMS (kb.sim.ims.inbound).
        """
        limit = self.max_recipients_on_submit
        if not limit:
            return
        count = self.recipient_count(message)
        if count <= limit:
            return
        # The store's NDR to the sender embeds the refused message, so it counts 1 + count
        # recipients and the same policy refuses it: the NDR is never created.
        ndr = MapiMessage(
            entry_id=self.new_entry_id(),
            message_class=f"REPORT.{message.message_class}.NDR",
            subject=f"Undeliverable: {message.subject}",
            recipients=[RecipientRow(row_id=1, address=message.sender)],
            original=message,
        )
        raise RecipientLimitError(count, limit, spool_name, ndr_count=self.recipient_count(ndr))

    def _resolve_originator(self, message: MapiMessage) -> None:
        """Resolve the P2 originator in the directory (ResolveP2, Q201904)."""
        originator = str(message.props.get("p2_originator") or message.sender)
        matches = self.org.directory.matching(originator)
        if len(matches) > 1:
            if self.build < STORE_TOLERATES_AMBIGUOUS_ORIGINATOR:
                raise MapiError(MAPI_E_CALL_FAILED, f"ambiguous originator {originator!r} (mapped to E_FAIL)")
            return  # fixed builds leave an ambiguous originator unresolved
        if matches:
            message.sender_name = matches[0].display_name
            message.props["sender_entry"] = matches[0].alias

    # -- the store's queue to the MTA ("Gateway Out", Q234065) ---------------------------------
    def transfer_to_mta(self, message: MapiMessage, originator: str = "") -> None:
        """Hand ``message`` (from MTS-IN) to the MTA, or queue it while no MTA session exists.

        Inbound Internet mail passes through the store for content conversion and is handed to
        the MTA from MTS-IN (Q234065, Q247255 MORE INFORMATION). Without an MTA session it
        waits in MTS-IN ("Inbound messages awaiting delivery") until the MTA starts.
        """
        if self.org.mta.running:
            self.org.mta.submit(message, originator=originator)
            return
        if STORE_ZEROES_MTA_RECIPIENTS_FROM <= self.build < STORE_KEEPS_MTA_RECIPIENTS:
            return  # MTA recipient count set to 0: the entry is deleted, no NDR, no event (Q247255)
        message.props["mta_originator"] = originator
        self.queue("MTS-IN").append(message)

    def mta_session_opened(self) -> None:
        """Hand every message waiting for the MTA over to it (the MTA has started)."""
        queue = self.queue("MTS-IN")
        waiting = [m for m in queue if isinstance(m, MapiMessage) and "mta_originator" in m.props]
        for message in waiting:
            queue.remove(message)
            originator = str(message.props.pop("mta_originator") or "")
            self.org.mta.submit(message, originator=originator)

    def queue(self, name: str) -> list[Any]:
        """Return the live contents of the IMS queue folder MTS-IN or MTS-OUT."""
        return self.folder(self.org.ims_mailbox, name)
