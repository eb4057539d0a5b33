"""A non-Exchange remote host's own delivery report: an RFC 3464 DSN in the words of UNIX sendmail.

A remote host that accepted a recipient at RCPT and could not deliver it later reports on its
own (RFC 5321 §6.1, §4.5.5; RFC 3461 §6.1): a ``multipart/report; report-type=delivery-status``
message (RFC 3462, RFC 3464) from its Mail Delivery Subsystem, sent with ``MAIL FROM:<>`` to the
message's reverse path. The layout (``From: Mail Delivery Subsystem <MAILER-DAEMON@host>``, a
"Returned mail" subject, the transcript text, the original returned as ``message/rfc822``) is
sendmail 8.9's, as UNIX hosts of Exchange 5.5's day sent it (Q146270 shows such a report reaching
an Exchange user); the field values follow RFC 3464 §2.2-§2.3 and RFC 3463.
"""

from __future__ import annotations

import re
from datetime import datetime

# sendmail 8.9 defaults (inference from its cf documentation, no KB article): a queue run every
# hour (-q1h) and a message that cannot be sent for five days (Timeout.queuereturn=5d) is given up.
DSN_RETRY_SECONDS = 3600.0
DSN_RETURN_SECONDS = 5 * 24 * 3600.0

ENHANCED = re.compile(r"^[245][0-9][0-9][ -]([245])\.([0-9]{1,3})\.([0-9]{1,3})(?:\s|$)")


def enhanced_status(reply: str) -> str | None:
    """Return the RFC 3463 enhanced code of a reply line (``"550 5.1.1 …"`` → ``"5.1.1"``), or None."""
    match = ENHANCED.match(reply)
    return ".".join(match.groups()) if match else None


def dsn_status(reply: str) -> str:
    """Return the Status of a failed recipient: the reply's enhanced code, else ``X.0.0`` (RFC 3463 §3.1)."""
    return enhanced_status(reply) or f"{reply[:1] or '5'}.0.0"


def _date(when: datetime) -> str:
    """Return an RFC 5322 date for virtual time (the simulated Internet runs on UTC)."""
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _reason(reply: str) -> str:
    """Return a reply's reason (``"550 5.1.1 <x>... User unknown"`` → ``"User unknown"``)."""
    text = reply[4:]
    if enhanced_status(reply):
        text = text.partition(" ")[2]
    return text.rpartition("... ")[2].strip() or "Service unavailable"


def compose_dsn(host: str, arrived: datetime, now: datetime, sequence: int, reverse_path: str,
                failures: list[tuple[str, str]], original: bytes, client: str = "") -> bytes:
    """Return the DSN ``host`` sends to ``reverse_path`` about ``failures`` (address, final reply).

    ``arrived`` is when the message came (Arrival-Date), ``client`` the name the sending server
    gave in EHLO (Received-From-MTA), ``original`` the message returned in full (RET=FULL, the
    default when the sender asked nothing, RFC 3461 §4.3).
    """
    queue_id = f"{arrived:%Y%m%d%H%M}.AAA{sequence:05d}"
    boundary = f"{queue_id}/{host}"
    reasons = sorted({_reason(reply) for _, reply in failures})
    subject = f"Returned mail: {reasons[0]}" if len(reasons) == 1 else "Returned mail: see transcript for details"
    text = [
        f"The original message was received at {_date(arrived)}",
        f"from {client or 'unknown'}",
        "",
        "   ----- The following addresses had permanent fatal errors -----",
        *[f"<{address}>" for address, _ in failures],
        "",
        "   ----- Transcript of session follows -----",
        *[reply for _, reply in failures],
    ]
    per_message = [f"Reporting-MTA: dns; {host}"]
    if client:
        per_message.append(f"Received-From-MTA: DNS; {client}")
    per_message.append(f"Arrival-Date: {_date(arrived)}")
    blocks = ["\r\n".join(per_message)]
    for address, reply in failures:
        blocks.append("\r\n".join([
            f"Final-Recipient: RFC822; {address}",
            "Action: failed",
            f"Status: {dsn_status(reply)}",
            f"Diagnostic-Code: SMTP; {reply}",
            f"Last-Attempt-Date: {_date(now)}",
        ]))
    head = [
        f"Received: from localhost (localhost) by {host} (8.9.3/8.9.3) id {queue_id[-8:]}; {_date(now)}",
        f"Date: {_date(now)}",
        f"From: Mail Delivery Subsystem <MAILER-DAEMON@{host}>",
        f"Message-Id: <{now:%Y%m%d%H%M}.{queue_id[-8:]}@{host}>",
        f"To: <{reverse_path}>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        f"Subject: {subject}",
    ]
    original = original if original.endswith(b"\r\n") else original + b"\r\n"
    parts = [
        "\r\n".join(head), "", "This is a MIME-encapsulated message", "",
        f"--{boundary}", "", "\r\n".join(text), "",
        f"--{boundary}", "Content-Type: message/delivery-status", "", "\r\n\r\n".join(blocks), "",
        f"--{boundary}", "Content-Type: message/rfc822", "", "",
    ]
    return "\r\n".join(parts).encode() + original + f"\r\n--{boundary}--\r\n".encode()
