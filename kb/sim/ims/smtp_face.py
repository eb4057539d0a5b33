"""The real SMTP listener: aiosmtpd in front of the modelled IMS inbound path.

aiosmtpd frames the protocol (bounded command and line lengths, DATA transparency); every
command is answered by the IMS's InboundSession from the reply catalogue (kb.sim.ims.replies),
so relay rules, limits, the IN spool, conversion and delivery are the modelled ones and the words
are Exchange 5.5's. Replies aiosmtpd makes on its own (syntax, sequence, line length) are
translated into the catalogue's. Every command and reply line that crosses the wire is written to
the session's protocol log here, so wire and log say the same thing. While the MSExchangeIMC
service is stopped, the greeting and every command but QUIT are answered 421 and the connection
is closed.
"""

from __future__ import annotations

import asyncio
import functools
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiosmtpd.smtp import SMTP, Envelope, Session

import kb.sim.ims.replies as replies
from kb.sim.ims.auth import log_form
from kb.sim.ims.session import InboundSession, server_ident
from kb.sim.ims.service import InternetMailService
from kb.sim.outside.remote import Reply

COMMAND_SIZE_LIMIT = 512  # RFC 5321 §4.5.3.1.4
# RFC 5321 §3.8: a server that must stop serving answers 421 and closes the channel; a stopped
# Windows NT service (MSExchangeIMC stops itself on fatal errors, Q193639, Q193782) takes no
# SMTP connections at all.
SERVICE_NOT_AVAILABLE = "421 {host} Service not available, closing transmission channel"
_UNRECOGNISED = re.compile(r'^500 Error: command "(?P<verb>[^"]*)" not recognized')


class Host(Protocol):
    """What the listener needs of the server it fronts: its IMS, its name, and a way to run due work."""

    @property
    def ims(self) -> InternetMailService:
        """The IMS whose inbound path answers."""
        ...

    @property
    def fqdn(self) -> str:
        """The server's host name."""
        ...

    def run(self) -> int:
        """Do all work that is due now."""
        ...


