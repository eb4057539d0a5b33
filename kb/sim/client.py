"""A MAPI-style mail client (the Exchange/Outlook client as far as the notes need it)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Iterable

from kb.exceptions import SimError
from kb.sim.core.directory import Mailbox
from kb.sim.core.message import NOTE, MapiMessage, RecipientRow, split_address

if TYPE_CHECKING:
    from kb.sim.org import Organisation
    from kb.sim.store.rules import InboxRule


class Client:
    """A user logged on to a mailbox: send, read folders, open an NDR, click Send Again.

    Each action runs the organisation until nothing more is due at the current virtual time, so
    after ``send()`` returns, every immediate consequence (delivery, NDR) has happened.
    """

    def __init__(self, org: "Organisation", mailbox: Mailbox) -> None:
        self.org = org
        self.mailbox = mailbox

    @property
    def alias(self) -> str:
        """Return the mailbox alias."""
        return self.mailbox.alias

    # -- composing -----------------------------------------------------------------------------
    def _row(self, row_id: int, text: str, rtype: str) -> RecipientRow:
        """Resolve one typed recipient: an alias, an SMTP address, or a one-off ``TYPE:address``."""
        directory = self.org.directory
        if ":" not in text and "@" not in text:
            entry = directory.get(text.strip())
            address = entry.smtp[0] if entry.smtp else entry.alias
            return RecipientRow(row_id, address, "SMTP", entry.display_name, rtype, entry=entry.alias)
        addrtype, address = split_address(text)
        owner = directory.by_smtp(address) if addrtype == "SMTP" and ":" not in text else None
        if owner is not None:
            return RecipientRow(row_id, owner.smtp[0], "SMTP", owner.display_name, rtype, entry=owner.alias)
        # A one-off address is kept exactly as typed, trailing blanks included.
        return RecipientRow(row_id, address, addrtype, address, rtype)

    def compose(self, to: str | Iterable[str], subject: str = "", body: str = "",
                cc: Iterable[str] = (), bcc: Iterable[str] = (), *, props: dict[str, Any] | None = None,
                message_class: str = NOTE) -> MapiMessage:
        """Return a new, unsent message.

        ``props`` sets extra MAPI properties by name, as a MAPI program or gateway could (e.g.
        ``{"PR_AUTO_FORWARDED": False}``, Q192939); ``message_class`` defaults to IPM.Note.
        """
        recipients = [to] if isinstance(to, str) else list(to)
        rows: list[RecipientRow] = []
        for rtype, names in (("To", recipients), ("Cc", list(cc)), ("Bcc", list(bcc))):
            for name in names:
                rows.append(self._row(len(rows) + 1, name, rtype))
        if not rows:
            raise SimError("client: a message needs at least one recipient")
        return MapiMessage(
            entry_id=self.org.store.new_entry_id(),
            message_class=message_class,
            props=dict(props or {}),
            subject=subject,
            body=body,
            sender=self.mailbox.address,
            sender_name=self.mailbox.display_name,
            recipients=rows,
            to_line=", ".join(
                f'"{r.display_name}" <{r.address}>' if r.entry else r.address for r in rows if r.recipient_type == "To"
            ),
        )

    def submit(self, message: MapiMessage) -> MapiMessage:
        """Submit a composed message and run the organisation."""
        self.org.store.submit(self.alias, message)
        self.org.run()
        return message

    def send(self, to: str | Iterable[str], subject: str = "", body: str = "",
             cc: Iterable[str] = (), bcc: Iterable[str] = (), *, props: dict[str, Any] | None = None,
             message_class: str = NOTE) -> MapiMessage:
        """Compose and send a message (``props``/``message_class`` as in ``compose``)."""
        return self.submit(self.compose(to, subject, body, cc, bcc, props=props, message_class=message_class))

    # -- reading -------------------------------------------------------------------------------
    def folder(self, name: str) -> list[MapiMessage]:
        """Return the messages in folder ``name`` (oldest first)."""
        return self.org.mailbox_folder(self.alias, name)

    def inbox(self) -> list[MapiMessage]:
        """Return the Inbox (oldest first)."""
        return self.folder("Inbox")

    def ndrs(self) -> list[MapiMessage]:
        """Return the non-delivery reports in the Inbox."""
        return [m for m in self.inbox() if m.is_ndr]

    def open(self, message: MapiMessage | str) -> MapiMessage:
        """Open a message (by object or entry id) and mark it read."""
        entry_id = message.entry_id if isinstance(message, MapiMessage) else message
        found = self.org.store.find(self.alias, entry_id)
        found.read = True
        return found

    # -- rules ---------------------------------------------------------------------------------
    def add_rule(self, action: str, to: str = "", text: str = "") -> "InboxRule":
        """Add a server-side Inbox rule: ``forward`` new mail to ``to`` or ``reply`` with ``text``."""
        from kb.sim.store.rules import InboxRule

        return self.org.rules.add(self.alias, InboxRule(action=action, to=to, text=text))

    # -- Send Again ------------------------------------------------------------------------------
    def send_again(self, ndr: MapiMessage | str) -> MapiMessage:
        """Click Send Again on an NDR: re-create the original for its failed recipients and send it.

        The re-created message keeps the NDR's recipient rows with their PR_NDR_REASON_CODE and
        PR_NDR_DIAG_CODE (Q171100) and the original header (To line) unchanged (Q146480).
        """
        report = self.open(ndr)
        if not report.is_ndr or report.original is None:
            raise SimError(f"client: message {report.entry_id} is not a non-delivery report")
        message = report.original.clone(self.org.store.new_entry_id())
        message.recipients = [copy.deepcopy(row) for row in report.recipients]
        message.message_id = ""
        message.mts_id = ""
        message.props["resend"] = True
        return self.submit(message)
