"""Private information store storage limits and what they stop (store component).

The Private Information Store's General tab holds the default "Storage limits": Issue warning (K),
Prohibit send (K) and Prohibit send and receive (K); a mailbox may override them (Q226202). The
Administrator program's "Storage Limits" column shows each mailbox's state: "Below limit",
"Issue warning", "Prohibit send" or "Mailbox disabled" (over Prohibit send and receive).

A mailbox's size is what its folders hold. The IMS's mailbox ("Internet Mail Connector
(<server>)") holds its MTS-IN and MTS-OUT queues, and a message stays in MTS-OUT until the IMS
has finished with it: the IMS removes processed messages from the outbound store queue after
delivery (MSExchangeIMC 3038, Q296879). So a backlog of large messages waiting for retry fills it.

Q226202: the store generates the delivery and non-delivery reports of a gateway in the gateway's
mailbox ("Transfer Out Of Gateway"). Before Store.exe 5.5.2591.0 (in SP3) that generation applied
the mailbox quota: with the IMS mailbox over a prohibit limit it failed with error 0x4dd
(ecQuotaExceeded), logged as MSExchangeIS Private 2018, and no report was made. From 5.5.2591.0
system reports are exempt from the quota.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.exceptions import ConfigError
from kb.sim.core.builds import build
from kb.sim.core.mapi import MapiError

if TYPE_CHECKING:
    from kb.sim.core.directory import Mailbox
    from kb.sim.core.message import MapiMessage
    from kb.sim.org import Organisation

STORE_EXEMPTS_GATEWAY_REPORTS_FROM_QUOTA = build("5.5.2591.0")
EC_QUOTA_EXCEEDED = 0x4DD  # Exchange ecQuotaExceeded, "error 0x4dd" (Q226202)
MAX_LIMIT_KB = 2_097_151  # the Administrator program's largest storage limit (inference: 2 GB in KB)
STATES = ("Below limit", "Issue warning", "Prohibit send", "Mailbox disabled")


@dataclass
class StorageLimits:
    """Storage limits in KB; 0 leaves a limit unset (its check box cleared)."""

    warning_kb: int = 0
    prohibit_send_kb: int = 0
    prohibit_send_receive_kb: int = 0

    def __post_init__(self) -> None:
        for name in ("warning_kb", "prohibit_send_kb", "prohibit_send_receive_kb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LIMIT_KB:
                raise ConfigError("StorageLimits", None, f"{name} {value!r} is not a limit in KB (expected 0-{MAX_LIMIT_KB})")

    def state(self, size_bytes: int) -> str:
        """Return the Storage Limits column for a mailbox of ``size_bytes``."""
        kb = size_bytes / 1024
        if self.prohibit_send_receive_kb and kb >= self.prohibit_send_receive_kb:
            return "Mailbox disabled"
        if self.prohibit_send_kb and kb >= self.prohibit_send_kb:
            return "Prohibit send"
        if self.warning_kb and kb >= self.warning_kb:
            return "Issue warning"
        return "Below limit"


class Quotas:
    """The store's storage limits: the Private IS default and per-mailbox overrides."""

    def __init__(self, org: "Organisation") -> None:
        self.org = org
        self.default = StorageLimits()
        self.mailbox_limits: dict[str, StorageLimits] = {}
        self.refused = 0  # deliveries refused over "Prohibit send and receive"

    def set_limits(self, limits: StorageLimits, alias: str | None = None) -> None:
        """Set the Private IS default (``alias`` None) or one mailbox's own limits."""
        if not isinstance(limits, StorageLimits):
            raise ConfigError("StorageLimits", None, f"{limits!r} is not a StorageLimits")
        if alias is None:
            self.default = limits
        else:
            if not self.org.store.folders(alias):
                raise ConfigError("StorageLimits", None, f"mailbox {alias!r} does not exist")
            self.mailbox_limits[alias] = limits

    def limits(self, alias: str) -> StorageLimits:
        """Return the limits that apply to mailbox ``alias``."""
        return self.mailbox_limits.get(alias, self.default)

    def size(self, alias: str) -> int:
        """Return the bytes mailbox ``alias`` holds (the IMS mailbox: its queues and what the IMS still works on)."""
        store = self.org.store
        held: dict[str, int] = {}
        for name in store.folders(alias):
            for item in store.folder(alias, name):
                message = getattr(item, "message", item)
                held[message.entry_id] = message.size()
        if alias == self.org.ims_mailbox:
            for entry in self.org.ims.outbound.queue:  # removed from MTS-OUT after delivery (Q296879)
                if entry.state != "done":
                    held[entry.transfer.message.entry_id] = entry.transfer.message.size()
        return sum(held.values())

    def state(self, alias: str) -> str:
        """Return the Storage Limits column of mailbox ``alias``."""
        return self.limits(alias).state(self.size(alias))

    def refuses(self, alias: str, message: "MapiMessage") -> bool:
        """Return True when the store refuses to deliver ``message`` to ``alias`` (and handle it)."""
        if not self.mailbox_limits and not self.default.prohibit_send_receive_kb:
            return False  # no limit set: nothing to check (the common case stays cheap)
        return _refuses(self, alias, message)

    def check_gateway_report(self) -> None:
        """Let the store generate a report for the IMS gateway, or raise MapiError 0x4dd (Q226202)."""
        org = self.org
        if org.builds.store >= STORE_EXEMPTS_GATEWAY_REPORTS_FROM_QUOTA:
            return
        if self.state(org.ims_mailbox) not in ("Prohibit send", "Mailbox disabled"):
            return
        gateway = (f"/o={org.organisation}/ou={org.site}/cn=configuration/cn=connections/"
                   f"cn=internet mail connector ({org.server.lower()})")
        org.eventlog.log("MSExchangeIS Private", 2018, gateway=gateway, error="0x4dd")
        raise MapiError(EC_QUOTA_EXCEEDED, f"the gateway mailbox {org.ims_mailbox} is over its storage limit")


