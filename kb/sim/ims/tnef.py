"""Transport-Neutral Encapsulation Format (winmail.dat): Exchange rich text on the Internet.

With "Send Microsoft Exchange rich-text formatting" set to Always (the IMS's Internet Mail tab, or
per E-mail domain), the IMS adds the MAPI form of the message as an ``application/ms-tnef``
attachment named ``winmail.dat`` (or, with UUENCODE, a uuencoded ``winmail.dat``); an Exchange
server that receives it rebuilds the MAPI message from it, including the sender's P2 recipient
table (the recipients as the sender addressed them: a distribution list stays one row, Q246881).

Layout (the TNEF stream as Exchange writes it): the signature 0x223E9F78, a 16-bit key, then
attributes ``level(1) id(4) length(4) data checksum(2)`` little-endian; the checksum is the sum
of the data octets mod 65536. Modelled attributes: attMessageClass, attSubject, attBody and
attRecipTable, whose data is ``row count(4)`` then per row ``value count(4)`` and MAPI properties
``tag(4)`` + value (PT_STRING8: ``1(4) length(4)`` bytes padded to 4; PT_LONG: 4 bytes).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SIGNATURE = 0x223E9F78
LVL_MESSAGE, LVL_ATTACHMENT = 1, 2
ATT_MESSAGE_CLASS = 0x00078008
ATT_SUBJECT = 0x00018004
ATT_BODY = 0x0002800C
ATT_RECIP_TABLE = 0x00069003
PR_DISPLAY_NAME = 0x3001001E
PR_ADDRTYPE = 0x3002001E
PR_EMAIL_ADDRESS = 0x3003001E
PR_RECIPIENT_TYPE = 0x0C150003
RECIPIENT_TYPES = {"To": 1, "Cc": 2, "Bcc": 3}


class TnefError(ValueError):
    """A winmail.dat stream that cannot be read."""


@dataclass(frozen=True)
class TnefRecipient:
    """One row of the P2 recipient table carried in TNEF."""

    display_name: str
    addrtype: str
    address: str
    recipient_type: str = "To"


@dataclass(frozen=True)
class TnefMessage:
    """The MAPI content a TNEF stream carries."""

    message_class: str
    subject: str
    body: str
    recipients: tuple[TnefRecipient, ...]


def _attribute(level: int, att: int, data: bytes) -> bytes:
    return struct.pack("<BII", level, att, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def _string(tag: int, text: str) -> bytes:
    raw = text.encode("cp1252", "replace") + b"\0"
    return struct.pack("<III", tag, 1, len(raw)) + raw + b"\0" * (-len(raw) % 4)


def encode(message: TnefMessage, key: int = 0x0001) -> bytes:
    """Return the winmail.dat stream of ``message``."""
    rows = struct.pack("<I", len(message.recipients))
    for r in message.recipients:
        rows += struct.pack("<I", 4) + _string(PR_DISPLAY_NAME, r.display_name) + _string(PR_ADDRTYPE, r.addrtype)
        rows += _string(PR_EMAIL_ADDRESS, r.address) + struct.pack("<II", PR_RECIPIENT_TYPE, RECIPIENT_TYPES.get(r.recipient_type, 1))
    out = struct.pack("<IH", SIGNATURE, key)
    out += _attribute(LVL_MESSAGE, ATT_MESSAGE_CLASS, message.message_class.encode("ascii") + b"\0")
    out += _attribute(LVL_MESSAGE, ATT_SUBJECT, message.subject.encode("cp1252", "replace") + b"\0")
    out += _attribute(LVL_MESSAGE, ATT_BODY, message.body.encode("cp1252", "replace"))
    out += _attribute(LVL_MESSAGE, ATT_RECIP_TABLE, rows)
    return out


def _read_rows(data: bytes) -> tuple[TnefRecipient, ...]:
    (count,), offset = struct.unpack_from("<I", data, 0), 4
    rows = []
    kinds = {v: k for k, v in RECIPIENT_TYPES.items()}
    for _ in range(count):
        (values,) = struct.unpack_from("<I", data, offset)
        offset += 4
        props: dict[int, str | int] = {}
        for _ in range(values):
            (tag,) = struct.unpack_from("<I", data, offset)
            offset += 4
            if tag & 0xFFFF == 0x001E:
                _, length = struct.unpack_from("<II", data, offset)
                offset += 8
                props[tag] = data[offset:offset + length].rstrip(b"\0").decode("cp1252")
                offset += length + (-length % 4)
            else:
                (props[tag],) = struct.unpack_from("<I", data, offset)
                offset += 4
        rows.append(TnefRecipient(str(props.get(PR_DISPLAY_NAME, "")), str(props.get(PR_ADDRTYPE, "")),
                                  str(props.get(PR_EMAIL_ADDRESS, "")), kinds.get(int(props.get(PR_RECIPIENT_TYPE, 1)), "To")))
    return tuple(rows)


def decode(stream: bytes) -> TnefMessage:
    """Return the content of a winmail.dat stream; raise TnefError on a bad one."""
    try:
        signature, _key = struct.unpack_from("<IH", stream, 0)
        if signature != SIGNATURE:
            raise TnefError(f"not a TNEF stream (signature 0x{signature:08X})")
        offset = 6
        fields: dict[int, bytes] = {}
        while offset < len(stream):
            _level, att, length = struct.unpack_from("<BII", stream, offset)
            data = stream[offset + 9:offset + 9 + length]
            (checksum,) = struct.unpack_from("<H", stream, offset + 9 + length)
            if checksum != sum(data) & 0xFFFF or len(data) != length:
                raise TnefError(f"attribute 0x{att:08X}: bad checksum or length")
            fields[att] = data
            offset += 11 + length
        return TnefMessage(
            message_class=fields.get(ATT_MESSAGE_CLASS, b"IPM.Note\0").rstrip(b"\0").decode("ascii"),
            subject=fields.get(ATT_SUBJECT, b"").rstrip(b"\0").decode("cp1252"),
            body=fields.get(ATT_BODY, b"").decode("cp1252"),
            recipients=_read_rows(fields.get(ATT_RECIP_TABLE, b"\0\0\0\0")),
        )
    except struct.error as error:
        raise TnefError(f"truncated TNEF stream: {error}") from None
