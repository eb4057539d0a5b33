"""The X.400 reason code the IMS gives a failure it reports to a non-SMTP originator.

An NDR the IMS makes for a message that came from an X.400 originator goes back through the MTA
as a P1 report, whose NonDeliveryReasonCode comes from the IMS (ims-domain §2.5.4). Q230288:
"The NonDeliveryReasonCode being passed is incorrectly set to -1, which is not a valid code";
first corrected in SP3 (Msexcimc.exe 5.5.2594.0). Model: builds before 5.5.2594.0 pass -1 ("no
code") for every failure they report to such an originator; from that build the failure's own
reason (0-6, Q174175) is passed. NDRs to SMTP and local originators carry the failure's reason
on every build (their codes are not transferred in P1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.sim.core.builds import build

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService
    from kb.sim.core.p1 import Transfer

IMS_SETS_VALID_FOREIGN_REASON = build("5.5.2594.0")
NO_REASON = -1


def reason_for(ims: "InternetMailService", transfer: "Transfer", reason: int) -> int:
    """Return the reason code the IMS puts on a report row for ``transfer``."""
    if transfer.message.props.get("x400_originator") and ims.build < IMS_SETS_VALID_FOREIGN_REASON:
        return NO_REASON
    return reason
