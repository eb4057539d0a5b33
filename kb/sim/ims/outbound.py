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

from kb.sim.core.builds import build
from kb.sim.outside.dns import DnsFailure
from kb.sim.core.eventlog import hresult_data
from kb.sim.core.mapi import MAPI_E_CALL_FAILED, MAPI_E_NOT_ENOUGH_MEMORY, RPC_LIMIT_BYTES, ConversionError, MapiError
from kb.sim.ims.addressing import ImsRecipient, parse_recipient
from kb.sim.ims.failures import EXPIRED, HOST_UNKNOWN, SIZE_LIMIT, Failure
from kb.sim.ims.queue import Attempt, QueueEntry
from kb.sim.ims.routing import RouteDecision, route
from kb.sim.core.p1 import Transfer
from kb.sim.ims import SOURCE

if TYPE_CHECKING:
    from kb.sim.ims.context import Ims


# Q231303: Msexcimc.exe 5.5.2591 (a post-SP2 hotfix, in SP3) adds the registry values
# OutboundSizeLimit/InboundSizeLimit, in bytes (0 = no limit).
IMS_HAS_SIZE_LIMIT_REGISTRY = build("5.5.2591")
# Q240788 (a regression that exists only with a hotfix): the post-SP2 IMS hotfixes "from 2607 to
# 2650" compare sizes in bytes for that feature, but the per-domain "Maximum size" is still kept
# in KB and is compared as if it were bytes, so the limit is divided by 1024. Msexcimc.exe
# 5.5.2650.21 (in SP3) converts it. Plain SP2 (IMS 2448) predates the change.
IMS_COMPARES_SIZES_IN_BYTES = build("5.5.2607")
IMS_CONVERTS_DOMAIN_LIMIT_TO_BYTES = build("5.5.2650.21")
# Q193639: before Msexcimc.exe 5.5.2417.0 (in SP2) the IMS fetched every property of an MTS-OUT
# message in one call and stopped on the (misreported) out-of-memory error of an RPC over 32 KB;
# from 2417 it retrieves them in two batches and the error is no longer critical.
IMS_SPLITS_PROPERTY_FETCH = build("5.5.2417.0")
# Q192939: before Msexcimc.exe 5.5.2387.0 (in SP2) the IMS took the presence of PR_AUTO_FORWARDED
# as the mark of an automatic message; from 2387 it reads the property's value.
IMS_READS_AUTO_FORWARDED_VALUE = build("5.5.2387.0")
# Q192982: from Msexcimc.exe 5.5.2407.0 (in SP2) an auto-forward is told apart from an auto-reply
# and sent when the registry value AlwaysAllowForwarding is 1.
IMS_ALLOWS_AUTO_FORWARDS = build("5.5.2407.0")
OOF_CLASS = "IPM.Note.Rules.OofTemplate"
AUTO_REPLY_CLASS = "IPM.Note.Rules.ReplyTemplate"

# Q265727 (fix: Msexcimc.exe 5.5.2652.78, post-SP3 IMS fixes of July 28, 2000, Q246889; in SP4):
# "the Internet Mail Service continues to search for IP addresses to use to deliver the message,
# even though there are no more IP addresses to try for a given domain", "most likely ... after
# several unsuccessful attempts". Modelled (inference): the delivery batch sizes its walk over
# the destination's addresses on the first attempt; when a retry resolves fewer addresses (an MX
# or A record gone meanwhile), earlier builds walk past the end of the list and the process
# stops with an access violation. From this build the walk ends at the last address found.
IMS_STOPS_AT_LAST_ADDRESS = build("5.5.2652.78")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text.strip("[]"))
        return True
    except ValueError:
        return False


