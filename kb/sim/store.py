"""The private information store: mailbox folders, the IMS's MTS-IN/MTS-OUT queues, submission.

Report generation lives in kb.sim.report and content conversion (IMAIL) in kb.sim.imail; both run
inside the store in Exchange 5.5 (ims-domain §2.1) and switch on the Store.exe build.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from kb.exceptions import SimError
from kb.sim.message import MapiMessage

if TYPE_CHECKING:
    from kb.sim.org import Organisation

MAILBOX_FOLDERS = ("Inbox", "Outbox", "Sent Items", "Deleted Items")
# The IMS mailbox's queue folders (Q165505, Q234065).
IMS_FOLDERS = ("MTS-IN", "MTS-OUT")


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

    def deliver(self, alias: str, message: MapiMessage) -> MapiMessage:
        """Deliver a copy of ``message`` to the Inbox of ``alias``."""
        copy = message.clone(self.new_entry_id())
        copy.delivery_time = self.org.clock.now()
        self.folder(alias, "Inbox").append(copy)
        return copy

    def queue(self, name: str) -> list[Any]:
        """Return the live contents of the IMS queue folder MTS-IN or MTS-OUT."""
        return self.folder(self.org.ims_mailbox, name)
