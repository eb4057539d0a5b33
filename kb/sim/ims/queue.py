"""The IMS's queue of "Outbound messages awaiting delivery" and what one delivery attempt achieved.

Shared by the outbound path (kb.sim.ims.outbound), which keeps the queue, and the SMTP client
(kb.sim.ims.smtp_out), which makes the attempts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kb.sim.core.p1 import Transfer
from kb.sim.ims.addressing import ImsRecipient
from kb.sim.ims.failures import Failure
from kb.sim.ims.routing import RouteDecision


@dataclass
class QueueEntry:
    """One entry of "Outbound messages awaiting delivery": a spool file and one destination."""

    id: int
    spool_name: str
    transfer: Transfer
    decision: RouteDecision
    recipients: list[ImsRecipient]
    size: int
    first_queued: datetime
    attempts: int = 0
    next_try: datetime | None = None
    state: str = "ready"  # ready, retry, done
    last_error: str = ""
    delivered: list[str] = field(default_factory=list)
    last_replies: dict[str, tuple[str, str]] = field(default_factory=dict)  # see Attempt.replies
    retry_task: Any = field(default=None, repr=False, compare=False)  # the scheduled retry, if any
    # How many host addresses the first attempt found; pre-5.5.2652.78 builds keep walking that
    # many on every retry (Q265727).
    address_count: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "attempts": self.attempts,
            "destination": self.decision.host or self.decision.domain,
            "first_queued": self.first_queued.isoformat(),
            "id": self.id,
            "last_error": self.last_error,
            "next_try": self.next_try.isoformat() if self.next_try else None,
            "recipients": [r.address for r in self.recipients],
            "route": self.decision.kind,
            "spool_file": self.spool_name,
            "state": self.state,
            "subject": self.transfer.message.subject,
        }


@dataclass
class Attempt:
    """What one delivery attempt to one destination achieved."""

    delivered: list[ImsRecipient] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    retry: list[ImsRecipient] = field(default_factory=list)
    error: str = ""
    # address -> (reply line, host) of a transient reply, reported if the message expires
    # (RFC 3464 §2.3.5-2.3.6: the last attempt's Remote-MTA and Diagnostic-Code).
    replies: dict[str, tuple[str, str]] = field(default_factory=dict)
