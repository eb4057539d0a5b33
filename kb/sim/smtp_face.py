"""The real SMTP listener: aiosmtpd in front of the modelled IMS inbound path.

aiosmtpd parses the protocol (bounded command and line lengths, 5xx for malformed commands);
every accepted envelope step is handed to the IMS's InboundSession, so relay rules, limits,
the IN spool, conversion and delivery are the modelled ones.
"""

from __future__ import annotations

import threading
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from kb.sim.ims.inbound import InboundSession
from kb.sim.org import Organisation

COMMAND_SIZE_LIMIT = 512  # RFC 5321 §4.5.3.1.4


class ImsSmtpHandler:
    """aiosmtpd handler hooks that drive the organisation's IMS (serialised by ``lock``)."""

    def __init__(self, org: Organisation, lock: threading.Lock) -> None:
        self.org = org
        self.lock = lock

    def _inbound(self, session: Session) -> InboundSession:
        inbound = getattr(session, "kb_inbound", None)
        if inbound is None:
            peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
            inbound = self.org.ims.session(peer_ip=peer, peer_name=session.host_name or "")
            if session.host_name:
                inbound.helo(session.host_name)
            session.kb_inbound = inbound  # type: ignore[attr-defined]
        return inbound

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        """MAIL FROM: open the modelled transaction."""
        with self.lock:
            reply = self._inbound(session).mail(address)
        if reply.code < 300:
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
        return reply.line()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        """RCPT TO: relay rules and recipient limits of the IMS."""
        with self.lock:
            reply = self._inbound(session).rcpt(address)
        if reply.code < 300:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
        return reply.line()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """DATA: the IMS spools the message and runs its inbound path."""
        payload = envelope.original_content or b""
        with self.lock:
            reply = self._inbound(session).data(payload)
            self.org.run()
        return reply.line()

    async def handle_RSET(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """RSET: forget the modelled transaction too."""
        with self.lock:
            self._inbound(session).rset()
        return "250 OK"

    async def handle_exception(self, error: Exception) -> str:
        """Never let a handler error end the server: answer 451 and carry on."""
        return "451 Requested action aborted: local error in processing"


def smtp_factory(org: Organisation, lock: threading.Lock) -> Any:
    """Return a protocol factory for ``loop.create_server``."""
    handler = ImsSmtpHandler(org, lock)
    ident = f"ESMTP Server (Microsoft Exchange Internet Mail Service {org.builds.ims.version}) Ready"
    limit = org.ims.config.max_message_bytes

    class ImsSMTP(SMTP):
        line_length_limit = max(1001, org.ims.config.max_line_length)
        command_size_limit = COMMAND_SIZE_LIMIT

    def factory() -> SMTP:
        return ImsSMTP(handler, hostname=org.fqdn, ident=ident, data_size_limit=limit, timeout=300,
                       enable_SMTPUTF8=False, decode_data=False)

    return factory
