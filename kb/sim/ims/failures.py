"""What the IMS reports when it gives up on a recipient: kinds of failure and their codes.

The vocabulary shared by the IMS's outbound and inbound paths, its SMTP client, its routing
extension and its NDR making (kb.sim.ims.ndr): the MSEXCH code and text the client shows, the
X.400 reason and diagnostic (Q174175) and the RFC 3464 status of each kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb.sim.ims.addressing import ImsRecipient


@dataclass(frozen=True)
class FailureKind:
    """How one kind of IMS-detected failure is reported (ims-domain §2.5.3, §2.5.4)."""

    code: int
    hex: str
    text: str
    reason: int  # X.400 reason code (Q174175)
    diag: int  # X.400 diagnostic code (Q174175)
    client_text: str
    status: str  # RFC 3464 status
    # Which Notifications option of the IMS covers it: "host" (destination host not found),
    # "address" (e-mail address could not be found), "timeout" (message timed out) or "other".
    notify: str = "other"


# Codes and texts from the corpus (§2.5.3); the X.400 reason/diagnostic pairs are inference
# (transfer failure for host problems, unable-to-transfer + unrecognised O/R name for addressing).
HOST_UNKNOWN = FailureKind(3902, "000B099C", "Host Unknown", 0, 255,
                           "Unable to deliver the message due to a communications failure", "5.4.4", "host")  # Q242961
SIZE_LIMIT = FailureKind(3903, "000B099C", "Message exceeds size limit", 1, 7,
                         "The content length of the message is too long for the recipient to take delivery", "5.3.4")  # Q257264, Q266092
UNKNOWN_RECIPIENT = FailureKind(0, "000C05A6", "Unknown Recipient", 1, 0,
                                "The recipient name is not recognized", "5.1.1", "address")  # Q246881
# (inference) no corpus text for the time-out NDR; diagnostic 5 is maximum-time-expired (Q174175).
EXPIRED = FailureKind(0, "000B099C", "Maximum time for delivery expired", 1, 5,
                      "Unable to deliver the message due to a communications failure", "4.4.7", "timeout")
NOTIFY_KINDS = ("host", "address", "timeout", "other")


_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)")


def enhanced_status(reply: str) -> str:
    """Return the RFC 3464 Status for a reply line: its enhanced code, else ``<class>.0.0``.

    RFC 3463 §2: a reply may carry ``class.subject.detail`` after the reply code (``550 5.1.1
    User unknown``); a DSN reports that code. Without one (or with one whose class disagrees
    with the reply code) only the class is known: ``X.0.0``, "other undefined status".
    """
    code, _, text = reply.strip().partition(" ")
    first = code[:1] if code[:1] in "245" and code.isdigit() else "5"
    match = _ENHANCED.match(text.strip())
    if match and match.group(1) == first:
        return ".".join(match.groups())
    return f"{first}.0.0"


def remote_failure(reply: str) -> FailureKind:
    """Return the kind for a remote 5xx reply: code 3000 + reply (553 -> 3553; §2.5.3, inference)."""
    number = int(reply[:3]) if reply[:3].isdigit() else 500
    # (inference) 550/551/553 say the mailbox is unknown or the address is bad: "address".
    notify = "address" if number in (550, 551, 553) else "other"
    return FailureKind(3000 + number, "000B0981" if number == 502 else "000C05A6", reply, 1, 0,
                       "The recipient name is not recognized", enhanced_status(reply), notify)


@dataclass
class Failure:
    """One recipient the IMS gave up on, and why."""

    recipient: "ImsRecipient"
    kind: FailureKind
    remote_reply: str = ""
    remote_mta: str = ""  # the host whose reply this is (RFC 3464 Remote-MTA)
