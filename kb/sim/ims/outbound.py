"""The outbound path: MTS-OUT -> conversion -> OUT spool -> queue -> SMTP delivery, retry, expiry.

ims-domain §2.2: the IMS takes a message from MTS-OUT, converts it into the OUT spool (BAD on
conversion failure, archived when Message Archival is on, Q189731), queues one entry per
destination, selects hosts, speaks SMTP, retries on the connector schedule (Q146669) and NDRs on
permanent failure or after the message time-out (Q184051).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kb.sim.dns import DnsFailure
from kb.sim.ims.addressing import ImsRecipient, parse_recipient
from kb.sim.ims.ndr import EXPIRED, HOST_UNKNOWN, SIZE_LIMIT, Failure, remote_failure
from kb.sim.ims.routing import RouteDecision, route
from kb.sim.imail import ConversionError
from kb.sim.mta import Transfer

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService

SOURCE = "MSExchangeIMC"


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


def _is_ip(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text.strip("[]"))
        return True
    except ValueError:
        return False


class OutboundPath:
    """The outbound half of the IMS."""

    def __init__(self, ims: "InternetMailService") -> None:
        self.ims = ims
        self.queue: list[QueueEntry] = []
        self._next_id = 0
        self.messages_out = 0
        self.bytes_out = 0

    # -- MTS-OUT -------------------------------------------------------------------------------
    def process_mts_out(self) -> None:
        """Take every message waiting in MTS-OUT."""
        mts_out = self.ims.org.store.queue("MTS-OUT")
        while mts_out:
            self.take(mts_out.pop(0))

    def take(self, transfer: Transfer) -> None:
        """Convert one transfer into the OUT spool and queue it per destination."""
        ims, org = self.ims, self.ims.org
        now = org.clock.now()
        name = ims.spool.new_name()
        try:
            data = org.imail.to_internet(transfer.message)
        except ConversionError as error:
            # Conversion failures go to BAD and are not archived (Q189731).
            ims.spool.write("BAD", name, transfer.message.subject.encode("utf-8"), now, str(error))
            return
        ims.spool.write("OUT", name, data, now)
        if ims.config.archiving:
            ims.spool.copy("OUT", name, "OUT\\ARCHIVE", now, "message archival")
        recipients = [parse_recipient(p, ims.build) for p in transfer.recipients]
        failures, recipients = self.check_limits(transfer, recipients, len(data))
        if failures:
            ims.ndr.report(transfer, name, failures)
        groups: dict[tuple[str, str, str], tuple[RouteDecision, list[ImsRecipient]]] = {}
        for recipient in recipients:
            decision = route(recipient.domain, ims.config)
            groups.setdefault(decision.key, (decision, []))[1].append(recipient)
        for decision, members in groups.values():
            self._next_id += 1
            entry = QueueEntry(self._next_id, name, transfer, decision, members, len(data), now)
            self.queue.append(entry)
            org.clock.schedule(0, f"deliver {name}#{entry.id}", lambda e=entry: self.attempt(e))
        if not groups and not self.pending_for(name) and ims.spool.exists("OUT", name):
            ims.spool.delete("OUT", name)

    def check_limits(self, transfer: Transfer, recipients: list[ImsRecipient], size: int) -> tuple[list[Failure], list[ImsRecipient]]:
        """Apply the outbound size limits: General tab first, then per domain (Q257264)."""
        config = self.ims.config
        failures: list[Failure] = []
        keep: list[ImsRecipient] = []
        for recipient in recipients:
            limit_kb = config.message_size_kb
            if limit_kb and size > limit_kb * 1024:
                failures.append(Failure(recipient, SIZE_LIMIT))
                continue
            entry = route(recipient.domain, config).route
            if entry is not None and entry.max_size_kb and size > entry.max_size_kb * 1024:
                failures.append(Failure(recipient, SIZE_LIMIT))
                continue
            keep.append(recipient)
        return failures, keep

    def pending_for(self, spool_name: str) -> bool:
        """Return True while a queue entry still needs spool file ``spool_name``."""
        return any(e.spool_name == spool_name and e.state != "done" for e in self.queue)

    # -- delivery ------------------------------------------------------------------------------
    def attempt(self, entry: QueueEntry) -> None:
        """Try to deliver one queue entry now."""
        if entry.state == "done":
            return
        ims, org = self.ims, self.ims.org
        entry.attempts += 1
        result = self.deliver(entry)
        entry.delivered += [r.address for r in result.delivered]
        if result.delivered:
            self.messages_out += 1
            self.bytes_out += entry.size
        failures = list(result.failed)
        entry.recipients = list(result.retry)
        if entry.recipients:
            entry.last_error = result.error
            expires = entry.first_queued + timedelta(hours=ims.config.message_timeout_hours)
            hours = ims.config.retry_hours[min(entry.attempts - 1, len(ims.config.retry_hours) - 1)]
            next_try = org.clock.now() + timedelta(hours=hours)
            if next_try >= expires:
                entry.state = "retry"
                entry.next_try = expires
                org.clock.schedule((expires - org.clock.now()).total_seconds(), f"expire {entry.spool_name}#{entry.id}",
                                   lambda e=entry: self.expire(e))
            else:
                entry.state = "retry"
                entry.next_try = next_try
                org.clock.schedule(hours * 3600, f"retry {entry.spool_name}#{entry.id}", lambda e=entry: self.attempt(e))
        else:
            self._finish(entry)
        if failures:
            ims.ndr.report(entry.transfer, entry.spool_name, failures)
        if entry.state == "done" and not self.pending_for(entry.spool_name) and ims.spool.exists("OUT", entry.spool_name):
            ims.spool.delete("OUT", entry.spool_name)

    def _finish(self, entry: QueueEntry) -> None:
        entry.state = "done"
        entry.next_try = None

    def expire(self, entry: QueueEntry) -> None:
        """NDR whatever is left of ``entry`` when its time-out passes (Q184051)."""
        if entry.state == "done":
            return
        failures = [Failure(r, EXPIRED) for r in entry.recipients]
        entry.recipients = []
        self._finish(entry)
        self.ims.ndr.report(entry.transfer, entry.spool_name, failures)
        if not self.pending_for(entry.spool_name) and self.ims.spool.exists("OUT", entry.spool_name):
            self.ims.spool.delete("OUT", entry.spool_name)

    def hosts_for(self, entry: QueueEntry) -> list[str]:
        """Return the host names (or IP literals) to try; raise DnsFailure."""
        dns = self.ims.org.dns
        if entry.decision.host:
            return [entry.decision.host]
        return dns.mail_hosts(entry.decision.domain)

    def deliver(self, entry: QueueEntry) -> Attempt:
        """Select hosts and run the SMTP dialogue; classify each recipient."""
        ims, org = self.ims, self.ims.org
        try:
            hosts = self.hosts_for(entry)
        except DnsFailure as failure:
            if failure.permanent:
                if ims.config.log_level("smtp_interface_events") >= 3:
                    org.eventlog.log(SOURCE, 2006, host=failure.name, domain=entry.decision.domain)
                return Attempt(failed=[Failure(r, HOST_UNKNOWN) for r in entry.recipients], error=str(failure))
            return Attempt(retry=list(entry.recipients), error=str(failure))
        remaining = list(entry.recipients)
        errors: list[str] = []
        outcome = Attempt()
        for host in hosts:
            try:
                ips = [host.strip("[]")] if _is_ip(host) else org.dns.a(host)
            except DnsFailure as failure:
                errors.append(str(failure))
                continue
            for ip in ips:
                result = ims.smtp_out.session(entry, host, ip, remaining)
                outcome.delivered += result.delivered
                outcome.failed += result.failed
                remaining = result.retry
                if result.error:
                    errors.append(result.error)
                if not remaining:
                    return outcome
                if not result.error:
                    break  # the host answered; recipients it deferred stay deferred
        outcome.retry = remaining
        outcome.error = "; ".join(errors) or "no routing hosts are reachable"
        return outcome

    def queue_json(self) -> list[dict[str, Any]]:
        """Return the entries still awaiting delivery."""
        return [e.to_json() for e in self.queue if e.state != "done"]
