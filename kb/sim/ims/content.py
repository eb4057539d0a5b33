"""Message content settings: MIME or UUENCODE, and Exchange rich text (TNEF), per E-mail domain.

The IMS's Internet Mail tab sets the default "Message Content" (MIME or UUENCODE) and "Send
Microsoft Exchange rich-text formatting" (User / Always / Never); the E-mail Domain button sets
both for one domain (ims-domain §2.4; Q246881 "configured to send content formatted in TNEF").
"User" leaves it to the recipient's "Always send to this recipient in Microsoft Exchange rich-text
format" option, which the model reads from the message property ``PR_SEND_RICH_INFO``.

Outbound, the store's MIME form is turned into what goes to that destination: with TNEF the text
stays readable and ``winmail.dat`` carries the MAPI message (kb.sim.ims.tnef); UUENCODE sends a plain
RFC 822 message with a uuencoded ``winmail.dat`` after the text. Reports keep their MIME form
(inference: a multipart/report is made for the Internet and has no rich text to carry).

Inbound (Q246881): an IMS that receives TNEF rebuilds the sender's P2 recipient table from it.
When it cannot deliver to a recipient of the envelope (0 (000C05A6) Unknown Recipient), builds
before Msexcimc.exe 5.5.2651.58 (post-SP3 IMS fixes of Dec 14, 1999, Q246889; in SP4) name the
failed recipient by the P2 row that carried it - for a member of a list the sender's MTA
expanded, the list, which is the P2 row no envelope recipient matches - instead of the P1
(envelope) recipient. Fixed builds name the envelope recipient.
"""

from __future__ import annotations

import binascii
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.ims.tnef import TnefError, TnefMessage, TnefRecipient, decode, encode

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService
    from kb.sim.ims.config import DomainRoute, ImsConfig
    from kb.sim.ims.ndr import Failure
    from kb.sim.core.message import MapiMessage
    from kb.sim.core.p1 import Transfer

IMS_NAMES_ENVELOPE_RECIPIENT_IN_TNEF_NDR = build("5.5.2651.58")
WIRE = policy.SMTP


def settings_for(config: "ImsConfig", route: "DomainRoute | None") -> tuple[str, str]:
    """Return (content format, rich text) for a destination: its E-mail Domain entry, else the IMS default."""
    content = (route.content if route is not None and route.content else config.content_format).upper()
    rich = (route.rich_text if route is not None and route.rich_text else config.rich_text).lower()
    return content, rich


def _uuencode(name: str, data: bytes) -> str:
    lines = [f"begin 600 {name}"]
    lines += [binascii.b2a_uu(data[i:i + 45]).decode("ascii").rstrip("\n") for i in range(0, len(data), 45)]
    return "\r\n".join(lines + ["`", "end", ""])


def _uudecode(text: str, name: str) -> bytes | None:
    lines = text.replace("\r\n", "\n").split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == f"begin 600 {name}")
    except StopIteration:
        return None
    out = b""
    for line in lines[start + 1:]:
        if line.strip() in ("end", "`", ""):
            break
        out += binascii.a2b_uu(line)
    return out


def for_destination(ims: "InternetMailService", transfer: "Transfer", route: "DomainRoute | None", data: bytes) -> bytes:
    """Return the message text the IMS sends to a destination with ``route``'s content settings."""
    message = transfer.message
    if message.mime is not None:
        return data  # a report: sent as the store made it
    content, rich = settings_for(ims.config, route)
    tnef = rich == "always" or (rich == "user" and bool(message.props.get("PR_SEND_RICH_INFO")))
    if content == "MIME" and not tnef:
        return data
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    body = message.body or ""
    winmail = encode(TnefMessage(message.message_class, message.subject, body, tuple(
        TnefRecipient(r.display_name or r.address, r.addrtype, r.address, r.recipient_type) for r in message.recipients)))
    out = EmailMessage(policy=WIRE)
    for key, value in parsed.items():
        if not key.lower().startswith(("content-", "mime-version")):
            out[key] = value
    if content == "UUENCODE":
        text = body.replace("\r\n", "\n").replace("\n", "\r\n")
        if tnef:
            text += "\r\n\r\n" + _uuencode("winmail.dat", winmail)
        head = b"".join(f"{k}: {v}\r\n".encode("utf-8") for k, v in out.items())
        return head + b"\r\n" + text.encode("utf-8")
    out.set_content(body)
    out.add_attachment(winmail, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    return out.as_bytes(policy=WIRE)


def read_tnef(data: bytes) -> TnefMessage | None:
    """Return the TNEF content of an inbound message (MIME attachment or uuencoded), or None."""
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    try:
        for part in parsed.walk():
            if part.get_content_type() == "application/ms-tnef":
                payload = part.get_payload(decode=True)
                return decode(payload if isinstance(payload, bytes) else b"")
        if not parsed.is_multipart():
            payload = parsed.get_payload(decode=True)
            text = payload.decode("latin-1") if isinstance(payload, bytes) else str(payload or "")
            stream = _uudecode(text, "winmail.dat")
            return decode(stream) if stream else None
    except (TnefError, binascii.Error):
        return None  # an unreadable winmail.dat stays an attachment (inference)
    return None


def name_failures(ims: "InternetMailService", message: "MapiMessage", tnef: TnefMessage | None,
                  failures: list["Failure"]) -> None:
    """Name each inbound failure's NDR row as this IMS build does (Q246881)."""
    if tnef is None or ims.build >= IMS_NAMES_ENVELOPE_RECIPIENT_IN_TNEF_NDR:
        return
    envelope = {row.address.strip().lower() for row in message.recipients}
    unmatched = [r for r in tnef.recipients if r.address.strip().lower() not in envelope]
    for failure in failures:
        address = failure.recipient.address.strip().lower()
        if any(r.address.strip().lower() == address for r in tnef.recipients) or not unmatched:
            continue  # addressed directly: the P2 row is the recipient itself
        carrier = unmatched[0]
        row = next((r for r in message.recipients if r.row_id == failure.recipient.p1.row_id), None)
        if row is not None:
            row.address, row.display_name = carrier.address, carrier.display_name
