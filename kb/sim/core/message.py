"""MAPI-side messages: properties, recipient rows (with NDR properties) and embedded originals."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

NOTE = "IPM.Note"


def ndr_class(original_class: str) -> str:
    """Return the message class of an NDR on a message of ``original_class`` (REPORT.<class>.NDR)."""
    return f"REPORT.{original_class}.NDR"


def split_address(text: str) -> tuple[str, str]:
    """Split a one-off ``SMTP:user@domain`` into (address type, address), keeping blanks in the address.

    The raw address is kept exactly as typed (trailing blanks included): Q254893 and Q228998 are
    both about what later components do with such a blank.
    """
    head, sep, tail = text.partition(":")
    if sep and head.strip().isalnum() and "@" not in head:
        return head.strip().upper(), tail
    return "SMTP", text


def address_domain(address: str) -> str:
    """Return everything after the last ``@`` (raw, not trimmed)."""
    return address.rpartition("@")[2]


@dataclass
class RecipientRow:
    """One row of a message's recipient table.

    ``ndr_reason``/``ndr_diag`` are PR_NDR_REASON_CODE/PR_NDR_DIAG_CODE; a message re-created from
    an NDR keeps them (Q171100). ``supplementary`` is the diagnostic line shown under the row.
    """

    row_id: int
    address: str
    addrtype: str = "SMTP"
    display_name: str = ""
    recipient_type: str = "To"
    entry: str | None = None  # directory alias when the row resolved to a directory object
    ndr_reason: int | None = None
    ndr_diag: int | None = None
    supplementary: str | None = None
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def has_ndr_properties(self) -> bool:
        """Return True when the row carries PR_NDR_REASON_CODE or PR_NDR_DIAG_CODE."""
        return self.ndr_reason is not None or self.ndr_diag is not None

    def email(self) -> str:
        """Return ``TYPE:address`` as shown in a client."""
        return f"{self.addrtype}:{self.address}"

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "address": self.address,
            "addrtype": self.addrtype,
            "display_name": self.display_name,
            "entry": self.entry,
            "ndr_diag": self.ndr_diag,
            "ndr_reason": self.ndr_reason,
            "recipient_type": self.recipient_type,
            "row_id": self.row_id,
            "supplementary": self.supplementary,
        }


@dataclass
class MapiMessage:
    """A message as the store holds it."""

    entry_id: str
    message_class: str = NOTE
    subject: str = ""
    body: str = ""
    sender: str = ""  # SMTP address of the originator ("" = null reverse path)
    sender_name: str = ""
    recipients: list[RecipientRow] = field(default_factory=list)
    to_line: str = ""  # the P2 header: a resend keeps the original To line (Q146480)
    submit_time: datetime | None = None
    delivery_time: datetime | None = None
    message_id: str = ""
    mts_id: str = ""
    original: "MapiMessage | None" = None  # the original embedded in a report
    mime: bytes | None = None  # the Internet form, when converted (reports carry their MIME form)
    props: dict[str, Any] = field(default_factory=dict)
    read: bool = False

    @property
    def reverse_path(self) -> str:
        """Return the envelope originator (SMTP MAIL FROM): "" for a null reverse path.

        Mail from the Internet keeps the reverse path it arrived with; mail a mailbox sent has
        the sender's address; a report the store made has none (RFC 5321 §4.5.5).
        """
        if self.props.get("null_reverse_path"):
            return ""
        return str(self.props.get("reverse_path") or self.sender)

    @property
    def is_ndr(self) -> bool:
        """Return True for a non-delivery report."""
        return self.message_class.startswith("REPORT.") and self.message_class.endswith(".NDR")

    def size(self) -> int:
        """Return the message size in bytes as the store counts it (its Internet form when known)."""
        if self.mime is not None:
            return len(self.mime)
        return len(self.subject.encode("utf-8")) + len(self.body.encode("utf-8")) + 64 * max(1, len(self.recipients))

    def clone(self, entry_id: str) -> "MapiMessage":
        """Return a copy with a new entry id, sharing the recipient rows (single-instance storage).

        The store keeps one instance of a message delivered to many mailboxes: every copy shares
        the recipient table, which is read-only once submitted (code that changes it assigns a
        new list, and copies a row before changing it: the NDR rows of create_ndr, Send Again);
        each copy gets its own properties. A deep copy per delivery made one message to N local
        recipients cost O(N²) time and memory (2,000 RCPTs: 49.7 s, 1.65 GB).
        """
        twin = copy.copy(self)
        twin.entry_id = entry_id
        twin.read = False
        twin.props = copy.deepcopy(self.props)
        if self.original is not None:
            twin.original = self.original.clone(self.original.entry_id)
        return twin

    def summary(self) -> dict[str, Any]:
        """Return a short JSON-ready description (for folder listings)."""
        when = self.delivery_time or self.submit_time
        return {
            "entry_id": self.entry_id,
            "message_class": self.message_class,
            "read": self.read,
            "recipients": [r.email() for r in self.recipients],
            "sender": self.sender,
            "size": self.size(),
            "subject": self.subject,
            "time": when.isoformat() if when else None,
        }

    def to_json(self) -> dict[str, Any]:
        """Return a full JSON-ready description."""
        data = self.summary()
        data.update(
            {
                "body": self.body,
                "message_id": self.message_id,
                "mts_id": self.mts_id,
                "recipient_rows": [r.to_json() for r in self.recipients],
                "to_line": self.to_line,
                "original": self.original.summary() if self.original else None,
                "mime": self.mime.decode("utf-8", "replace") if self.mime is not None else None,
            }
        )
        return data
