"""Content conversion in the store (IMAIL): MAPI message <-> RFC 822/MIME, with the stdlib ``email``.

From Exchange 5.0 on, MIME/822 <-> MAPI conversion runs inside the information store
(Q176184, ims-domain §2.1), so converter behaviour switches on the Store.exe build.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import TYPE_CHECKING

from kb.sim.mapi import MAPI_E_CALL_FAILED, MapiError
from kb.sim.message import MapiMessage, RecipientRow

if TYPE_CHECKING:
    from kb.sim.org import Organisation

# Output policy: CRLF line ends as on the wire, no line folding surprises in long addresses.
WIRE = policy.SMTP.clone(max_line_length=998)


def rfc822_date(when: datetime) -> str:
    """Return an RFC 822 date for virtual time (the simulated server runs on UTC)."""
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


class ConversionError(MapiError):
    """The converter could not turn the content into the other form."""

    def __init__(self, detail: str) -> None:
        super().__init__(MAPI_E_CALL_FAILED, detail)


class Imail:
    """The store's Internet content converter."""

    def __init__(self, org: "Organisation") -> None:
        self.org = org
        self.build = org.builds.store

    def to_internet(self, message: MapiMessage) -> bytes:
        """Convert ``message`` into its RFC 822 form (reports already carry theirs)."""
        if message.mime is not None:
            return message.mime
        mail = EmailMessage(policy=WIRE)
        sender = message.sender or f"postmaster@{self.org.domain}"
        mail["From"] = f"{message.sender_name} <{sender}>" if message.sender_name else sender
        mail["To"] = message.to_line or ", ".join(r.address for r in message.recipients if r.recipient_type == "To")
        cc = [r.address for r in message.recipients if r.recipient_type == "Cc"]
        if cc:
            mail["Cc"] = ", ".join(cc)
        mail["Subject"] = message.subject
        when = message.submit_time or self.org.clock.now()
        mail["Date"] = rfc822_date(when)
        mail["Message-ID"] = message.message_id or f"<{message.entry_id}@{self.org.fqdn}>"
        mail["X-Mailer"] = f"Internet Mail Service ({self.org.builds.ims.version})"
        mail.set_content(message.body or "")
        return mail.as_bytes(policy=WIRE)

    def from_internet(self, data: bytes, mail_from: str, rcpt_to: list[str]) -> MapiMessage:
        """Convert an inbound RFC 822 message into a MAPI message addressed to ``rcpt_to``."""
        try:
            parsed = BytesParser(policy=policy.default).parsebytes(data)
            subject = str(parsed.get("Subject", "") or "")
            from_name, from_addr = parseaddr(str(parsed.get("From", "") or ""))
            to_line = str(parsed.get("To", "") or "")
            header_rcpts = {a.lower() for _, a in getaddresses([to_line])}
            body_part = parsed.get_body(preferencelist=("plain", "html")) if parsed.is_multipart() else parsed
            body = body_part.get_content() if body_part is not None else ""
        except Exception as error:  # noqa: BLE001 - any converter failure is a conversion failure
            raise ConversionError(f"{type(error).__name__}: {error}") from None
        if not isinstance(body, str):
            body = body.decode("latin-1") if isinstance(body, bytes) else str(body)
        message = MapiMessage(
            entry_id=self.org.store.new_entry_id(),
            subject=subject,
            body=body,
            sender=mail_from or from_addr,
            sender_name=from_name,
            to_line=to_line,
            message_id=str(parsed.get("Message-ID", "") or ""),
            mime=None,
        )
        for index, address in enumerate(rcpt_to, start=1):
            rtype = "To" if address.lower() in header_rcpts or not header_rcpts else "Bcc"
            message.recipients.append(RecipientRow(row_id=index, address=address, recipient_type=rtype))
        message.props["internet_size"] = len(data)
        return message
