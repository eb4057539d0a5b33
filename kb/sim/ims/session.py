"""The inbound SMTP session: the IMS answering a client (RFC 5321), command by command.

ims-domain §2.3: EHLO/HELO, MAIL and RCPT with their DSN parameters (RFC 3461), AUTH LOGIN
(RFC 2554), RCPT handling with the relay rules (Q193922) and recipient limits; DATA hands the
message to the inbound path (kb/sim/ims/inbound.py), which spools and converts it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import kb.sim.ims.replies as replies
from kb.sim.core.dsn import DsnRequest, MailParameters, ParameterError, RecipientParameters, parse_mail, parse_rcpt
from kb.sim.ims import SOURCE
from kb.sim.ims.auth import MECHANISMS, AuthExchange, auth_disabled, decode, log_form
from kb.sim.ims.recipients import relay_target
from kb.sim.ims.relay import may_relay
from kb.sim.ims.routing import match_domain
from kb.sim.outside.remote import Reply

if TYPE_CHECKING:
    from kb.sim.ims.context import Ims

#: At most 32,766 (0x7FFE) recipients on one message: the MAPI recipient table limit of
#: Emsmdb32.dll (ims-domain §2.5.1), and the RCPT count past which the IMS answers 452 (§2.8,
#: Q272672). It also bounds what one SMTP transaction can make the simulator hold.
MAPI_RECIPIENT_LIMIT = 0x7FFE


def server_ident(ims: "Ims") -> str:
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

    ims: "Ims"
    peer_ip: str = "127.0.0.1"
    peer_name: str = ""
    authenticated: bool = False
    helo_name: str = ""
    mail_from: str | None = None
    rcpt_to: list[str] = field(default_factory=list)
    wire: bool = False
    # ESMTP state: parameters need EHLO (RFC 1869 §4); DSN parameters of the transaction
    # (RFC 3461, kb.sim.core.dsn); an AUTH exchange in progress and the account it logged on as.
    extended: bool = True
    mail_params: MailParameters = field(default_factory=MailParameters)
    rcpt_params: list[RecipientParameters] = field(default_factory=list)
    auth_exchange: AuthExchange | None = None
    account: str = ""

    def __post_init__(self) -> None:
        self.log = self.ims.protocol_log.open("inbound", f"{self.peer_name or self.peer_ip} [{self.peer_ip}]")
        self._say(f"A connection from {self.peer_ip} was accepted.")

    def _say(self, text: str) -> None:
        self.ims.protocol_log.write(self.log, self.ims.server.clock.now(), text)

    def _command(self, text: str) -> None:
        if not self.wire:
            self._say(text)

    def _reply(self, key: str, **fields: object) -> Reply:
        return self._answer(replies.reply(key, host=self.ims.server.fqdn, peer=self.peer_ip, **fields))

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
        return replies.reply("banner", host=self.ims.server.fqdn, ident=server_ident(self.ims)).text

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
        reply = replies.reply("ehlo", host=self.ims.server.fqdn, peer=self.peer_ip, size=self.ims.advertised_size_limit())
        if self.ims.config.registry.get("DisableETRN", 0):
            reply = Reply(reply.code, reply.text, tuple(m for m in reply.more if m != "ETRN"))  # Q258292
        if auth_disabled(self.ims):
            reply = Reply(reply.code, reply.text, tuple(m for m in reply.more if not m.startswith("AUTH")))  # Q235627
        self.extended = True
        return self._answer(reply)

    def helo(self, name: str) -> Reply:
        """Answer HELO."""
        self._command(f"HELO {name}")
        self.helo_name = name
        self.extended = False
        self.rset()
        return self._reply("helo")

    def mail(self, address: str, params: str = "") -> Reply:
        """Answer MAIL FROM (``params``: ``SIZE=``, ``RET=``, ``ENVID=``, ``AUTH=``, RFC 1870/3461/2554).

        A second MAIL inside a transaction is out of sequence (RFC 5321 §4.1.4); a malformed
        parameter is refused with 501, an unknown one with 555 (kb.sim.core.dsn).
        """
        self._command(f"MAIL FROM:<{address}> {params.strip()}".rstrip())
        if self.mail_from is not None:
            return self._reply("bad_sequence")
        try:
            parsed = parse_mail(params, self.extended)
        except ParameterError as error:
            return self._reply(error.key)
        limit = self.ims.inbound_size_limit()
        if parsed.size is not None and limit and parsed.size > limit:
            return self._reply("size_exceeded")  # RFC 1870 §6.1: refused before the data is sent
        self.mail_from = address
        self.mail_params = parsed
        self.rcpt_to = []
        self.rcpt_params = []
        if parsed.size is not None:
            return self._reply("mail_ok_size", address=address, size=parsed.size)  # Q262945
        return self._reply("mail_ok", address=address)

    def rcpt(self, address: str, params: str = "") -> Reply:
        """Answer RCPT TO (``params``: ``NOTIFY=``, ``ORCPT=``, RFC 3461): relay rules and the recipient limit."""
        self._command(f"RCPT TO:<{address}> {params.strip()}".rstrip())
        if self.mail_from is None:
            return self._reply("bad_sequence")
        try:
            parsed = parse_rcpt(params, self.extended)
        except ParameterError as error:
            return self._reply(error.key)
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
        self.rcpt_params.append(parsed)
        return self._reply("rcpt_ok", address=address)

    def auth(self, argument: str) -> Reply:
        """Answer AUTH (RFC 2554): ``LOGIN`` [initial response]; then ``auth_response`` per 334 prompt.

        Refused with 503 once authenticated or inside a mail transaction (RFC 2554 §4), 504 for
        a mechanism the IMS does not do, 502 when DisableAuth is set (Q235627).
        """
        self._command(log_form(f"AUTH {argument}"))
        if auth_disabled(self.ims) or not self.extensions_advertised:
            return self._reply("not_implemented")
        if self.authenticated or self.mail_from is not None:
            return self._reply("bad_sequence")
        mechanism, _, initial = argument.strip().partition(" ")
        if not mechanism:
            return self._reply("syntax")
        if mechanism.upper() not in MECHANISMS:
            return self._reply("auth_mechanism")
        self.auth_exchange = AuthExchange(mechanism.upper(), "username")
        if initial.strip():
            return self._auth_step(initial)  # RFC 2554 §4: an initial response (the user name)
        return self._reply("auth_username")

    def auth_response(self, line: str) -> Reply:
        """Answer the client's line after a 334 prompt (base64; ``*`` cancels: 501)."""
        exchange = self.auth_exchange
        if exchange is None:
            return self.unknown(line.split(" ", 1)[0])
        self._command(exchange.log_form(line))
        return self._auth_step(line)

    def auth_abort(self, key: str) -> Reply:
        """End an AUTH exchange the listener could not continue (an over-long line) with reply ``key``."""
        self.auth_exchange = None
        return self._reply(key)

    def _auth_step(self, line: str) -> Reply:
        exchange = self.auth_exchange
        assert exchange is not None
        text = None if line.strip() == "*" else decode(line)
        if text is None:
            self.auth_exchange = None  # RFC 2554 §4: cancelled, or not base64
            return self._reply("auth_cancelled")
        if exchange.step == "username":
            exchange.user, exchange.step = text, "password"
            return self._reply("auth_password")
        self.auth_exchange = None
        account = self.ims.server.directory.logon(exchange.user, text)
        if account is None:
            # Q235627: "Authentication attempt (AUTH LOGIN) from <hostname> as <username> failed:
            # LogonUser() call failed ..."
            self.ims.server.eventlog.log(SOURCE, 4183, mechanism=exchange.mechanism,
                                      host=self.helo_name or self.peer_ip, user=exchange.user)
            return self._reply("auth_failed")
        self.authenticated, self.account = True, account
        return self._reply("auth_ok", mechanism=exchange.mechanism)

    def login(self, user: str, password: str) -> Reply:
        """Run ``AUTH LOGIN`` with ``user``/``password`` (base64 as on the wire); return the last reply."""
        reply = self.auth("LOGIN")
        for answer in (user, password):
            if reply.code != 334:
                return reply
            reply = self.auth_response(base64.b64encode(answer.encode("utf-8")).decode("ascii"))
        return reply

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
        dsn = None
        if self.mail_params.ret or self.mail_params.envid is not None or any(p.notify is not None or p.orcpt for p in self.rcpt_params):
            dsn = DsnRequest(self.mail_params, {row: p for row, p in enumerate(self.rcpt_params, start=1)})
        name = self.ims.inbound.accept(self.mail_from, list(self.rcpt_to), payload, self.peer_ip,
                                       self.peer_name or self.helo_name or self.peer_ip, dsn)
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
        self.mail_params = MailParameters()
        self.rcpt_params = []

    def reset(self) -> Reply:
        """Answer RSET."""
        self._command("RSET")
        self.rset()
        return self._reply("ok")

    def quit(self) -> Reply:
        """Answer QUIT."""
        self._command("QUIT")
        return self._reply("quit")