class OutboundPath:
    """The outbound half of the IMS."""

    def __init__(self, ims: "Ims") -> None:
        self.ims = ims
        self.queue: list[QueueEntry] = []
        self._next_id = 0
        self.messages_out = 0
        self.bytes_out = 0

    # -- MTS-OUT -------------------------------------------------------------------------------
    def process_mts_out(self) -> None:
        """Take every message waiting in MTS-OUT (while the service runs)."""
        mts_out = self.ims.store.queue("MTS-OUT")
        while mts_out and self.ims.running:
            transfer = mts_out[0]
            try:
                self.load_properties(transfer)
            except MapiError as error:
                if not self.messaging_error(transfer, error):
                    return  # fatal: the service stopped and the message stays in MTS-OUT
                mts_out.pop(0)
                continue
            mts_out.pop(0)
            if self.drops_automatic(transfer):
                continue
            self.take(transfer)

    def load_properties(self, transfer: Transfer) -> None:
        """Fetch the message's properties from the store (Q193639); raise MapiError."""
        store = self.ims.store
        message = transfer.message
        names = list(store.property_sizes(message))
        if self.ims.build < IMS_SPLITS_PROPERTY_FETCH:
            store.get_props(message, names)
            return
        try:
            store.get_props(message, names)
            return
        except MapiError as error:
            if error.hresult != MAPI_E_NOT_ENOUGH_MEMORY:
                raise
        # "... it divides them up and retrieves some in one attempt and the rest in a second".
        sizes = store.property_sizes(message)
        first: list[str] = []
        used = 0
        for name in names:
            if used + sizes[name] > RPC_LIMIT_BYTES:
                break
            first.append(name)
            used += sizes[name]
        rest = names[len(first):]
        try:
            for batch in (first, rest):
                if batch:
                    store.get_props(message, batch)
        except MapiError as error:
            # "the error returned in the condition was changed to a non-critical one"
            raise MapiError(MAPI_E_CALL_FAILED, error.detail) from None

    def messaging_error(self, transfer: Transfer, error: MapiError) -> bool:
        """Handle a store error on an MTS-OUT message (4116); return False when the IMS stopped.

        An out-of-memory error stops the service and the message is retried at restart ("The
        Internet Mail Service is programmed to stop if it receives such a memory error", Q193639);
        any other error moves the message to BAD.
        """
        ims, server = self.ims, self.ims.server
        name = ims.spool.new_name()
        server.eventlog.log(SOURCE, 4116, data=hresult_data(error.hresult))
        if error.hresult == MAPI_E_NOT_ENOUGH_MEMORY:
            ims.stop()
            return False
        ims.spool.write("BAD", name, transfer.message.subject.encode("utf-8"), server.clock.now(), str(error))
        return True

    def automatic_kind(self, transfer: Transfer) -> str:
        """Return "oof", "auto-reply", "auto-forward" or "" for an outbound message."""
        message = transfer.message
        if message.message_class.startswith(OOF_CLASS):
            return "oof"
        if message.message_class.startswith(AUTO_REPLY_CLASS):
            return "auto-reply"
        if "PR_AUTO_FORWARDED" in message.props:
            if self.ims.build < IMS_READS_AUTO_FORWARDED_VALUE or message.props["PR_AUTO_FORWARDED"]:
                return "auto-forward"
        return ""

    def drops_automatic(self, transfer: Transfer) -> bool:
        """Drop an OOF or automatic message the configuration keeps off the Internet (4123)."""
        config = self.ims.config
        kind = self.automatic_kind(transfer)
        if kind == "oof":
            drop = config.disable_oof
        elif kind == "auto-reply":
            drop = config.disable_auto_replies
        elif kind == "auto-forward":
            allowed = (self.ims.build >= IMS_ALLOWS_AUTO_FORWARDS
                       and int(config.registry.get("AlwaysAllowForwarding", 0) or 0) == 1)
            # Builds before 5.5.2407.0 cannot tell an auto-forward from an auto-reply (Q192982).
            drop = config.disable_auto_replies and not allowed
        else:
            drop = False
        if drop:
            self.ims.server.eventlog.log(SOURCE, 4123)
        return drop

    def take(self, transfer: Transfer) -> None:
        """Convert one transfer into the OUT spool and queue it per destination."""
        ims, server = self.ims, self.ims.server
        now = server.clock.now()
        name = ims.spool.new_name()
        try:
            data = ims.imail.to_internet(transfer.message)
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

            def deliver(e: QueueEntry = entry) -> None:
                """Attempt delivery of one queue entry."""
                self.attempt(e)

            server.clock.schedule(0, f"deliver {name}#{entry.id}", deliver)
        if not groups and not self.pending_for(name) and ims.spool.exists("OUT", name):
            ims.spool.delete("OUT", name)

    def check_limits(self, transfer: Transfer, recipients: list[ImsRecipient], size: int) -> tuple[list[Failure], list[ImsRecipient]]:
        """Apply the outbound size limits: General tab first, then per domain (Q257264)."""
        config = self.ims.config
        failures: list[Failure] = []
        keep: list[ImsRecipient] = []
        registry_limit = 0
        if self.ims.build >= IMS_HAS_SIZE_LIMIT_REGISTRY:
            registry_limit = int(config.registry.get("OutboundSizeLimit", 0) or 0)
        for recipient in recipients:
            limit_kb = config.message_size_kb
            if (limit_kb and size > limit_kb * 1024) or (registry_limit and size > registry_limit):
                failures.append(Failure(recipient, SIZE_LIMIT))
                continue
            entry = route(recipient.domain, config).route
            if entry is not None and entry.max_size_kb and size > self.domain_limit_bytes(entry.max_size_kb):
                failures.append(Failure(recipient, SIZE_LIMIT))
                continue
            keep.append(recipient)
        return failures, keep

    def domain_limit_bytes(self, max_size_kb: int) -> int:
        """Return the per-domain "Maximum size" (kept in KB) as this build compares it, in bytes."""
        if IMS_COMPARES_SIZES_IN_BYTES <= self.ims.build < IMS_CONVERTS_DOMAIN_LIMIT_TO_BYTES:
            return max_size_kb  # the KB figure taken as bytes (Q240788)
        return max_size_kb * 1024

    def pending_for(self, spool_name: str) -> bool:
        """Return True while a queue entry still needs spool file ``spool_name``."""
        return any(e.spool_name == spool_name and e.state != "done" for e in self.queue)

    # -- delivery ------------------------------------------------------------------------------
    def attempt(self, entry: QueueEntry) -> None:
        """Try to deliver one queue entry now."""
        if entry.state == "done":
            return
        if not self.ims.running:
            return  # a stopped service delivers nothing; start() queues the entry again
        ims, server = self.ims, self.ims.server
        entry.attempts += 1
        result = self.deliver(entry)
        entry.delivered += [r.address for r in result.delivered]
        entry.last_replies.update(result.replies)
        if ims.config.log_level("message_transfer") >= 3 and (result.delivered or result.failed):
            server.eventlog.log(SOURCE, 2001, message=entry.spool_name, hosts=entry.decision.host or entry.decision.domain,
                             delivered=len(result.delivered), undeliverable=len(result.failed))
        if result.delivered:
            self.messages_out += 1
            self.bytes_out += entry.size
        failures = list(result.failed)
        entry.recipients = list(result.retry)
        if entry.recipients:
            entry.last_error = result.error
            expires = entry.first_queued + timedelta(hours=ims.config.message_timeout_hours)
            hours = ims.config.retry_hours[min(entry.attempts - 1, len(ims.config.retry_hours) - 1)]
            next_try = server.clock.now() + timedelta(hours=hours)
            if next_try >= expires:
                entry.state = "retry"
                entry.next_try = expires

                def expire(e: QueueEntry = entry) -> None:
                    """Expire the queue entry."""
                    self.expire(e)

                server.clock.schedule((expires - server.clock.now()).total_seconds(), f"expire {entry.spool_name}#{entry.id}",
                                   expire)
            else:
                entry.state = "retry"
                entry.next_try = next_try

                def retry(e: QueueEntry = entry) -> None:
                    """Attempt delivery of the queue entry again."""
                    self.attempt(e)

                entry.retry_task = server.clock.schedule(hours * 3600, f"retry {entry.spool_name}#{entry.id}", retry)
        else:
            self._finish(entry)
        if failures:
            ims.ndr.report(entry.transfer, entry.spool_name, failures)
        if entry.state == "done" and not self.pending_for(entry.spool_name) and ims.spool.exists("OUT", entry.spool_name):
            ims.spool.delete("OUT", entry.spool_name)

    def dequeue(self, node: str, subdomains: bool = False) -> int:
        """Attempt now every entry waiting for a retry to ``node`` (ETRN, RFC 1985); return how many.

        ``subdomains`` (``ETRN @node``) also takes the domains under ``node`` (RFC 1985 §5). An
        entry whose next try is the expiry keeps it; the retry it had scheduled is replaced.
        """
        wanted = node.strip().lower()
        started = 0
        for entry in list(self.queue):
            domain = entry.decision.domain.strip().lower()
            if entry.state != "retry" or not (domain == wanted or (subdomains and domain.endswith("." + wanted))):
                continue
            if entry.retry_task is not None:
                self.ims.server.clock.cancel(entry.retry_task)
                entry.retry_task = None

            def deliver(e: QueueEntry = entry) -> None:
                """Attempt delivery of the queue entry now (ETRN)."""
                self.attempt(e)

            self.ims.server.clock.schedule(0, f"etrn {entry.spool_name}#{entry.id}", deliver)
            started += 1
        return started

    def _finish(self, entry: QueueEntry) -> None:
        entry.state = "done"
        entry.next_try = None
        if entry in self.queue:
            self.queue.remove(entry)  # the queue holds only what still awaits delivery

    def expire(self, entry: QueueEntry) -> None:
        """NDR whatever is left of ``entry`` when its time-out passes (Q184051)."""
        if entry.state == "done":
            return
        failures = [Failure(r, EXPIRED, *entry.last_replies.get(r.address, ("", ""))) for r in entry.recipients]
        entry.recipients = []
        self._finish(entry)
        self.ims.ndr.report(entry.transfer, entry.spool_name, failures)
        if not self.pending_for(entry.spool_name) and self.ims.spool.exists("OUT", entry.spool_name):
            self.ims.spool.delete("OUT", entry.spool_name)

    def hosts_for(self, entry: QueueEntry) -> list[str]:
        """Return the host names (or IP literals) to try; raise DnsFailure."""
        dns = self.ims.dns
        if entry.decision.host:
            return [entry.decision.host]
        return dns.mail_hosts(entry.decision.domain)

    def deliver(self, entry: QueueEntry) -> Attempt:
        """Select hosts and run the SMTP dialogue; classify each recipient."""
        ims, server = self.ims, self.ims.server
        try:
            hosts = self.hosts_for(entry)
        except DnsFailure as failure:
            if failure.permanent:
                if ims.config.log_level("smtp_interface_events") >= 3:
                    server.eventlog.log(SOURCE, 2006, host=failure.name, domain=entry.decision.domain)
                return Attempt(failed=[Failure(r, HOST_UNKNOWN) for r in entry.recipients], error=str(failure))
            return Attempt(retry=list(entry.recipients), error=str(failure))
        remaining = list(entry.recipients)
        errors: list[str] = []
        outcome = Attempt()
        addresses: list[tuple[str, list[str]]] = []
        for host in hosts:
            try:
                addresses.append((host, [host.strip("[]")] if _is_ip(host) else ims.dns.a(host)))
            except DnsFailure as failure:
                errors.append(str(failure))
        found = sum(len(ips) for _, ips in addresses)
        if entry.address_count is None:
            entry.address_count = found
        elif found < entry.address_count and ims.build < IMS_STOPS_AT_LAST_ADDRESS:
            # The next-host walk reads past the last address this retry found (Q265727).
            ims.crash("an access violation (0xc0000005)", "CDeliveryBatch::ConnectToNextMXHost")
            return Attempt(retry=remaining, error="the Internet Mail Service stopped unexpectedly")
        for host, ips in addresses:
            for ip in ips:
                result = ims.smtp_out.session(entry, host, ip, remaining)
                outcome.delivered += result.delivered
                outcome.failed += result.failed
                outcome.replies.update(result.replies)
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
