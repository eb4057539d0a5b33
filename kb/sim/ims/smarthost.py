"""The envelope originator the IMS gives mail it sends to "Forward all messages to host".

RFC 5321 §3.6.3/§4.5.5: a relay keeps the reverse path it received, and a null reverse path
(``MAIL FROM:<>``, a delivery report) stays null so that nothing is ever sent back for it.

Q258999: with "Forward all messages to host" set, Internet mail that arrives with ``MAIL FROM:<>``
for a custom recipient (the domain accepted as incoming) is resubmitted through the store and
leaves for the smart host with ``MAIL FROM:<unknown>``. Model (inference from the symptom): for
mail it forwards to the smart host, builds before Msexcimc.exe 5.5.2652.39 (post-SP3 IMS fixes
of May 19, 2000, Q246889; in SP4) rebuild the SMTP originator of Internet-originated mail from the
message's P1 originator instead of passing the reverse path through; a null originator has no
address to rebuild and comes out as the literal "unknown". Mail a mailbox sent and the reports
the store makes carry their own originator and are not rebuilt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.sim.core.builds import build

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService
    from kb.sim.ims.routing import RouteDecision
    from kb.sim.core.p1 import Transfer

IMS_KEEPS_NULL_PATH_FOR_SMART_HOST = build("5.5.2652.39")
UNRESOLVED_ORIGINATOR = "unknown"


def envelope_sender(ims: "InternetMailService", transfer: "Transfer", decision: "RouteDecision") -> str:
    """Return the address the IMS writes in MAIL FROM for ``transfer`` sent by ``decision``."""
    message = transfer.message
    path = message.reverse_path
    internet_originated = not transfer.originator and not message.is_ndr
    if (decision.kind == "forward" and internet_originated and not path
            and ims.build < IMS_KEEPS_NULL_PATH_FOR_SMART_HOST):
        return UNRESOLVED_ORIGINATOR  # nothing in the directory answers for an empty originator
    return path
