"""The attachments the store keeps when it converts inbound multipart mail (the body part aside).

Exchange 5.5 does not implement RFC 1892 (multipart/report) or RFC 1894 (DSN format): Q262986
lists both as "Not available in Exchange 5.5". An Internet delivery report therefore reaches an
Exchange user as an ordinary message (IPM.Note): its first text part is the body and every other
part an attachment, the returned original an embedded message (Q146270: a UNIX "Mail Delivery
Subsystem" report arrives "with the original message as the embedded message"). The simulator
keeps each attachment's content type, file name and bytes so that a client (and ``dsn_fields``)
can read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from kb.sim.core.message import MapiMessage

#: The message property holding a converted message's attachments (a list of Attachment).
ATTACHMENTS = "attachments"


@dataclass(frozen=True)
class Attachment:
    """One attachment of a converted message: its MIME type, file name and the part as sent."""

    content_type: str
    filename: str
    data: bytes  # the whole MIME part, its header included (parse it as a message)


def attachments(parsed: Message, body: Message | None) -> list[Attachment]:
    """Return the leaf parts of ``parsed`` other than ``body`` (an embedded message stays whole)."""
    if not parsed.is_multipart():
        return []
    found: list[Attachment] = []
    stack = [parsed]
    while stack:
        part = stack.pop(0)
        if part is body:
            continue
        kind = part.get_content_type()
        if part.is_multipart() and not kind.startswith("message/"):
            stack = [p for p in part.get_payload() if isinstance(p, Message)] + stack
            continue
        if part is parsed:
            continue
        found.append(Attachment(kind, part.get_filename() or "", part.as_bytes()))
    return found


def attachments_of(message: MapiMessage) -> list[Attachment]:
    """Return the attachments of a message the store converted from the Internet (or [])."""
    return list(message.props.get(ATTACHMENTS, []))
