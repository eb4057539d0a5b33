"""The inbound path: SMTP session (relay rules, limits) -> IN spool -> conversion -> MTS-IN -> store.

ims-domain §2.3: RCPT handling applies the relay rules (Q193922) and recipient limits; the
message is written to Imcdata\\IN with a Received header (Q190084); the inbound worker converts
it in the store, submits it to MTS-IN and archives it; a failed store submit logs 4117 and
moves the spool file to IN\\ARCHIVE (Q192186, Q246051); conversion failures go to BAD (Q189731).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.sim.core.directory import Mailbox
from kb.sim.core.eventlog import hresult_data
from kb.sim.store.imail import IMAIL_E_HOP_COUNT, ConversionError
from kb.sim.ims.extension import EXTENSION_NDR, IMS_HONOURS_NDR_DISPOSITION
from kb.sim.core.builds import build
import kb.sim.ims.replies as replies
from kb.sim.ims.content import name_failures, read_tnef
from kb.sim.ims.ndr import UNKNOWN_RECIPIENT, Failure, FailureKind
from kb.sim.ims.addressing import ImsRecipient, parse_recipient
from kb.sim.ims.relay import may_relay
from kb.sim.ims.recipients import relay_target, reroute_target, resolve_local
from kb.sim.ims.routing import match_domain
from kb.sim.ims.mtsid import inbound_mts_id
from kb.sim.core.mapi import MAPI_E_NETWORK_ERROR, MAPI_E_NOT_ENOUGH_MEMORY, MapiError
from kb.sim.core.p1 import P1Recipient, Transfer
from kb.sim.outside.remote import Reply
from kb.sim.store.infostore import RecipientLimitError

#: At most 32,766 (0x7FFE) recipients on one message: the MAPI recipient table limit of
#: Emsmdb32.dll (ims-domain §2.5.1), and the RCPT count past which the IMS answers 452 (§2.8,
#: Q272672). It also bounds what one SMTP transaction can make the simulator hold.
MAPI_RECIPIENT_LIMIT = 0x7FFE

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService
    from kb.sim.core.message import MapiMessage

SOURCE = "MSExchangeIMC"
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


def server_ident(ims: "InternetMailService") -> str:
    """Return the greeting after the host name; AdvertiseSMTPExtensions 0 drops the "E" (Q194131)."""
    kind = "SMTP Server" if ims.config.registry.get("AdvertiseSMTPExtensions", 1) == 0 else "ESMTP Server"
    return f"{kind} (Microsoft Exchange Internet Mail Service {ims.build.version}) Ready"


@dataclass
class InboundSession:
    """The server side of one inbound SMTP connection, as the IMS models it (no sockets).

    Every reply comes from the reply catalogue (kb.sim.ims.replies). In-process, each command and
    reply is written to the protocol log here; behind the real listener (``wire=True``) the
    listener writes exactly what crossed the wire instead, so log and wire cannot disagree.
    """

    ims: "InternetMailService"
    peer_ip: str = "127.0.0.1"
    peer_name: str = ""
    authenticated: bool = False
    helo_name: str = ""
    mail_from: str | None = None
    rcpt_to: list[str] = field(default_factory=list)
    wire: bool = False

    def __post_init__(self) -> None:
        self.log = self.ims.protocol_log.open("inbound", f"{self.peer_name or self.peer_ip} [{self.peer_ip}]")
        self._say(f"A connection from {self.peer_ip} was accepted.")

    def _say(self, text: str) -> None:
        self.ims.protocol_log.write(self.log, self.ims.org.clock.now(), text)

    def _command(self, text: str) -> None:
        if not self.wire:
            self._say(text)

    def _reply(self, key: str, **fields: object) -> Reply:
        return self._answer(replies.reply(key, host=self.ims.org.fqdn, peer=self.peer_ip, **fields))

    def _answer(self, reply: Reply) -> Reply:
        if not self.wire:
            for line in reply.lines():
                self._say(f"IO: |{line}")
        return reply

    def log_wire(self, command: str | None = None, reply_line: str | None = None) -> None:
        """Write what crossed the wire (the listener calls this for every command and reply line)."""
        if command is not None:
            self._say(command)
        if reply_line is not None:
            for line in reply_line.split("\r\n"):
                self._say(f"IO: |{line}")

    def banner(self) -> str:
        """Return the greeting text after "220 " (Q194131)."""
        return replies.reply("banner", host=self.ims.org.fqdn, ident=server_ident(self.ims)).text

    @property
    def extensions_advertised(self) -> bool:
        """Return False when AdvertiseSMTPExtensions is 0: the IMS then speaks plain SMTP (Q194131)."""
        return self.ims.config.registry.get("AdvertiseSMTPExtensions", 1) != 0

    def ehlo(self, name: str) -> Reply:
        """Answer EHLO with the IMS's extensions (Q262945); plain SMTP refuses it (RFC 5321 §4.1.4)."""
        self._command(f"EHLO {name}")
        if not self.extensions_advertised:
            return self._reply("unknown_command")
        self.helo_name = name
        self.rset()
        reply = replies.reply("ehlo", host=self.ims.org.fqdn, peer=self.peer_ip, size=self.ims.advertised_size_limit())
        if self.ims.config.registry.get("DisableETRN", 0):
            reply = Reply(reply.code, reply.text, tuple(m for m in reply.more if m != "ETRN"))  # Q258292
        return self._answer(reply)

    def helo(self, name: str) -> Reply:
        """Answer HELO."""
        self._command(f"HELO {name}")
        self.helo_name = name
        self.rset()
        return self._reply("helo")

    def mail(self, address: str) -> Reply:
        """Answer MAIL FROM; a second MAIL inside a transaction is out of sequence (RFC 5321 §4.1.4)."""
        self._command(f"MAIL FROM:<{address}>")
        if self.mail_from is not None:
            return self._reply("bad_sequence")
        self.mail_from = address
        self.rcpt_to = []
        return self._reply("mail_ok", address=address)

    def rcpt(self, address: str) -> Reply:
        """Answer RCPT TO: relay rules and the recipient limit."""
        self._command(f"RCPT TO:<{address}>")
        if self.mail_from is None:
            return self._reply("bad_sequence")
        config = self.ims.config
        limit = min(config.max_inbound_recipients or MAPI_RECIPIENT_LIMIT, MAPI_RECIPIENT_LIMIT)
        if len(self.rcpt_to) >= limit:
            # RFC 5321 §4.5.3.1.10: 452 "too many recipients"; the client sends the rest in
            # another transaction. The IMS's own words (Q272672).
            return self._reply("too_many_recipients")
        # The gate judges where the mail would go: an encapsulated one-off at a local domain is
        # rerouted to its target, so it is relaying (which builds see that: recipients.py).
        target = relay_target(self.ims, address)
        if not self.ims.accepts_inbound(target) and not self.may_relay_to(target):
            return self._reply("relay_denied")
        self.rcpt_to.append(address)
        return self._reply("rcpt_ok", address=address)

    def noop(self) -> Reply:
        """Answer NOOP."""
        self._command("NOOP")
        return self._reply("ok")

    def vrfy(self, argument: str) -> Reply:
        """Answer VRFY without disclosing the directory (RFC 5321 §3.5.3: 252)."""
        self._command(f"VRFY {argument}".rstrip())
        if not argument.strip():
            return self._reply("syntax")
        return self._reply("vrfy")

    def expn(self, argument: str) -> Reply:
        """Answer EXPN: not implemented "by product design" (Q175842)."""
        self._command(f"EXPN {argument}".rstrip())
        return self._reply("not_implemented")

    def help(self, argument: str = "") -> Reply:
        """Answer HELP."""
        self._command(f"HELP {argument}".rstrip())
        return self._reply("help")

    def etrn(self, argument: str) -> Reply:
        """Answer ETRN (RFC 1985): start delivery of the mail queued for a node now.

        ``DisableETRN`` = 1 turns the command off (Q258292); it is then not implemented.
        """
        self._command(f"ETRN {argument}".rstrip())
        if self.ims.config.registry.get("DisableETRN", 0) or not self.extensions_advertised:
            return self._reply("not_implemented")
        node = argument.strip()
        if not node or " " in node:
            return self._reply("syntax")
        if self.mail_from is not None:
            return self._reply("bad_sequence")  # RFC 1985 §5: not inside a mail transaction
        started = self.ims.outbound.dequeue(node.lstrip("@#"), subdomains=node.startswith("@"))
        return self._reply("etrn_started" if started else "etrn_empty", node=node)

    def unknown(self, verb: str) -> Reply:
        """Answer a command the IMS does not know (Q166642's words)."""
        self._command(verb)
        return self._reply("unknown_command")

    def may_relay_to(self, address: str) -> bool:
        """Return True when this client may relay to the non-local ``address``."""
        config = self.ims.config
        if not config.reroute_incoming:
            return False
        domain = address.rpartition("@")[2]
        entry = match_domain(domain, config.domain_routes)
        if entry is not None and entry.relay:
            return True  # 'Override Relay Restrictions. Always "relay"' (Q195969)
        return may_relay(config.relay, self.peer_ip, self.authenticated)

    def data(self, payload: bytes) -> Reply:
        """Take the message text; accept it into the IN spool."""
        self._command("DATA")
        if self.mail_from is None or not self.rcpt_to:
            return self._reply("bad_sequence")
        limit = self.ims.inbound_size_limit()
        if limit and len(payload) > limit:
            self.rset()
            return self._reply("size_exceeded")
        name = self.ims.inbound.accept(self.mail_from, list(self.rcpt_to), payload, self.peer_ip,
                                       self.peer_name or self.helo_name or self.peer_ip)
        self.rset()
        return self._reply("data_ok", name=name)

    def transaction(self, helo: str, mail_from: str, rcpt_to: list[str], payload: bytes) -> list[tuple[str, Reply]]:
        """Run EHLO, MAIL, one RCPT per recipient, DATA and QUIT; return (command, reply) pairs.

        Like an SMTP client (smtplib's sendmail), DATA is sent only when a recipient was accepted.
        """
        greeting = self.ehlo(helo)
        dialogue = [(f"EHLO {helo}", greeting)]
        if greeting.code >= 500:
            dialogue.append((f"HELO {helo}", self.helo(helo)))  # plain SMTP: fall back (RFC 5321 §3.2)
        dialogue.append((f"MAIL FROM:<{mail_from}>", self.mail(mail_from)))
        dialogue += [(f"RCPT TO:<{address}>", self.rcpt(address)) for address in rcpt_to]
        if self.rcpt_to:
            dialogue.append(("DATA", self.data(payload)))
        dialogue.append(("QUIT", self.quit()))
        return dialogue

    def rset(self) -> None:
        """Forget the current transaction."""
        self.mail_from = None
        self.rcpt_to = []

    def reset(self) -> Reply:
        """Answer RSET."""
        self._command("RSET")
        self.rset()
        return self._reply("ok")

    def quit(self) -> Reply:
        """Answer QUIT."""
        self._command("QUIT")
        return self._reply("quit")