class ImsSmtpHandler:
    """aiosmtpd handler hooks that drive the organisation's IMS (serialised by ``lock``)."""

    def __init__(self, org: Host, lock: threading.Lock) -> None:
        self.org = org
        self.lock = lock

    def refusal(self) -> str | None:
        """Return the 421 reply while the IMS service is stopped, else None."""
        if self.org.ims.running:
            return None
        return SERVICE_NOT_AVAILABLE.format(host=self.org.fqdn)

    def _inbound(self, session: Session) -> InboundSession:
        inbound = getattr(session, "kb_inbound", None)
        if inbound is None:
            peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
            inbound = self.org.ims.session(peer_ip=peer, peer_name=session.host_name or "")
            inbound.wire = True  # the listener logs what crosses the wire (wire_command, wire_reply)
            if session.host_name:
                inbound.helo_name = session.host_name
            session.kb_inbound = inbound  # type: ignore[attr-defined]
        return inbound

    def _model(self, session: Session, reply: Reply) -> str:
        """Return a model reply's wire form, marked so that ``wire_reply`` does not translate it."""
        line = reply.wire()
        session.kb_model_reply = line  # type: ignore[attr-defined]
        return line

    async def _locked(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` under the organisation lock, never waiting for the lock on the event loop.

        When the lock is free the work runs at once; when the JSON API thread holds it (while it
        sends), the work waits in a worker thread, so other SMTP connections are not frozen.
        """
        if self.lock.acquire(blocking=False):
            try:
                return work()
            finally:
                self.lock.release()

        def guarded() -> Any:
            with self.lock:
                return work()

        return await asyncio.to_thread(guarded)

    def _flush(self, session: Session) -> None:
        """Write the wire lines buffered for ``session`` to its protocol log (under the lock)."""
        pending = getattr(session, "kb_wire", None)
        if not pending or not self.org.ims.running:
            return
        inbound = self._inbound(session)
        for kind, text in pending:
            if kind == "command":
                inbound.log_wire(command=text)
            else:
                inbound.log_wire(reply_line=text)
        pending.clear()

    def _buffer(self, session: Session | None, kind: str, text: str) -> None:
        """Keep a wire line for the protocol log until the next locked step writes it (no lock here)."""
        if session is None or not self.org.ims.running:
            return
        pending = getattr(session, "kb_wire", None)
        if pending is None:
            pending = session.kb_wire = []  # type: ignore[attr-defined]
        pending.append((kind, text))

    async def answer(self, session: Session | None, ask: Callable[[InboundSession], Reply], run: bool = False) -> str:
        """Ask the session's InboundSession for a reply (``run``: then do the work now due); 421 while stopped."""
        assert session is not None  # aiosmtpd makes the session when the connection is made

        def work() -> str:
            refused = self.refusal()
            if refused:
                return refused
            self._flush(session)
            line = self._model(session, ask(self._inbound(session)))
            if run:
                self.org.run()
            return line

        return str(await self._locked(work))

    def auth_line(self, session: Session, text: str) -> str:
        """Return a client's AUTH continuation line as the protocol log writes it (password masked)."""
        inbound = getattr(session, "kb_inbound", None)
        exchange = inbound.auth_exchange if inbound is not None else None
        return exchange.log_form(text) if exchange is not None else text

    def wire_command(self, session: Session | None, text: str) -> None:
        """Note a command line as it came off the wire, for the protocol log."""
        self._buffer(session, "command", text)

    async def wire_reply(self, session: Session | None, line: str) -> str:
        """Return the reply to send for ``line`` (translated unless the model made it), noted for the log.

        The lines reach the protocol log with the next command's locked step, or at once when the
        reply closes the channel (221, 421), so the log is complete when the client sees the end.
        """
        if session is None or not self.org.ims.running:
            return line
        sent = line
        if getattr(session, "kb_model_reply", None) == line:
            session.kb_model_reply = None  # type: ignore[attr-defined]
        else:
            unrecognised = _UNRECOGNISED.match(line)
            if unrecognised:
                self._buffer(session, "command", unrecognised.group("verb"))
            sent = replies.translate(line, host=self.org.fqdn)
        self._buffer(session, "reply", sent)
        if sent[:3] in ("221", "421"):
            await self._locked(lambda: self._flush(session))
        return sent

    async def mail(self, session: Session, envelope: Envelope, address: str, params: str) -> str:
        """MAIL FROM with its parameters as typed (case kept: ENVID is xtext): the modelled transaction."""
        def ask(inbound: InboundSession) -> Reply:
            reply = inbound.mail(address, params)
            if reply.code < 300:
                envelope.mail_from = address or "<>"  # aiosmtpd's DATA gate needs a truthy sender
                envelope.mail_options.extend(params.split())
            return reply

        return await self.answer(session, ask)

    async def rcpt(self, session: Session, envelope: Envelope, address: str, params: str) -> str:
        """RCPT TO with its parameters: relay rules, recipient limits and DSN requests of the IMS."""
        def ask(inbound: InboundSession) -> Reply:
            reply = inbound.rcpt(address, params)
            if reply.code < 300:
                envelope.rcpt_tos.append(address)
                envelope.rcpt_options.extend(params.split())
            return reply

        return await self.answer(session, ask)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """DATA: the IMS spools the message and runs its inbound path."""
        payload = envelope.original_content or b""
        return await self.answer(session, lambda inbound: inbound.data(payload), run=True)

    async def handle_RSET(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """RSET: forget the modelled transaction too."""
        return await self.answer(session, lambda inbound: inbound.reset())

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """QUIT: the IMS's closing words (also while the service is stopped: the channel closes)."""
        if self.refusal():
            return replies.reply("quit").wire()
        return await self.answer(session, lambda inbound: inbound.quit())

    async def handle_exception(self, error: Exception) -> str:
        """Never let a handler error end the server: answer 451 and carry on."""
        return "451 Requested action aborted: local error in processing"


def smtp_factory(org: Host, lock: threading.Lock) -> Any:
    """Return a protocol factory for ``loop.create_server``."""
    handler = ImsSmtpHandler(org, lock)
    ident = server_ident(org.ims)
    limit = org.ims.config.max_message_bytes

    class ImsSMTP(SMTP):
        line_length_limit = max(1001, org.ims.config.max_line_length)
        command_size_limit = COMMAND_SIZE_LIMIT

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # aiosmtpd dispatches every command through this table: each is logged as it came
            # off the wire, and each passes the service gate but QUIT, which closes the channel
            # anyway (221).
            self._smtp_methods = {name: self._logged(name, method if name == "QUIT" else self._gated(method))
                                  for name, method in self._smtp_methods.items()}

        def _logged(self, name: str, method: Callable[[str], Awaitable[None]]) -> Callable[[str], Awaitable[None]]:
            """Return ``method`` writing its command line to the protocol log first."""

            @functools.wraps(method)
            async def logged(arg: str) -> None:
                if not handler.refusal():
                    line = f"{name} {arg or ''}".rstrip()
                    handler.wire_command(self.session, log_form(line) if name == "AUTH" else line)
                await method(arg)

            return logged

        def _gated(self, method: Callable[[str], Awaitable[None]]) -> Callable[[str], Awaitable[None]]:
            """Return ``method`` behind the service gate (HELP still reads its syntax attributes)."""

            @functools.wraps(method)
            async def gated(arg: str) -> None:
                if not await self.refuse_if_stopped():
                    await method(arg)

            return gated

        async def push(self, status: Any) -> None:
            """Send a reply: in the IMS's words, and written to the protocol log as sent."""
            text = status if isinstance(status, str) else bytes(status).decode("ascii", "replace")
            await super().push(await handler.wire_reply(self.session, text))

        async def _greet(self, hostname: str, ask: Callable[[InboundSession], Reply], extended: bool) -> None:
            """Answer HELO/EHLO from the model and set aiosmtpd's session state to match."""
            if not hostname:
                await self.push(await handler.answer(self.session, lambda inbound: replies.reply("syntax")))
                return
            assert self.session is not None
            line = await handler.answer(self.session, ask)
            if line.startswith("250"):
                self._set_rset_state()
                self.session.extended_smtp = extended
                self.session.host_name = hostname
            await self.push(line)

        async def smtp_EHLO(self, hostname: str) -> None:
            """EHLO: the IMS's extensions (Q262945)."""
            await self._greet(hostname, lambda inbound: inbound.ehlo(hostname), True)

        async def smtp_HELO(self, hostname: str) -> None:
            """HELO."""
            await self._greet(hostname, lambda inbound: inbound.helo(hostname), False)

        async def _envelope_command(self, keyword: str, arg: str | None,
                                    ask: Callable[[Session, Envelope, str, str], Awaitable[str]]) -> None:
            """Parse ``MAIL FROM:``/``RCPT TO:`` and let the model answer, parameters untouched.

            aiosmtpd's own MAIL/RCPT upper-case the parameters and refuse those it does not know
            (555): the IMS takes SIZE, RET, ENVID, NOTIFY and ORCPT (RFC 1870, RFC 3461), so it
            reads them itself. Malformed addresses get aiosmtpd's replies, translated as before.
            """
            if await self.check_helo_needed():
                return
            assert self.session is not None and self.envelope is not None
            stripped = self._strip_command_keyword(keyword, arg) if arg else None
            if stripped is None:
                await self.push(f"501 Syntax: {keyword} <address>")
                return
            address, params = self._getaddr(stripped)
            if address is None:
                await self.push("553 5.1.3 Error: malformed address")
                return
            if not address:
                await self.push(f"501 Syntax: {keyword} <address>")
                return
            address = "" if address == "<>" else address  # the null reverse path (RFC 5321 §4.5.5)
            await self.push(await ask(self.session, self.envelope, address, (params or "").strip()))

        async def smtp_MAIL(self, arg: str | None) -> None:
            """MAIL FROM (parameters: RFC 1870 SIZE, RFC 3461 RET/ENVID, RFC 2554 AUTH)."""
            await self._envelope_command("FROM:", arg, handler.mail)

        async def smtp_RCPT(self, arg: str | None) -> None:
            """RCPT TO (parameters: RFC 3461 NOTIFY/ORCPT)."""
            await self._envelope_command("TO:", arg, handler.rcpt)

        async def smtp_AUTH(self, arg: str) -> None:
            """AUTH (RFC 2554): the IMS's exchange; each client line after a 334 is read here."""
            assert self.session is not None
            reply = await handler.answer(self.session, lambda inbound: inbound.auth(arg or ""))
            while reply.startswith("334 "):
                await self.push(reply)
                line = await self._auth_line()
                if line is None:
                    # Longer than a command may be (RFC 5321 §4.5.3.1.4): the exchange ends.
                    reply = await handler.answer(self.session, lambda inbound: inbound.auth_abort("line_too_long"))
                    break
                if not line:
                    return  # the client went away
                text = line.decode("ascii", "replace").rstrip("\r\n")
                handler.wire_command(self.session, handler.auth_line(self.session, text))
                reply = await handler.answer(self.session, lambda inbound: inbound.auth_response(text))
            if reply.startswith("235"):
                self.session.authenticated = True
            await self.push(reply)

        async def _auth_line(self) -> bytes | None:
            """Read the client's answer to a 334 prompt; None (after discarding it) when it is over-long."""
            try:
                return await self._reader.readuntil(b"\n")
            except asyncio.IncompleteReadError as error:
                return error.partial
            except asyncio.LimitOverrunError as error:
                while True:  # drop the rest of the line, then answer (as aiosmtpd does for commands)
                    await self._reader.readexactly(error.consumed)
                    try:
                        await self._reader.readuntil(b"\n")
                        return None
                    except asyncio.LimitOverrunError as more:
                        error = more

        async def smtp_NOOP(self, arg: str) -> None:
            """NOOP."""
            await self.push(await handler.answer(self.session, lambda inbound: inbound.noop()))

        async def smtp_VRFY(self, arg: str) -> None:
            """VRFY (252, RFC 5321 §3.5.3)."""
            await self.push(await handler.answer(self.session, lambda inbound: inbound.vrfy(arg)))

        async def smtp_EXPN(self, arg: str) -> None:
            """EXPN: not implemented (Q175842)."""
            await self.push(await handler.answer(self.session, lambda inbound: inbound.expn(arg)))

        async def smtp_HELP(self, arg: str) -> None:
            """HELP."""
            await self.push(await handler.answer(self.session, lambda inbound: inbound.help(arg)))

        async def smtp_ETRN(self, arg: str) -> None:
            """ETRN (RFC 1985): start the queue for a node."""
            await self.push(await handler.answer(self.session, lambda inbound: inbound.etrn(arg), run=True))

        def connection_lost(self, error: Exception | None) -> None:
            """Write what is still buffered for the protocol log when the client goes away."""
            session = self.session
            super().connection_lost(error)
            if session is not None and getattr(session, "kb_wire", None):
                self._flush_task = asyncio.ensure_future(handler._locked(lambda: handler._flush(session)))

        async def _handle_client(self) -> None:
            """Greet, or refuse the connection when the IMS is stopped (aiosmtpd's session loop)."""
            if not await self.refuse_if_stopped():
                await super()._handle_client()

        async def refuse_if_stopped(self) -> bool:
            """Answer 421 and close while the IMS is stopped; return True when refused."""
            reply = handler.refusal()
            if reply is None:
                return False
            if self.transport is not None and not self.transport.is_closing():
                await self.push(reply)
                self.transport.close()
            return True

    def factory() -> SMTP:
        return ImsSMTP(handler, hostname=org.fqdn, ident=ident, data_size_limit=limit, timeout=300,
                       enable_SMTPUTF8=False, decode_data=False)

    return factory
