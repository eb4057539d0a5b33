"""The IMS routing extension: a custom DLL that sees each inbound message before it is submitted.

The inbound worker converts a message, then offers it to the extension (``rcRemailMessage``),
then submits it to MTS-IN (ims-domain §2.3 step 3, Q189731). The extension answers with a
disposition: ``DISP_NO_CHANGE`` (deliver as addressed) or ``DISP_NDR_ORIG`` (return the message to
its originator with an NDR).

Q178378: "The Microsoft Exchange Server Internet Mail Service does not send a non-delivery report
(NDR) on a message it has passed from a custom routing .Dll file with DISP_NDR_ORIG. The message
may be delivered to the mailbox" and MSExchangeIS Private 2078 (Transfer Out Of Gateway, "Check
PR_DELIVERY_TIME, PR_NDR_REASON, PR_NON_DELIVERY_DIAGNOSTIC") is logged; "corrected in Microsoft
Exchange Server version 5.5 Service Pack 1" (and 5.0 SP2). The article names no file version, so
the switch is the SP1 IMS build series (inference).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from kb.exceptions import SimError
from kb.sim.core.builds import build
from kb.sim.ims.ndr import FailureKind

if TYPE_CHECKING:
    from kb.sim.core.message import MapiMessage

DISPOSITIONS = ("DISP_NO_CHANGE", "DISP_NDR_ORIG")
IMS_HONOURS_NDR_DISPOSITION = build("5.5.2232.0")
# (inference) No article prints the fixed IMS's NDR line for an extension's DISP_NDR_ORIG: reason 1
# (unable-to-transfer) and diagnostic 0, as for an unknown recipient, with the extension named.
EXTENSION_NDR = FailureKind(0, "000C05A6", "Returned to originator by the routing extension", 1, 0,
                            "The recipient name is not recognized", "5.7.1", "other")


@dataclass(frozen=True)
class RoutingExtension:
    """A custom routing DLL: ``decide(message)`` returns one of DISPOSITIONS."""

    name: str
    decide: Callable[["MapiMessage"], str]

    def disposition(self, message: "MapiMessage") -> str:
        """Return the extension's disposition for ``message`` (checked against DISPOSITIONS)."""
        answer = self.decide(message)
        if answer not in DISPOSITIONS:
            raise SimError(f"routing extension {self.name}: disposition {answer!r} is not one of {', '.join(DISPOSITIONS)}")
        return answer
