"""The IMS's SMTP client: one session with a remote host, written to the protocol log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from kb.sim.core.builds import build
from kb.sim.core.directory import DistributionList
from kb.sim.core.dsn import RecipientParameters, request_of
from kb.sim.ims.failures import Failure, remote_failure
from kb.sim.ims.queue import Attempt
from kb.sim.ims.content import for_destination
from kb.sim.ims.smarthost import envelope_sender
from kb.sim.ims import SOURCE

if TYPE_CHECKING:
    from kb.sim.ims.context import Ims
    from kb.sim.ims.addressing import ImsRecipient
    from kb.sim.ims.queue import QueueEntry

# RFC 821 §4.2.2: "552 Requested mail action aborted: exceeded storage allocation", a reply to
# RCPT (one mailbox is full) as well as to DATA (the message is too big for the host).
EXCEEDED_STORAGE = 552
# Q260741 (fix: Msexcimc.exe 5.5.2652.39, post-SP3 IMS fixes of May 19, 2000, Q246889; in SP4):
# earlier builds took a 552 to RCPT as an error of the whole delivery batch (as after DATA) and
# failed every recipient with it; from this build a 552 to RCPT fails only that recipient.
# (The article names SP3; that earlier builds shared the code is a modelled assumption.)
IMS_PER_RECIPIENT_STORAGE_REPLY = build("5.5.2652.39")
# Seconds the IMS waits for a reply before it treats the connection as dropped (inference).
REPLY_TIMEOUT = 600.0


class SmtpClient:
    """``ims.smtp_out``: EHLO, MAIL FROM, RCPT TO, DATA against a simulated remote host."""

    def __init__(self, ims: "Ims") -> None:
        self.ims = ims

    def session(self, entry: "QueueEntry", host: str, ip: str, recipients: list["ImsRecipient"]) -> Attempt:
        """Deliver ``recipients`` of ``entry`` to ``ip``; unfinished recipients come back in ``retry``."""
        ims, server = self.ims, self.ims.server
        log = ims.protocol_log
        now = server.clock.now()
        session = log.open("outbound", f"{host} [{ip}]")

        def say(text: str) -> None:
            """Write one line to this session's protocol log."""
            log.write(session, now, text)

        remote = ims.internet.at(ip)
        if ims.config.log_level("smtp_interface_events") >= 3:
            server.eventlog.log(SOURCE, 2003, host=host, domain=entry.decision.domain, logfile=session.logfile)
        if remote is None:
            say(f"Connect to {ip} failed.")
            return Attempt(retry=list(recipients), error=f"connect to {host} [{ip}] failed")
        say(f"A connection to {ip} was established.")
        link = remote.connect(now)
        if remote.delay > REPLY_TIMEOUT:
            say(f"No reply from {host} within {int(REPLY_TIMEOUT)} seconds; the connection is closed.")
            return Attempt(retry=list(recipients), error=f"time-out waiting for {host}")
        banner = link.banner()
        if banner is None:
            say("The connection was closed by the remote host.")
            return self._defer(entry, recipients, say, f"{host} closed the connection")
        say(f"IO: |{banner.line()}")
        if banner.code != 220:
            return self._defer(entry, recipients, say, banner.line())
        say(f"EHLO {server.fqdn}")
        greeting = link.ehlo(server.fqdn)
        say(f"IO: |{greeting.line()}")
        message = entry.transfer.message
        # RFC 3461 §5.2: a next hop that advertises DSN gets the request; otherwise the IMS itself
        # reports NOTIFY=SUCCESS recipients as "relayed" once the host took the message.
        request = request_of(message.props) if "dsn" in message.props else None
        next_hop_dsn = greeting.code < 300 and any(m.split(" ")[0].upper() == "DSN" for m in greeting.more)
        # kept on relay, <> for reports (RFC 5321 §4.4, §4.5.5); the smart-host path of Q258999
        sender = envelope_sender(ims, entry.transfer, entry.decision)
        mail_params = request.mail.wire() if request is not None and next_hop_dsn else ""
        say(f"MAIL FROM:<{sender}> {mail_params}".rstrip())
        reply = link.mail(sender, mail_params)
        say(f"IO: |{reply.line()}")
        if reply.transient:
            return self._defer(entry, recipients, say, reply.line())
        if reply.permanent:
            return Attempt(failed=[Failure(r, remote_failure(reply.line()), reply.line(), host) for r in recipients])
        accepted: list["ImsRecipient"] = []
        result = Attempt()
        for recipient in recipients:
            rcpt_params = ""
            if request is not None and next_hop_dsn and not self._from_list(recipient):
                rcpt_params = request.recipients.get(recipient.p1.row_id, RecipientParameters()).wire()
            say(f"RCPT TO:<{recipient.address}> {rcpt_params}".rstrip())
            reply = link.rcpt(recipient.address, rcpt_params)
            say(f"IO: |{reply.line()}")
            if reply.code < 300:
                accepted.append(recipient)
            elif reply.transient:
                result.retry.append(recipient)
                result.replies[recipient.address] = (reply.line(), host)
            elif reply.code == EXCEEDED_STORAGE and self.ims.build < IMS_PER_RECIPIENT_STORAGE_REPLY:
                # Batch-level error: the 552 is stamped on every recipient of the batch and the
                # session ends before DATA, so nobody gets the message (Q260741).
                say("QUIT")
                stamped = [Failure(r, remote_failure(reply.line()), reply.line(), host) for r in recipients]
                return Attempt(failed=stamped)
            else:
                result.failed.append(Failure(recipient, remote_failure(reply.line()), reply.line(), host))
        if accepted:
            say("DATA")
            data = ims.spool.read("OUT", entry.spool_name).data if ims.spool.exists("OUT", entry.spool_name) else b""
            data = for_destination(ims, entry.transfer, entry.decision.route, data)  # MIME/UUENCODE, TNEF
            log.packet(session, now, data)  # written to the LOG file from Medium (headers) / Maximum
            reply = link.data(data)
            say(f"IO: |{reply.line()}")
            if reply.code < 300:
                result.delivered = accepted
                if request is not None and not next_hop_dsn:
                    rows = [(r.p1.row_id, r.address) for r in accepted if not self._from_list(r)]
                    ims.reports.report_success(message, rows, "relayed", entry.transfer, remote_mta=host)
            elif reply.transient:
                result.retry += accepted
                result.replies.update({r.address: (reply.line(), host) for r in accepted})
            else:
                result.failed += [Failure(r, remote_failure(reply.line()), reply.line(), host) for r in accepted]
        say("QUIT")
        if result.retry:
            result.error = f"{host} deferred {len(result.retry)} recipient(s)"
        return result

    def _from_list(self, recipient: "ImsRecipient") -> bool:
        """Return True for a member of a distribution list (the list was reported on, RFC 3461 §6.2.7.3)."""
        via = recipient.p1.via
        return via is not None and isinstance(self.ims.server.directory.find(via), DistributionList)

    def _defer(self, entry: "QueueEntry", recipients: list["ImsRecipient"], say: Callable[[str], None], error: str) -> Attempt:
        """Log the reschedule line (Q228725) and hand every recipient back for retry."""
        subject = entry.transfer.message.subject
        say(f'499 No routing hosts are reachable for {entry.decision.domain}. Message subject: ""{subject}"". '
            "Rescheduling delivery for later.")
        return Attempt(retry=list(recipients), error=error)
