"""Content conversion in the store (IMAIL): MAPI message <-> RFC 822/MIME, with the stdlib ``email``.

From Exchange 5.0 on, MIME/822 <-> MAPI conversion runs inside the information store
(Q176184, ims-domain §2.1), so converter behaviour switches on the Store.exe build.
"""

from __future__ import annotations

import re
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.core.eventlog import hresult_data
from kb.sim.store.imail_parts import ATTACHMENTS, attachments
from kb.sim.store.imail_buffer import STORE_COPIES_CRLF_SERIES_SAFELY, convert_japanese_text, is_japanese
from kb.sim.store.imail_comments import HeaderFieldOverrun, extract_addresses
from kb.sim.core.mapi import (IMAIL_E_HOP_COUNT, MAPI_E_CALL_FAILED, MAPI_E_NETWORK_ERROR, MAPI_E_NOT_ENOUGH_MEMORY,
                              ConversionError, MapiError)
from kb.sim.core.message import MapiMessage, RecipientRow, decode_encapsulated  # noqa: F401 (IMCEA decoding, re-exported)

if TYPE_CHECKING:
    from kb.sim.core.ports import Store
    from kb.sim.core.server import Server

# Q193782: Store.exe before 5.5.2417.0 (in SP2) overwrote the MAPI_E_CALL_FAILED it set for a
# corrupted encapsulated address with MAPI_E_NOT_ENOUGH_MEMORY (and logged IS 12800); the fix list
# of the article names Store.exe/Mdbmsg.dll/Gapi32.dll 5.5.2417.0.
STORE_KEEPS_ADDRESS_PARSE_ERROR = build("5.5.2417.0")


# Q252624: the SP3 store (Store.exe 5.5.2650.23, Q243604) began to read the x-mac-type and
# x-mac-creator attachment parameters that SP2 and earlier ignored, and moved mail with an illegal
# value to the archive; Store.exe 5.5.2652.17 (post-SP3 store fixes of April 12, 2000, Q248838; in
# SP4) drops the illegal value instead. The SP3 threshold is the SP3 store build series: the last
# store hotfix before SP3 in the notes is 5.5.2637 (Q235219), which the article does not implicate.
STORE_READS_MAC_ATTRIBUTES = build("5.5.2650.0")
STORE_DROPS_ILLEGAL_MAC_ATTRIBUTES = build("5.5.2652.17")
MAC_PARAMETERS = ("x-mac-type", "x-mac-creator")
_MAY_HOLD_MAC_PARAMETERS = re.compile(rb"x-mac-(?:type|creator)", re.IGNORECASE)
# The content-engine error IS 12006 reports for an inbound message it cannot process, as printed
# in Q190084 ("Error 80040C05-F20000E9"); Q252624 gives no code, so reusing it is an assumption.
IMAIL_E_ATTRIBUTE = 0x80040C05
IMAIL_E_ATTRIBUTE_TEXT = "80040C05-F20000E9"


_HEX = set("0123456789abcdefABCDEF")


def _is_mac_code(value: str) -> bool:
    """Return True for a four-character Macintosh code written as eight hex digits."""
    return len(value) == 8 and set(value) <= _HEX


# RFC 5321 §6.3: a server that counts Received fields to detect loops "SHOULD use a large
# rejection threshold, normally at least 100". Q260247 shows the store's content engine refusing a
# message over "the maximum hop count" (IS 12071, error 80040C02) without giving the number, so
# the RFC's threshold is an assumption. The same in every build.
MAX_HOP_COUNT = 100


# Output policy: CRLF line ends as on the wire, no line folding surprises in long addresses.
WIRE = policy.SMTP.clone(max_line_length=998)


def rfc822_date(when: datetime) -> str:
    """Return an RFC 822 date for virtual time (the simulated server runs on UTC)."""
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