# Q238498 (first corrected in SP4; before that in the store hotfix package Q248838, whose first
# Store.exe is 5.5.2652.17 of April 12, 2000 - which build of the package carries it is an
# inference): a store that refuses a delivery because the mailbox is over "Prohibit send and
# receive" made an NDR even when the message was itself a report. On a server other than the
# IMS's it NDRs the report on the mailbox's behalf to the report's originator, the null address;
# the IMS cannot deliver to <> and NDRs back to the originator of that NDR, the mailbox, whose
# store refuses and reports again: a loop. On the IMS's own server the refusal goes back to the
# IMS, which never reports on a report (RFC 5321 §4.5.5). From that build reports are never NDR'd.
STORE_NEVER_REPORTS_ON_REPORTS = build("5.5.2652.17")
QUOTA_FAILURE_TEXT = "The recipient's mailbox is full"  # (inference) no corpus NDR text for a full mailbox


def _refuses(quotas: Quotas, alias: str, message: "MapiMessage") -> bool:
    """Refuse delivery to a disabled mailbox: NDR a message, drop a report (or loop, Q238498)."""
    from kb.sim.core.directory import Mailbox

    org = quotas.org
    entry = org.directory.find(alias)
    if not isinstance(entry, Mailbox) or quotas.limits(alias).prohibit_send_receive_kb == 0:
        return False
    if quotas.state(alias) != "Mailbox disabled":
        return False
    quotas.refused += 1
    is_report = message.message_class.startswith("REPORT.") or not message.reverse_path
    remote = bool(entry.home_server) and entry.home_server != org.server
    if is_report and (org.builds.store >= STORE_NEVER_REPORTS_ON_REPORTS or not remote):
        return True  # never report on a report
    _report_refusal(org, entry, message, to_null=is_report)
    return True


def _report_refusal(org: "Organisation", mailbox: "Mailbox", message: "MapiMessage", to_null: bool) -> None:
    """Make the store's NDR for a refused delivery and send it: to the originator, or to <> (Q238498)."""
    from kb.sim.core.message import RecipientRow
    from kb.sim.core.p1 import P1Recipient, Transfer
    from kb.sim.store.report import ReportedFailure

    row = next((r for r in message.recipients if r.entry == mailbox.alias
                or r.address.strip().lower() in (a.lower() for a in mailbox.smtp)), None)
    if row is None:
        row = message.recipients[0] if message.recipients else None
    if row is None:
        return
    server = mailbox.home_server or org.server
    failure = ReportedFailure(row_id=row.row_id, address=row.address, reason=1, diag=0,
                              diagnostic_line=f"MSEXCH:MSExchangeIS:{org.site}:{server}",
                              reason_text=QUOTA_FAILURE_TEXT, status="5.2.2")
    try:
        ndr = org.reports.create_ndr(message, [failure])
    except MapiError:
        return
    if not to_null:
        sender = org.directory.by_smtp(message.reverse_path) if message.reverse_path else None
        originator = sender.alias if sender is not None and sender.alias != mailbox.alias else ""
        org.reports.deliver_report(ndr, Transfer(message=message, recipients=[P1Recipient(row.row_id, mailbox.address)],
                                                 originator=originator))
        return
    # Addressed to the report's originator, the null address, and submitted for the mailbox.
    ndr.recipients = [RecipientRow(1, "", "SMTP", "")]
    ndr.sender, ndr.sender_name = mailbox.address, mailbox.display_name
    org.mta.submit(ndr, originator=mailbox.alias)
