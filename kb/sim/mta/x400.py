"""The MTA's X.400 connector to a foreign MTA, and the P1 report it sends there.

An X.400 connector joins the Exchange MTA (Emsmta.exe) to another vendor's MTA over P1: messages
come in with an originator O/R address and are routed like any other (to mailboxes, or through
the IMS to the Internet); reports on them go back as P1 reports (X.411 ReportTransfer). Each
per-recipient non-delivery carries ``NonDeliveryReasonCode`` (X.411: INTEGER, reason values 0-6
of Q174175, one octet on the wire) and, unless omitted, ``NonDeliveryDiagnosticCode`` (0-47).

Encoding (ims-domain §2.5.4, C22; the exact bytes are an inference): the MTA keeps a report's
codes in 16-bit fields and writes each as a BER INTEGER (X.690 §8.3: minimal two's complement),
context-tagged [0] for the reason and [1] for the diagnostic. A valid reason is one content octet
(``80 01 01``); a reason of -1 kept in a 16-bit field is 65535 and needs three (``80 03 00 FF FF``)
- the "3-byte integer" of Q230288. Exchange's diagnostic 255 ("omit diagnostic", Q174175) and 253
and 254 leave the field out.

A ``ForeignMta`` is the other side: it decodes what it receives; a ``strict`` one accepts only a
one-octet NonDeliveryReasonCode and stops processing on anything else ("Some X.400 MTAs cannot
handle the extra bytes and may stop processing information", Q230288).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb.exceptions import ConfigError
from kb.sim.core.message import MapiMessage, RecipientRow

if TYPE_CHECKING:
    from kb.sim.org import Organisation
    from kb.sim.core.p1 import Transfer

# Q174175: diagnostic values Exchange uses internally for "no diagnostic to send".
OMITTED_DIAGNOSTICS = frozenset({253, 254, 255})
_OR_KEYS = ("c", "a", "p", "o", "ou1", "ou2", "ou3", "ou4", "s", "g", "i", "q", "cn")


def parse_or_address(text: str) -> dict[str, str]:
    """Return the fields of an O/R address ``c=US;a= ;p=Fabrikam;o=Sales;s=Smith``; raise ConfigError."""
    fields: dict[str, str] = {}
    for part in str(text).split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in _OR_KEYS:
            raise ConfigError("X400", None, f"O/R address {text!r}: {part.strip()!r} is not key=value "
                                            f"(expected keys {', '.join(_OR_KEYS)})")
        fields[key] = value
    if not fields.get("c", "").strip() or "a" not in fields:
        raise ConfigError("X400", None, f"O/R address {text!r} needs c= and a= (expected e.g. 'c=US;a= ;p=Fabrikam;s=Smith')")
    return fields


def ber_integer(tag: int, value: int) -> bytes:
    """Return ``value`` as a context-tagged BER INTEGER (X.690 §8.3: minimal two's complement)."""
    length = 1
    while not -(1 << (8 * length - 1)) <= value < (1 << (8 * length - 1)):
        length += 1
    content = value.to_bytes(length, "big", signed=True)
    return bytes([0x80 | tag, len(content)]) + content


def read_integer(octets: bytes, offset: int) -> tuple[int, int, int, int]:
    """Return (tag number, value, content length, next offset) of the tagged INTEGER at ``offset``."""
    tag, length = octets[offset] & 0x1F, octets[offset + 1]
    content = octets[offset + 2:offset + 2 + length]
    return tag, int.from_bytes(content, "big", signed=True), length, offset + 2 + length


@dataclass(frozen=True)
class ReportRecipient:
    """One per-recipient field of a P1 report as encoded: the recipient and its code octets."""

    recipient: str
    octets: bytes

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (octets as hex)."""
        return {"octets": self.octets.hex(" "), "recipient": self.recipient}


@dataclass(frozen=True)
class P1Report:
    """A non-delivery report transferred to the foreign MTA."""

    subject_mts_id: str
    originator: str  # the O/R address the report goes to
    recipients: tuple[ReportRecipient, ...]

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"originator": self.originator, "recipients": [r.to_json() for r in self.recipients],
                "subject_mts_id": self.subject_mts_id}


@dataclass(frozen=True)
class DecodedReason:
    """What a foreign MTA read from one per-recipient field."""

    recipient: str
    reason: int
    reason_octets: int
    diagnostic: int | None


@dataclass
class ForeignMta:
    """Another vendor's X.400 MTA at the far end of an X.400 connector."""

    name: str
    strict: bool = True
    state: str = "running"  # "stopped" once it gave up on something it could not process
    received: list[P1Report] = field(default_factory=list)
    decoded: list[DecodedReason] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def receive_report(self, report: P1Report) -> None:
        """Take a P1 report off the connector and decode its per-recipient fields."""
        if self.state != "running":
            self.errors.append(f"report on {report.subject_mts_id} not taken: {self.name} is stopped")
            return
        self.received.append(report)
        for entry in report.recipients:
            tag, reason, length, offset = read_integer(entry.octets, 0)
            diagnostic = read_integer(entry.octets, offset)[1] if offset < len(entry.octets) else None
            if self.strict and (tag != 0 or length != 1):
                # X.411 NonDeliveryReasonCode is one octet; a strict MTA cannot go on.
                self.errors.append(f"NonDeliveryReasonCode of {length} octets ({entry.octets[:2 + length].hex(' ')}) "
                                   f"for {entry.recipient}: processing stopped")
                self.state = "stopped"
                return
            self.decoded.append(DecodedReason(entry.recipient, reason, length, diagnostic))

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready description."""
        return {"errors": list(self.errors), "name": self.name, "received": [r.to_json() for r in self.received],
                "state": self.state, "strict": self.strict}


class X400Connector:
    """The MTA's X.400 connector: an address space of O/R addresses served by ``foreign``."""

    def __init__(self, org: "Organisation", foreign: ForeignMta, address_space: str) -> None:
        self.org = org
        self.foreign = foreign
        self.address_space = parse_or_address(address_space)

    def covers(self, or_address: str) -> bool:
        """Return True when ``or_address`` falls in the connector's address space (every field given matches)."""
        try:
            fields = parse_or_address(or_address)
        except ConfigError:
            return False
        return all(fields.get(k, "").strip().lower() == v.strip().lower() for k, v in self.address_space.items()
                   if v.strip())

    def submit(self, originator: str, to: list[str], subject: str = "", body: str = "") -> MapiMessage:
        """Bring a message from the foreign MTA into the organisation and run it.

        ``originator`` is the sender's O/R address; ``to`` are ``TYPE:address`` recipients
        (``SMTP:user@example.net``) or aliases. The IMS gives it the encapsulated reverse path
        ``IMCEAX400-<O/R>@<domain>`` when it goes to the Internet (Q189492 encapsulation).
        """
        if not self.covers(originator):
            raise ConfigError("X400", None, f"originator {originator!r} is not in the connector's address space")
        org = self.org
        rows = [self._row(i + 1, name) for i, name in enumerate(to)]
        fields = parse_or_address(originator)
        mts_id = f"c={fields['c']};a={fields['a']};p={fields.get('p', '')};l={self.foreign.name}-{len(self.foreign.received)}"
        message = MapiMessage(entry_id=org.store.new_entry_id(), subject=subject, body=body, sender="",
                              sender_name=" ".join(v for v in (fields.get("g"), fields.get("s")) if v) or originator,
                              recipients=rows, mts_id=mts_id, message_id="")
        message.props["x400_originator"] = originator
        message.props["reverse_path"] = encapsulate_x400(originator, org.domain)
        message.submit_time = org.clock.now()
        org.mta.submit(message)
        org.run()
        return message

    def _row(self, row_id: int, name: str) -> RecipientRow:
        addrtype, sep, address = name.partition(":")
        if sep and addrtype.isalnum():
            return RecipientRow(row_id, address, addrtype.upper(), address)
        entry = self.org.directory.get(name)
        return RecipientRow(row_id, getattr(entry, "address", name), "SMTP", entry.display_name, entry=entry.alias)

    def return_report(self, report: MapiMessage, transfer: "Transfer") -> None:
        """Send a non-delivery report on ``transfer`` back to its X.400 originator as a P1 report."""
        entries = []
        for row in report.recipients:
            octets = ber_integer(0, (row.ndr_reason if row.ndr_reason is not None else 0) & 0xFFFF)
            if row.ndr_diag is not None and row.ndr_diag not in OMITTED_DIAGNOSTICS:
                octets += ber_integer(1, row.ndr_diag & 0xFFFF)
            entries.append(ReportRecipient(row.address, octets))
        self.foreign.receive_report(P1Report(transfer.message.mts_id, str(transfer.message.props["x400_originator"]),
                                             tuple(entries)))


def encapsulate_x400(or_address: str, domain: str) -> str:
    """Return the IMS's encapsulated SMTP form ``IMCEAX400-c=US+3Ba=+20+3B...@domain`` (Q189492, Q193782)."""
    out = []
    for ch in or_address:
        out.append(ch if ch.isalnum() or ch in "=-/" else f"+{ord(ch):02X}")
    return f"IMCEAX400-{''.join(out)}@{domain}"


def connector_for(org: "Organisation", message: MapiMessage) -> X400Connector | None:
    """Return the X.400 connector that serves the originator of ``message``, if it came from one."""
    originator = message.props.get("x400_originator")
    if not originator:
        return None
    return next((c for c in getattr(org, "x400_connectors", []) if c.covers(str(originator))), None)