class InboundPath:
    """The inbound half of the IMS (after the SMTP session accepted a message)."""

    def __init__(self, ims: "InternetMailService") -> None:
        self.ims = ims
        self.messages_in = 0
        self.bytes_in = 0
        # Envelope of each spool file still in IN, so a restart can retry it (4182, Q232279).
        self.envelopes: dict[str, tuple[str, list[str]]] = {}

    def received_header(self, name: str, peer_ip: str, peer_name: str) -> bytes:
        """Return the Received header the IMS adds (form of Q190084)."""
        org = self.ims.org
        when = org.clock.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
        return (f"Received: from {peer_name} ([{peer_ip}]) by {org.server} with SMTP "
                f"(Microsoft Exchange Internet Mail Service Version {self.ims.build.version})\r\n\tid {name}; {when}\r\n").encode("ascii")

    def accept(self, mail_from: str, rcpt_to: list[str], payload: bytes, peer_ip: str, peer_name: str) -> str:
        """Write the message to IN and schedule the inbound worker; return the spool name."""
        ims, org = self.ims, self.ims.org
        name = ims.spool.new_name()
        data = self.received_header(name, peer_ip, peer_name) + payload
        ims.spool.write("IN", name, data, org.clock.now(), f"from <{mail_from}>")
        self.messages_in += 1
        self.bytes_in += len(data)
        if ims.config.log_level("message_transfer") >= 3:
            local = sum(1 for r in rcpt_to if ims.accepts_inbound(r))
            org.eventlog.log(SOURCE, 2002, sender=mail_from, file=f"imcdata\\in\\{name}", host=peer_name, local=local)
        self.envelopes[name] = (mail_from, list(rcpt_to))
        org.clock.schedule(0, f"inbound {name}", lambda: self.process(name, mail_from, list(rcpt_to)))
        return name

    def retry_spool(self) -> None:
        """Schedule every spool file still in IN again (service restart)."""
        for spool_file in self.ims.spool.list("IN"):
            mail_from, rcpt_to = self.envelopes.get(spool_file.name, ("", []))

            def process(n: str = spool_file.name, f: str = mail_from, r: list[str] = rcpt_to) -> None:
                """Process one spool file left in IN."""
                self.process(n, f, list(r))

            self.ims.org.clock.schedule(0, f"inbound {spool_file.name} (restart)", process)

    def process(self, name: str, mail_from: str, rcpt_to: list[str]) -> None:
        """Convert, submit to MTS-IN, archive (ims-domain §2.3 step 3-4)."""
        ims, org = self.ims, self.ims.org
        if not ims.running or not ims.spool.exists("IN", name):
            return  # a stopped service picks the file up again when it starts
        if not org.store.dswatch.enter_conversion(lambda: self.process(name, mail_from, list(rcpt_to))):
            return  # the conversion call blocks in the store (Q274403); the file waits in IN
        now = org.clock.now()
        data = ims.spool.read("IN", name).data
        try:
            message = org.imail.from_internet(data, mail_from, rcpt_to)
        except ConversionError as error:
            ims.spool.move("IN", name, "BAD", now, str(error))
            self.envelopes.pop(name, None)
            return
        except MapiError as error:
            if error.hresult != MAPI_E_NETWORK_ERROR:
                raise
            # "The error 0x80040115 was encountered while trying to communicate with the message
            # store. An attempt to refresh the connection will be made. If not successful, the
            # service will be shut down." (3039, Q166558); the spool file stays in IN.
            org.eventlog.log(SOURCE, 3039, data=hresult_data(error.hresult, name))
            if org.store.state != "running":
                ims.stop()
            return
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
        org.store.queue("MTS-IN").append(message)
        try:
            self.submit(message, name)
        except MapiError as error:
            if error.hresult == MAPI_E_NOT_ENOUGH_MEMORY:
                # A memory error from the store is fatal: 4182 (the spool file stays in IN and is
                # retried at restart), 4102, and the service shuts down (Q193782, Q232279, Q325939).
                org.eventlog.log(SOURCE, 4182, data=hresult_data(error.hresult, name), file=name)
                org.eventlog.log(SOURCE, 4102, data=hresult_data(error.hresult, name))
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
                org.eventlog.log(SOURCE, 4117, data=hresult_data(error.hresult, name), file=name)
                ims.spool.move("IN", name, "IN\\ARCHIVE", now, "event 4117")
                self.envelopes.pop(name, None)
                return
        finally:
            queue = org.store.queue("MTS-IN")
            if message in queue:
                queue.remove(message)
        ims.spool.delete("IN", name)
        self.envelopes.pop(name, None)

    def report_loop(self, message: MapiMessage, name: str) -> None:
        """Log 4098 and NDR every recipient of a message over the hop count (Q260247; RFC 5321 §6.3)."""
        self.ims.org.eventlog.log(SOURCE, 4098, sender=message.sender, subject=message.subject)
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
        org = self.ims.org
        org.store.submit_from_gateway(message, name, resolve_p2=bool(self.ims.config.registry.get("ResolveP2", 0)))
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
            routed.submit_time = org.clock.now()
            org.store.transfer_in(routed)  # MTS-IN -> store -> MTA
        if unknown:
            name_failures(self.ims, message, message.props.get("tnef"), unknown)
            self.ims.ndr.report(Transfer(message=message, recipients=[f.recipient.p1 for f in unknown]), name,
                                unknown, spool_dir="IN")
