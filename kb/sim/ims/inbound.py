"""The inbound path: IN spool -> conversion -> MTS-IN -> store (the SMTP session before it is
kb/sim/ims/session.py).

ims-domain §2.3: the message is written to Imcdata\\IN with a Received header (Q190084); the inbound worker converts
it in the store, submits it to MTS-IN and archives it; a failed store submit logs 4117 and
moves the spool file to IN\\ARCHIVE (Q192186, Q246051); conversion failures go to BAD (Q189731).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.sim.core.directory import Mailbox
from kb.sim.core.eventlog import hresult_data
from kb.sim.core.dsn import DsnRequest
from kb.sim.ims.extension import EXTENSION_NDR, IMS_HONOURS_NDR_DISPOSITION
from kb.sim.core.builds import build
from kb.sim.ims import SOURCE
from kb.sim.ims.content import name_failures, read_tnef
from kb.sim.ims.failures import UNKNOWN_RECIPIENT, Failure, FailureKind
from kb.sim.ims.addressing import ImsRecipient, parse_recipient
from kb.sim.ims.recipients import reroute_target, resolve_local
from kb.sim.ims.mtsid import inbound_mts_id
from kb.sim.core.mapi import (IMAIL_E_HOP_COUNT, MAPI_E_NETWORK_ERROR, MAPI_E_NOT_ENOUGH_MEMORY, ConversionError, MapiError,
                              RecipientLimitError)
from kb.sim.core.p1 import P1Recipient, Transfer


if TYPE_CHECKING:
    from kb.sim.ims.context import Ims
    from kb.sim.core.message import MapiMessage

# Q246051 (fix: Msexcimc.exe 5.5.2651.58, post-SP3 IMS fixes of December 14, 1999, Q246889; in
# SP4): when the store refuses an inbound message under "Max Recipients on Submit" (and cannot
# NDR it itself), earlier builds log 4117 and archive it, so the sender hears nothing; from this
# build the IMS NDRs the originator itself.
IMS_REPORTS_RECIPIENT_LIMIT = build("5.5.2651.58")
# Q246051 (SP4 NDR for an inbound message over the store's "Max Recipients on Submit"): code and
# text from the article; reason 1 / diagnostic 16 (too-many-recipients, Q174175), the client line
# and the RFC 3464 status are inference.
TOO_MANY_RECIPIENTS = FailureKind(0, "00010256", "Too many recipients.", 1, 16,
                                  "The message has too many recipients", "5.5.3")
# Q260247: a message over the maximum hop count is not delivered (IS 12071, IMS 4098); X.400
# diagnostic 3 is loop-detected (X.411), RFC 3463 §3.5 gives 5.4.6 "routing loop detected";
# the code, hex and client line are inference.
HOP_COUNT_EXCEEDED = FailureKind(0, "000C0595", "Hop count exceeded", 1, 3,
                                 "A routing loop was detected for this message", "5.4.6")


class InboundPath:
    """The inbound half of the IMS (after the SMTP session accepted a message)."""

    def __init__(self, ims: "Ims") -> None:
        self.ims = ims
        self.messages_in = 0
        self.bytes_in = 0
        # Envelope of each spool file still in IN, so a restart can retry it (4182, Q232279).
        self.envelopes: dict[str, tuple[str, list[str]]] = {}
        self.dsn: dict[str, DsnRequest] = {}  # DSN request of each spool file still in IN

    def received_header(self, name: str, peer_ip: str, peer_name: str) -> bytes:
        """Return the Received header the IMS adds (form of Q190084)."""
        server = self.ims.server
        when = server.clock.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
        return (f"Received: from {peer_name} ([{peer_ip}]) by {server.name} with SMTP "
                f"(Microsoft Exchange Internet Mail Service Version {self.ims.build.version})\r\n\tid {name}; {when}\r\n").encode("ascii")

    def accept(self, mail_from: str, rcpt_to: list[str], payload: bytes, peer_ip: str, peer_name: str,
               dsn: DsnRequest | None = None) -> str:
        """Write the message to IN and schedule the inbound worker; return the spool name."""
        ims, server = self.ims, self.ims.server
        name = ims.spool.new_name()
        data = self.received_header(name, peer_ip, peer_name) + payload
        ims.spool.write("IN", name, data, server.clock.now(), f"from <{mail_from}>")
        self.messages_in += 1
        self.bytes_in += len(data)
        if ims.config.log_level("message_transfer") >= 3:
            local = sum(1 for r in rcpt_to if ims.accepts_inbound(r))
            server.eventlog.log(SOURCE, 2002, sender=mail_from, file=f"imcdata\\in\\{name}", host=peer_name, local=local)
        self.envelopes[name] = (mail_from, list(rcpt_to))
        if dsn is not None:
            self.dsn[name] = dsn
        server.clock.schedule(0, f"inbound {name}", lambda: self.process(name, mail_from, list(rcpt_to)))
        return name

    def retry_spool(self) -> None:
        """Schedule every spool file still in IN again (service restart)."""
        for spool_file in self.ims.spool.list("IN"):
            mail_from, rcpt_to = self.envelopes.get(spool_file.name, ("", []))

            def process(n: str = spool_file.name, f: str = mail_from, r: list[str] = rcpt_to) -> None:
                """Process one spool file left in IN."""
                self.process(n, f, list(r))

            self.ims.server.clock.schedule(0, f"inbound {spool_file.name} (restart)", process)

    def process(self, name: str, mail_from: str, rcpt_to: list[str]) -> None:
        """Convert, submit to MTS-IN, archive (ims-domain §2.3 step 3-4)."""
        ims, server = self.ims, self.ims.server
        if not ims.running or not ims.spool.exists("IN", name):
            return  # a stopped service picks the file up again when it starts
        if not ims.store.enter_conversion(lambda: self.process(name, mail_from, list(rcpt_to))):
            return  # the conversion call blocks in the store (Q274403); the file waits in IN
        now = server.clock.now()
        data = ims.spool.read("IN", name).data
        try:
            message = ims.imail.from_internet(data, mail_from, rcpt_to)
        except ConversionError as error:
            ims.spool.move("IN", name, "BAD", now, str(error))
            self.envelopes.pop(name, None)
            self.dsn.pop(name, None)
            return
        except MapiError as error:
            if error.hresult != MAPI_E_NETWORK_ERROR:
                raise
            # "The error 0x80040115 was encountered while trying to communicate with the message
            # store. An attempt to refresh the connection will be made. If not successful, the
            # service will be shut down." (3039, Q166558); the spool file stays in IN.
            server.eventlog.log(SOURCE, 3039, data=hresult_data(error.hresult, name))
            if ims.store.state != "running":
                ims.stop()
            return
        dsn = self.dsn.pop(name, None)
        if dsn is not None:
            message.props["dsn"] = dsn.to_props()  # rows are numbered as the RCPTs were (from_internet)
        tnef = read_tnef(data)
        if tnef is not None:
            message.props["tnef"] = tnef  # the sender's P2 recipient table (Q246881)
        if ims.config.archiving:
            ims.spool.copy("IN", name, "IN\\ARCHIVE", now, "message archival")
        message.mts_id = inbound_mts_id(ims)
        message.mime = None
        if ims.extension is not None and ims.extension.disposition(message) == "DISP_NDR_ORIG":
            if ims.build >= IMS_HONOURS_NDR_DISPOSITION:
                self.return_to_originator(message, name)
                return
            # Q178378: the disposition is dropped and the message goes on to be resolved and
            # delivered; it still carries the NDR properties the extension set.
            message.props["PR_NDR_REASON_CODE"] = EXTENSION_NDR.reason
            message.props["PR_NDR_DIAG_CODE"] = EXTENSION_NDR.diag
        ims.store.queue("MTS-IN").append(message)
        try:
            self.submit(message, name)
        except MapiError as error:
            if error.hresult == MAPI_E_NOT_ENOUGH_MEMORY:
                # A memory error from the store is fatal: 4182 (the spool file stays in IN and is
                # retried at restart), 4102, and the service shuts down (Q193782, Q232279, Q325939).
                server.eventlog.log(SOURCE, 4182, data=hresult_data(error.hresult, name), file=name)
                server.eventlog.log(SOURCE, 4102, data=hresult_data(error.hresult, name))
                ims.stop()
                return
            if error.hresult == IMAIL_E_HOP_COUNT:
                self.report_loop(message, name)
                if ims.spool.exists("IN", name):  # (a report on a report was archived with 4132)
                    ims.spool.move("IN", name, "IN\\ARCHIVE", now, "event 4098")
                self.envelopes.pop(name, None)
                return
            if isinstance(error, RecipientLimitError) and ims.build >= IMS_REPORTS_RECIPIENT_LIMIT:
                self.report_recipient_limit(message, name)
            else:
                server.eventlog.log(SOURCE, 4117, data=hresult_data(error.hresult, name), file=name)
                ims.spool.move("IN", name, "IN\\ARCHIVE", now, "event 4117")
                self.envelopes.pop(name, None)
                return
        finally:
            queue = ims.store.queue("MTS-IN")
            if message in queue:
                queue.remove(message)
        ims.spool.delete("IN", name)
        self.envelopes.pop(name, None)

    def report_loop(self, message: MapiMessage, name: str) -> None:
        """Log 4098 and NDR every recipient of a message over the hop count (Q260247; RFC 5321 §6.3)."""
        self.ims.server.eventlog.log(SOURCE, 4098, sender=message.sender, subject=message.subject)
        recipients = [P1Recipient(row.row_id, row.address) for row in message.recipients]
        failures = [Failure(parse_recipient(p1, self.ims.build), HOP_COUNT_EXCEEDED) for p1 in recipients]
        self.ims.ndr.report(Transfer(message=message, recipients=recipients), name, failures, spool_dir="IN")

    def return_to_originator(self, message: MapiMessage, name: str) -> None:
        """NDR every recipient of a message the routing extension returned (DISP_NDR_ORIG, Q178378)."""
        recipients = [P1Recipient(row.row_id, row.address) for row in message.recipients]
        failures = [Failure(parse_recipient(p1, self.ims.build), EXTENSION_NDR) for p1 in recipients]
        self.ims.ndr.report(Transfer(message=message, recipients=recipients), name, failures, spool_dir="IN")
        self.ims.spool.delete("IN", name)
        self.envelopes.pop(name, None)

    def report_recipient_limit(self, message: MapiMessage, name: str) -> None:
        """NDR the originator of a message the store refused under "Max Recipients on Submit".

        The IMS builds this NDR itself, one "0 (00010256) Too many recipients." line per
        recipient row, with the original attached (Q246051, MORE INFORMATION).
        """
        recipients = [P1Recipient(row.row_id, row.address) for row in message.recipients]
        failures = [Failure(parse_recipient(p1, self.ims.build), TOO_MANY_RECIPIENTS) for p1 in recipients]
        self.ims.ndr.report(Transfer(message=message, recipients=recipients), name, failures, spool_dir="IN")

    def submit(self, message: MapiMessage, name: str) -> None:
        """Hand a converted message from MTS-IN to the store/MTA; NDR recipients nobody owns."""
        server = self.ims.server
        self.ims.store.submit_from_gateway(message, name, resolve_p2=bool(self.ims.config.registry.get("ResolveP2", 0)))
        unknown: list[Failure] = []
        for row in message.recipients:
            if self.ims.is_local_domain(row.address.rpartition("@")[2]):
                target = reroute_target(self.ims, row.address)
                if target is not None:
                    row.address = target  # rerouted back out through the MTA (Q237927, Q264330)
                    continue
                entry = resolve_local(self.ims, row.address)
                if entry is None:
                    local, _, domain = row.address.rpartition("@")
                    unknown.append(Failure(ImsRecipient(P1Recipient(row.row_id, row.address), local, domain),
                                           UNKNOWN_RECIPIENT))
                    continue
                row.entry = entry.alias
                if isinstance(entry, Mailbox):
                    row.display_name = entry.display_name
        refused = {f.recipient.p1.row_id for f in unknown}  # built once: a set per row was O(N²)
        known = [r for r in message.recipients if r.row_id not in refused]
        if known:
            routed = message.clone(message.entry_id)
            routed.recipients = known
            routed.submit_time = server.clock.now()
            self.ims.store.transfer_in(routed)  # MTS-IN -> store -> MTA
        if unknown:
            name_failures(self.ims, message, message.props.get("tnef"), unknown)
            self.ims.ndr.report(Transfer(message=message, recipients=[f.recipient.p1 for f in unknown]), name,
                                unknown, spool_dir="IN")
