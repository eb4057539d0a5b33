"""Simulated remote SMTP hosts on the Internet: accept, 4xx, 5xx, drop, slow, no banner."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kb.exceptions import ConfigError

BEHAVIOURS = ("accept", "tempfail", "reject", "drop", "slow", "nobanner")


@dataclass(frozen=True)
class Reply:
    """One SMTP reply."""

    code: int
    text: str
    more: tuple[str, ...] = ()  # continuation lines of a multi-line reply (EHLO)

    def lines(self) -> list[str]:
        """Return the reply's wire lines: ``250-first``, ..., ``250 last`` (RFC 5321 §4.2.1)."""
        texts = [self.text, *self.more]
        return [f"{self.code}{' ' if i == len(texts) - 1 else '-'}{t}" for i, t in enumerate(texts)]

    def line(self) -> str:
        """Return the reply on one line (a multi-line reply's lines joined by " | ", for transcripts)."""
        if not self.more:
            return f"{self.code} {self.text}"
        return " | ".join(self.lines())

    def wire(self) -> str:
        """Return the reply as sent on the wire (lines joined by CRLF, without the final CRLF)."""
        return "\r\n".join(self.lines())

    @property
    def transient(self) -> bool:
        """Return True for a 4xx reply."""
        return 400 <= self.code < 500

    @property
    def permanent(self) -> bool:
        """Return True for a 5xx reply."""
        return self.code >= 500


@dataclass(frozen=True)
class RemoteDelivery:
    """A message a remote host accepted."""

    time: datetime
    host: str
    mail_from: str
    rcpt_to: tuple[str, ...]
    data: bytes
    mail_params: str = ""  # ESMTP parameters of MAIL FROM (RET=, ENVID=, ...)
    rcpt_params: tuple[str, ...] = ()  # those of each accepted RCPT TO (NOTIFY=, ORCPT=)


@dataclass
class RemoteHost:
    """A remote SMTP server and how it behaves.

    ``behaviour`` applies to the whole session; ``recipients`` maps a lower-cased address to a
    reply line for RCPT TO (e.g. ``"550 Unknown user"``, ``"552 mailbox quota limit exceeded"``).
    ``delay`` is the seconds a slow host takes per reply.
    """

    name: str
    ip: str
    behaviour: str = "accept"
    recipients: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    max_size: int = 0
    # EHLO extension lines it advertises (e.g. ("DSN",): then the IMS passes the DSN parameters on,
    # RFC 3461 §5.2); none by default.
    extensions: tuple[str, ...] = ()
    received: list[RemoteDelivery] = field(default_factory=list)

    def connect(self, now: datetime) -> "RemoteSession":
        """Open a session (the TCP handshake succeeded)."""
        return RemoteSession(self, now)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready description, with what the host received."""
        return {
            "behaviour": self.behaviour,
            "delay": self.delay,
            "ip": self.ip,
            "name": self.name,
            "received": [
                {"mail_from": d.mail_from, "rcpt_to": list(d.rcpt_to), "size": len(d.data), "time": d.time.isoformat()}
                for d in self.received
            ],
        }


def _parse(line: str) -> Reply:
    code, _, text = line.partition(" ")
    return Reply(int(code), text)


class RemoteSession:
    """The server side of one SMTP session with a RemoteHost; ``None`` replies mean the link dropped."""

    def __init__(self, host: RemoteHost, now: datetime) -> None:
        self.host = host
        self.now = now
        self.mail_from = ""
        self.rcpts: list[str] = []
        self.mail_params = ""
        self.rcpt_params: list[str] = []

    def banner(self) -> Reply | None:
        """Return the greeting, or None when the host sends none (or drops the link)."""
        if self.host.behaviour in ("nobanner", "drop"):
            return None
        if self.host.behaviour == "tempfail":
            return Reply(421, f"{self.host.name} Service not available, closing transmission channel")
        return Reply(220, f"{self.host.name} ESMTP ready")

    def ehlo(self, name: str) -> Reply:
        """Answer EHLO."""
        return Reply(250, f"{self.host.name} Hello {name}", tuple(self.host.extensions))

    def mail(self, address: str, params: str = "") -> Reply:
        """Answer MAIL FROM (``params``: its ESMTP parameters)."""
        self.mail_from = address
        self.mail_params = params
        self.rcpts = []
        self.rcpt_params = []
        if self.host.behaviour == "reject":
            return Reply(550, "Requested action not taken: sender rejected")
        return Reply(250, "OK")

    def rcpt(self, address: str, params: str = "") -> Reply:
        """Answer RCPT TO, honouring per-recipient replies (``params``: its ESMTP parameters)."""
        special = self.host.recipients.get(address.lower())
        if special:
            reply = _parse(special)
        else:
            reply = Reply(250, "OK")
        if reply.code < 300:
            self.rcpts.append(address)
            self.rcpt_params.append(params)
        return reply

    def data(self, payload: bytes) -> Reply:
        """Take the message; store it when accepted."""
        if self.host.max_size and len(payload) > self.host.max_size:
            return Reply(552, "Message size exceeds fixed maximum message size")
        self.host.received.append(RemoteDelivery(self.now, self.host.name, self.mail_from, tuple(self.rcpts), payload,
                                                 self.mail_params, tuple(self.rcpt_params)))
        return Reply(250, "Message accepted for delivery")


class Internet:
    """The remote hosts reachable from the IMS, by IP address."""

    def __init__(self) -> None:
        self._hosts: dict[str, RemoteHost] = {}

    def add_host(self, host: RemoteHost) -> RemoteHost:
        """Register ``host`` at its IP address."""
        if host.behaviour not in BEHAVIOURS:
            raise ConfigError(f"remote host {host.name}", None,
                              f"behaviour {host.behaviour!r} is not one of {', '.join(BEHAVIOURS)}")
        try:
            ipaddress.IPv4Address(host.ip)
        except ValueError:
            raise ConfigError(f"remote host {host.name}", None,
                              f"ip {host.ip!r} is not an IPv4 address (expected e.g. '192.0.2.25')") from None
        self._hosts[host.ip] = host
        return host

    def at(self, ip: str) -> RemoteHost | None:
        """Return the host listening at ``ip`` (None: connection refused)."""
        return self._hosts.get(ip)

    def host(self, name: str) -> RemoteHost:
        """Return the host called ``name``."""
        for host in self._hosts.values():
            if host.name.lower() == name.lower():
                return host
        raise KeyError(name)

    def hosts(self) -> list[RemoteHost]:
        """Return every host, sorted by name."""
        return sorted(self._hosts.values(), key=lambda h: h.name)
