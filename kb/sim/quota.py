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
from kb.sim.builds import build
from kb.sim.mapi import MapiError

if TYPE_CHECKING:
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