class Imail:
    """The store's Internet content converter."""

    def __init__(self, server: "Server", store: "Store") -> None:
        self.server = server
        self.store = store
        self.build = server.builds.store

    def to_internet(self, message: MapiMessage) -> bytes:
        """Convert ``message`` into its RFC 822 form (reports already carry theirs).

        Raise ConversionError when the content cannot be written (an address the header syntax
        cannot hold, such as a one-off typed ``a@``): the IMS moves such a message to BAD (Q189731).
        """
        if message.mime is not None:
            return message.mime
        try:
            return self._write_internet(message)
        except Exception as error:  # noqa: BLE001 - any converter failure is a conversion failure
            raise ConversionError(f"{type(error).__name__}: {error}") from None

    def _write_internet(self, message: MapiMessage) -> bytes:
        mail = EmailMessage(policy=WIRE)
        sender = message.sender or f"postmaster@{self.server.domain}"
        mail["From"] = f"{message.sender_name} <{sender}>" if message.sender_name else sender
        mail["To"] = message.to_line or ", ".join(r.address for r in message.recipients if r.recipient_type == "To")
        cc = [r.address for r in message.recipients if r.recipient_type == "Cc"]
        if cc:
            mail["Cc"] = ", ".join(cc)
        mail["Subject"] = message.subject
        when = message.submit_time or self.server.clock.now()
        mail["Date"] = rfc822_date(when)
        mail["Message-ID"] = message.message_id or f"<{message.entry_id}@{self.server.fqdn}>"
        mail["X-Mailer"] = f"Internet Mail Service ({self.server.builds.ims.version})"
        mail.set_content(message.body or "")
        return mail.as_bytes(policy=WIRE)

    def from_internet(self, data: bytes, mail_from: str, rcpt_to: list[str]) -> MapiMessage:
        """Convert an inbound RFC 822 message into a MAPI message addressed to ``rcpt_to``."""
        store = self.store
        if store.state != "running":
            raise MapiError(MAPI_E_NETWORK_ERROR, f"the information store is {store.state}")
        try:
            parsed = BytesParser(policy=policy.default).parsebytes(data)
            subject = str(parsed.get("Subject", "") or "")
            from_name, from_addr = parseaddr(str(parsed.get("From", "") or ""))
            to_line = str(parsed.get("To", "") or "")
            header_rcpts = {a.lower() for _, a in getaddresses([to_line])}
            # Raw header values: the store parses these addresses for display names on submit.
            header_addresses = [str(v) for key in ("From", "To", "Cc") for v in parsed.get_all(key, [])]
            # Macintosh file type and creator of attachments (Content-Type parameters).
            mac_attributes = [
                {"filename": part.get_filename() or "", **{name: str(part.get_param(name)) for name in MAC_PARAMETERS
                                                          if part.get_param(name) is not None}}
                for part in parsed.walk()
                if any(part.get_param(name) is not None for name in MAC_PARAMETERS)
            ] if _MAY_HOLD_MAC_PARAMETERS.search(data) else []  # walking every part costs more than the search
            body_part = parsed.get_body(preferencelist=("plain", "html")) if parsed.is_multipart() else parsed
            body = body_part.get_content() if body_part is not None else ""
            charset = body_part.get_content_charset() if body_part is not None else None
            parts = attachments(parsed, body_part)  # a report's status part, an embedded original (Q262986)
        except Exception as error:  # noqa: BLE001 - any converter failure is a conversion failure
            raise ConversionError(f"{type(error).__name__}: {error}") from None
        # The raw field text (the converter sees the comments the header parser would drop).
        self.extract_recipient_fields([str(v) for k, v in parsed.raw_items() if k.lower() in ("to", "cc")])
        if not isinstance(body, str):
            body = body.decode("latin-1") if isinstance(body, bytes) else str(body)
        if is_japanese(charset) and self.build < STORE_COPIES_CRLF_SERIES_SAFELY:
            body, _truncated = convert_japanese_text(body, str(charset))  # Q235219
        message = MapiMessage(
            entry_id=self.store.new_entry_id(),
            subject=subject,
            body=body,
            # PR_SENDER is the header originator; the envelope one is kept apart (below).
            sender=from_addr or mail_from,
            sender_name=from_name,
            to_line=to_line,
            message_id=str(parsed.get("Message-ID", "") or ""),
            mime=None,
        )
        for index, address in enumerate(rcpt_to, start=1):
            rtype = "To" if address.lower() in header_rcpts or not header_rcpts else "Bcc"
            message.recipients.append(RecipientRow(row_id=index, address=address, recipient_type=rtype))
        message.props["internet_size"] = len(data)
        # Counted by name: parsing every Received value would cost more than the whole conversion.
        message.props["hop_count"] = sum(1 for name in parsed.keys() if name.lower() == "received")
        message.props["header_addresses"] = header_addresses
        message.props["mac_attributes"] = mac_attributes
        message.props["p2_originator"] = from_addr
        if parts:
            message.props[ATTACHMENTS] = parts
        # The envelope reverse path travels with the message (P1 originator): reports go to it,
        # never to the header From, and a null one is never answered (RFC 5321 §4.5.5, §6.1);
        # mail relayed on keeps it (RFC 5321 §4.4; Q258999 for the fixed IMS).
        message.props["reverse_path"] = mail_from
        if not mail_from:
            message.props["null_reverse_path"] = True
        return message

    def extract_recipient_fields(self, fields: list[object]) -> None:
        """Read the To and Cc fields as HrExtractRecips does; an overrun stops the store (Q231748)."""
        for value in fields:
            try:
                extract_addresses(str(value), self.build)
            except HeaderFieldOverrun as error:
                self.store.crash("an access violation (0xc0000005)", "CmcvtrHdr::ulSkipComment")
                raise MapiError(MAPI_E_NETWORK_ERROR, f"the information store stopped: {error}") from None

    def set_mac_attributes(self, message: MapiMessage, spool_name: str = "") -> None:
        """Give attachments their Macintosh type and creator from x-mac-type/x-mac-creator (Q252624).

        A legal value is the four-character code in eight hex digits (``x-mac-type="42494E41"``,
        ``x-mac-creator="4D535744"``, Q153464). Stores before the SP3 build ignore the parameters;
        SP3 stores reject an illegal value (IS 12006, a MAPI error the IMS logs as 4117 and
        archives); from Store.exe 5.5.2652.17 an illegal value is dropped and the mail delivered.
        """
        if self.build < STORE_READS_MAC_ATTRIBUTES:
            return  # "Service Pack 2 and earlier ignored the X-Mac-Type and X-Mac-Creator attributes"
        for attachment in message.props.get("mac_attributes", []):
            for name in MAC_PARAMETERS:
                value = attachment.get(name)
                if value is None:
                    continue
                if _is_mac_code(value):
                    attachment[name + "-code"] = bytes.fromhex(value).decode("latin-1")
                elif self.build < STORE_DROPS_ILLEGAL_MAC_ATTRIBUTES:
                    self.server.eventlog.log("MSExchangeIS", 12006, data=hresult_data(IMAIL_E_ATTRIBUTE),
                                          error=IMAIL_E_ATTRIBUTE_TEXT, message=message.message_id.strip("<>"),
                                          sender=message.sender_name or message.sender, file=spool_name)
                    raise MapiError(IMAIL_E_ATTRIBUTE, f"illegal {name} {value!r} on attachment {attachment['filename']!r}")
                else:
                    attachment.pop(name)

    def check_hop_count(self, message: MapiMessage, spool_name: str = "") -> None:
        """Refuse a message that has passed more hosts than MAX_HOP_COUNT: IS 12071 (Q260247)."""
        if int(message.props.get("hop_count", 0)) <= MAX_HOP_COUNT:
            return
        self.server.eventlog.log("MSExchangeIS", 12071, data=hresult_data(IMAIL_E_HOP_COUNT),
                              message=message.message_id.strip("<>"), subject=message.subject,
                              sender=message.sender, file=spool_name)
        raise MapiError(IMAIL_E_HOP_COUNT, f"{message.props['hop_count']} Received fields exceed the maximum hop count")

    def resolve_display_names(self, message: MapiMessage) -> None:
        """Parse the P2 header addresses for their display names (store side of submit, Q193782).

        A one-off that crossed connectors is encapsulated (``IMCEAEX-_O=Org_OU=Site_CN=...``); the
        store decodes the ``+xx`` escapes (any character but letters, digits, "=", "-" and "/",
        Q193782). A corrupted escape is detected and fails the call with MAPI_E_CALL_FAILED.
        Builds before Store.exe 5.5.2417.0 then overwrite that error in a later cleanup path with
        MAPI_E_NOT_ENOUGH_MEMORY and log IS 12800 (Q193782); the IMS treats memory errors as fatal.
        """
        for _name, address in getaddresses(list(message.props.get("header_addresses", []))):
            local = address.rpartition("@")[0] or address
            if not local.upper().startswith("IMCEA"):
                continue
            try:
                decode_encapsulated(local)
            except ValueError as error:
                if self.build < STORE_KEEPS_ADDRESS_PARSE_ERROR:
                    self.server.eventlog.log("MSExchangeIS", 12800, data=hresult_data(MAPI_E_NOT_ENOUGH_MEMORY),
                                          error="8007000E-F20000FF")
                    raise MapiError(MAPI_E_NOT_ENOUGH_MEMORY, "not enough memory") from None
                raise MapiError(MAPI_E_CALL_FAILED, f"corrupted encapsulated address {address!r}: {error}") from None
