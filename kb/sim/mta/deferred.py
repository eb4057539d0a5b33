"""The MTA's deferred delivery: messages marked "Do not deliver before" wait in the MTA.

The client sets PR_DEFERRED_DELIVERY_TIME (Outlook's "Do not deliver before"); the message is
"stored in the MTA until delivery" (Q248253) and routed when its timer expires.

Q214682: "The Message Transfer Agent (MTA) returns the message if the deferred delivery date is
after the message timeout. The default message timeout period is seven days. When the deferred
delivery date arrives, the MTA checks the message timeout value, and displays the NDR for this
message based on that date, instead of delivering the message." The NDR reads "The maximum
time for delivering the message expired" with a ``MSEXCH:MSExchangeMTA:Site:Server`` line and
arrives on the deferred date. Fixed in Emsmta.exe 5.5.2534 (in SP3): the MTA no longer counts the
time a message was held for deferred delivery against its timeout.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.core.mapi import MapiError
from kb.sim.core.message import MapiMessage

if TYPE_CHECKING:
    from kb.sim.mta.agent import MessageTransferAgent

PROP = "PR_DEFERRED_DELIVERY_TIME"
# Q214682: "The default message timeout period is seven days."
MTA_MESSAGE_TIMEOUT = timedelta(days=7)
MTA_EXCLUDES_DEFERRAL_FROM_TIMEOUT = build("5.5.2534")
# X.400 diagnostic 5 maximum-time-expired with reason 0 transfer-failure (Q174175); the RFC 3463
# status 5.4.7 "delivery time expired" is an inference.
EXPIRED_TEXT = "The maximum time for delivering the message expired"


class DeferredDelivery:
    """Deferred-delivery timers of one MTA."""

    def __init__(self, mta: "MessageTransferAgent") -> None:
        self.mta = mta
        self.held: list[MapiMessage] = []

    def hold(self, message: MapiMessage, originator: str) -> bool:
        """Keep ``message`` until its deferred delivery time; return False when it is not deferred."""
        org = self.mta.org
        when = message.props.get(PROP)
        if not isinstance(when, datetime) or when <= org.clock.now():
            return False
        self.held.append(message)

        def expire(m: MapiMessage = message, o: str = originator) -> None:
            """The deferred delivery timer expired."""
            self.release(m, o)

        org.clock.schedule((when - org.clock.now()).total_seconds(), f"mta: deferred delivery {message.mts_id}", expire)
        return True

    def release(self, message: MapiMessage, originator: str) -> None:
        """Route a held message whose time has come, or NDR it as timed out (pre-2534 MTAs)."""
        org = self.mta.org
        if message in self.held:
            self.held.remove(message)
        submitted = message.submit_time or org.clock.now()
        if self.mta.build < MTA_EXCLUDES_DEFERRAL_FROM_TIMEOUT and org.clock.now() - submitted > MTA_MESSAGE_TIMEOUT:
            self.expired(message, originator)
            return
        self.mta.route(message, originator)

    def expired(self, message: MapiMessage, originator: str) -> None:
        """NDR every recipient: maximum time for delivering the message expired (Q214682)."""
        from kb.sim.core.p1 import P1Recipient, Transfer
        from kb.sim.store.report import ReportedFailure

        org = self.mta.org
        failures = [ReportedFailure(row_id=row.row_id, address=row.address, reason=0, diag=5,
                                    diagnostic_line=f"MSEXCH:MSExchangeMTA:{org.site}:{org.server}",
                                    reason_text=EXPIRED_TEXT, status="5.4.7")
                    for row in message.recipients]
        try:
            report = org.reports.create_ndr(message, failures)
        except MapiError:
            return
        org.reports.deliver_report(report, Transfer(
            message=message, recipients=[P1Recipient(row.row_id, row.address) for row in message.recipients],
            originator=originator))
