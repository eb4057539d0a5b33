"""The real SMTP listener: aiosmtpd in front of the modelled IMS inbound path.

aiosmtpd parses the protocol (bounded command and line lengths, 5xx for malformed commands);
every accepted envelope step is handed to the IMS's InboundSession, so relay rules, limits,
the IN spool, conversion and delivery are the modelled ones. While the MSExchangeIMC service is
stopped, the greeting and every command but QUIT are answered 421 and the connection is closed.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from kb.sim.ims.inbound import InboundSession, server_ident
from kb.sim.org import Organisation

COMMAND_SIZE_LIMIT = 512  # RFC 5321 §4.5.3.1.4
# RFC 5321 §3.8: a server that must stop serving answers 421 and closes the channel; a stopped
# Windows NT service (MSExchangeIMC stops itself on fatal errors, Q193639, Q193782) takes no
# SMTP connections at all.
SERVICE_NOT_AVAILABLE = "421 {host} Service not available, closing transmission channel"


class ImsSmtpHandler:
    """aiosmtpd handler hooks that drive the organisation's IMS (serialised by ``lock``)."""

    def __init__(self, org: Organisation, lock: threading.Lock) -> None:
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
            if session.host_name:
                inbound.helo(session.host_name)
            session.kb_inbound = inbound  # type: ignore[attr-defined]
        return inbound

    async def _locked(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` under the organisation lock in a worker thread, never on the event loop.

        The JSON API thread holds the same lock while it sends; taking it on the loop froze every
        SMTP connection (and new ones) until the API call ended.
        """
        def guarded() -> Any:
            with self.lock:
                return work()

        return await asyncio.to_thread(guarded)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        """MAIL FROM: open the modelled transaction."""
        def work() -> str:
            refused = self.refusal()
            if refused:
                return refused
            reply = self._inbound(session).mail(address)
            if reply.code < 300:
                envelope.mail_from = address
                envelope.mail_options.extend(mail_options)
            return reply.line()

        return str(await self._locked(work))

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        """RCPT TO: relay rules and recipient limits of the IMS."""
        def work() -> str:
            refused = self.refusal()
            if refused:
                return refused
            reply = self._inbound(session).rcpt(address)
            if reply.code < 300:
                envelope.rcpt_tos.append(address)
                envelope.rcpt_options.extend(rcpt_options)
            return reply.line()

        return str(await self._locked(work))

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """DATA: the IMS spools the message and runs its inbound path."""
        payload = envelope.original_content or b""

        def work() -> str:
            refused = self.refusal()
            if refused:
                return refused
            reply = self._inbound(session).data(payload)
            self.org.run()
            return reply.line()

        return str(await self._locked(work))

    async def handle_RSET(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """RSET: forget the modelled transaction too."""
        def work() -> str:
            refused = self.refusal()
            if refused:
                return refused
            self._inbound(session).rset()
            return "250 OK"

        return str(await self._locked(work))

    async def handle_exception(self, error: Exception) -> str:
        """Never let a handler error end the server: answer 451 and carry on."""
        return "451 Requested action aborted: local error in processing"


def smtp_factory(org: Organisation, lock: threading.Lock) -> Any:
    """Return a protocol factory for ``loop.create_server``."""
    handler = ImsSmtpHandler(org, lock)
    ident = server_ident(org.ims)
    limit = org.ims.config.max_message_bytes

    class ImsSMTP(SMTP):
        line_length_limit = max(1001, org.ims.config.max_line_length)
        command_size_limit = COMMAND_SIZE_LIMIT

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # aiosmtpd dispatches every command through this table: each passes the service gate
            # but QUIT, which closes the channel anyway (221).
            self._smtp_methods = {name: method if name == "QUIT" else self._gated(method)
                                  for name, method in self._smtp_methods.items()}

        def _gated(self, method: Callable[[str], Awaitable[None]]) -> Callable[[str], Awaitable[None]]:
            """Return ``method`` behind the service gate (HELP still reads its syntax attributes)."""

            @functools.wraps(method)
            async def gated(arg: str) -> None:
                if not await self.refuse_if_stopped():
                    await method(arg)

            return gated

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
