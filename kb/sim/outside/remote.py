"""Simulated remote SMTP hosts on the Internet: accept, 4xx, 5xx, drop, slow, no banner, bounce later.

A host can be scripted beyond its session behaviour: RCPT replies by address (``recipients``),
the domains it takes mail for (``domains``: others get sendmail's ``550 5.7.1 … Relaying
denied``), a DATA reply (``data_reply``), and recipients it accepts at RCPT but later reports
on in its *own* RFC 3464 delivery status notification (``bounces``), sent with ``MAIL FROM:<>``
to the message's reverse path over SMTP - for the organisation's own domains, through its IMS's
inbound path (``kb.sim.outside.remote_dsn`` writes the report; ``Internet.home`` is how the host reaches
the organisation it surrounds).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol

from kb.exceptions import ConfigError
from kb.sim.outside.remote_dsn import DSN_RETRY_SECONDS, DSN_RETURN_SECONDS, compose_dsn

BEHAVIOURS = ("accept", "tempfail", "reject", "drop", "slow", "nobanner")
REPLY_LINE = re.compile(r"^[2-5][0-9][0-9] ")


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
    client: str = ""  # the name the sending server gave in EHLO


class Link(Protocol):
    """The client side of one SMTP session with a server (a remote host's or an organisation's IMS)."""

    def banner(self) -> "Reply | None": ...
    def ehlo(self, name: str) -> "Reply": ...
    def mail(self, address: str, params: str = "") -> "Reply": ...
    def rcpt(self, address: str, params: str = "") -> "Reply": ...
    def data(self, payload: bytes) -> "Reply": ...


class Home(Protocol):
    """What the Internet's hosts see of the organisation they surround: its time and mail servers."""

    def now(self) -> datetime: ...
    def schedule(self, delay_seconds: float, label: str, action: Callable[[], None]) -> object: ...
    def link(self, domain: str, client_ip: str, client_name: str) -> "Link | None":
        """Open an SMTP session with the mail server of ``domain`` (None: none answers now)."""


@dataclass(frozen=True)
class Bounce:
    """A recipient a host accepted and reports on later, with the reply its delivery got."""

    address: str
    reply: str  # e.g. "550 5.1.1 <pat@example.net>... User unknown"


@dataclass
class OwnReport:
    """A delivery status notification a remote host made, and what became of it."""

    made: datetime
    to: str  # the reverse path it is sent to
    data: bytes
    state: str = "queued"  # "queued", "sent", "refused" (a 5xx), "expired" (unsent for DSN_RETURN_SECONDS)
    attempts: list[tuple[datetime, str]] = field(default_factory=list)  # (time, the reply or failure)


@dataclass
class RemoteHost:
    """A remote SMTP server and how it behaves.

    ``behaviour`` applies to the whole session; ``recipients`` maps a lower-cased address to a
    reply line for RCPT TO (e.g. ``"550 Unknown user"``, ``"552 mailbox quota limit exceeded"``).
    ``delay`` is the seconds a slow host takes per reply. ``domains`` (lower case) are the
    domains it takes mail for (empty: any). ``data_reply`` is its reply to DATA ("" = accept).
    ``bounces`` maps a lower-cased address to the final reply its delivery gets: the host
    accepts it at RCPT and, ``bounce_after`` seconds after the message came, sends its own DSN.
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
    domains: list[str] = field(default_factory=list)
    data_reply: str = ""
    bounces: dict[str, str] = field(default_factory=dict)
    bounce_after: float = 0.0
    received: list[RemoteDelivery] = field(default_factory=list)
    reports: list[OwnReport] = field(default_factory=list)  # the DSNs it made (its mail queue)
    unreported: list[RemoteDelivery] = field(default_factory=list)  # failures it kept: null path, no home
    internet: "Internet | None" = field(default=None, repr=False, compare=False)

    def connect(self, now: datetime) -> "RemoteSession":
        """Open a session (the TCP handshake succeeded)."""
        return RemoteSession(self, now)

    def takes(self, address: str) -> bool:
        """Return True when the host takes mail for ``address``'s domain."""
        domain = address.rpartition("@")[2].strip().rstrip(".").lower()
        return not self.domains or domain in self.domains

    def delivered(self, delivery: RemoteDelivery) -> None:
        """Record an accepted message and schedule the DSN for the recipients it bounces."""
        self.received.append(delivery)
        failed = [Bounce(r, self.bounces[r.lower()]) for r in delivery.rcpt_to if r.lower() in self.bounces]
        if not failed:
            return
        if not delivery.mail_from:
            # RFC 5321 §4.5.5, §6.1: a message with a null reverse path is never
            # answered (sendmail keeps such a double bounce for its own postmaster).
            self.unreported.append(delivery)
            return
        home = self.internet.home if self.internet is not None else None
        if home is None:  # a host outside any organisation's Internet has nowhere to send it
            self.unreported.append(delivery)
            return
        now = home.now()
        report = OwnReport(now, delivery.mail_from, compose_dsn(
            self.name, delivery.time, now, len(self.reports) + 1, delivery.mail_from,
            [(b.address, b.reply) for b in failed], delivery.data, delivery.client))
        self.reports.append(report)
        home.schedule(self.bounce_after, f"{self.name}: delivery report to {delivery.mail_from}",
                      lambda: self._send(home, report))

    def _send(self, home: Home, report: OwnReport) -> None:
        """Try to hand ``report`` to the reverse path's mail server; retry until DSN_RETURN_SECONDS."""
        now = home.now()
        outcome = self._attempt(home, report)
        report.attempts.append((now, outcome.line() if isinstance(outcome, Reply) else outcome))
        if isinstance(outcome, Reply) and outcome.code < 300:
            report.state = "sent"
        elif isinstance(outcome, Reply) and outcome.permanent:
            report.state = "refused"  # nothing reports on a report: its reverse path is null (RFC 5321 §4.5.5)
        elif now + timedelta(seconds=DSN_RETRY_SECONDS) - report.made > timedelta(seconds=DSN_RETURN_SECONDS):
            report.state = "expired"
        else:
            home.schedule(DSN_RETRY_SECONDS, f"{self.name}: delivery report to {report.to} (retry)",
                          lambda: self._send(home, report))

    def _attempt(self, home: Home, report: OwnReport) -> "Reply | str":
        """Run one SMTP session for ``report``; return the reply that decided it, or what failed."""
        link = home.link(report.to.rpartition("@")[2], self.ip, self.name)
        if link is None:
            return "no mail server answered"
        banner = link.banner()
        if banner is None or banner.code != 220:
            return banner if banner is not None else "the connection was closed"
        link.ehlo(self.name)
        reply = link.mail("")  # RFC 5321 §4.5.5: a report goes out with a null reverse path
        if reply.code < 300:
            reply = link.rcpt(report.to)
        return reply if reply.code >= 300 else link.data(report.data)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready description, with what the host received and the reports it made."""
        return {
            "behaviour": self.behaviour,
            "delay": self.delay,
            "ip": self.ip,
            "name": self.name,
            "received": [
                {"mail_from": d.mail_from, "rcpt_to": list(d.rcpt_to), "size": len(d.data), "time": d.time.isoformat()}
                for d in self.received
            ],
            "reports": [
                {"made": r.made.isoformat(), "state": r.state, "to": r.to,
                 "attempts": [[t.isoformat(), text] for t, text in r.attempts]}
                for r in self.reports
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
        self.client = ""

    def banner(self) -> Reply | None:
        """Return the greeting, or None when the host sends none (or drops the link)."""
        if self.host.behaviour in ("nobanner", "drop"):
            return None
        if self.host.behaviour == "tempfail":
            return Reply(421, f"{self.host.name} Service not available, closing transmission channel")
        return Reply(220, f"{self.host.name} ESMTP ready")

    def ehlo(self, name: str) -> Reply:
        """Answer EHLO."""
        self.client = name
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
        """Answer RCPT TO: a scripted reply, a refused relay, or 250 (``params``: its ESMTP parameters)."""
        special = self.host.recipients.get(address.lower())
        if special:
            reply = _parse(special)
        elif not self.host.takes(address):
            reply = Reply(550, f"5.7.1 <{address}>... Relaying denied")  # sendmail 8.9's words
        else:
            reply = Reply(250, "OK")
        if reply.code < 300:
            self.rcpts.append(address)
            self.rcpt_params.append(params)
        return reply

    def data(self, payload: bytes) -> Reply:
        """Take the message (a scripted DATA reply decides); store it when accepted."""
        if self.host.max_size and len(payload) > self.host.max_size:
            return Reply(552, "Message size exceeds fixed maximum message size")
        if self.host.data_reply:
            reply = _parse(self.host.data_reply)
            if reply.code >= 300:
                return reply
        else:
            reply = Reply(250, "Message accepted for delivery")
        self.host.delivered(RemoteDelivery(self.now, self.host.name, self.mail_from, tuple(self.rcpts), payload,
                                           client=self.client, mail_params=self.mail_params,
                                           rcpt_params=tuple(self.rcpt_params)))
        return reply


def _check_reply(host: RemoteHost, key: str, line: str, permanent: bool = False) -> None:
    """Raise ConfigError unless ``line`` is an SMTP reply line (5xx when ``permanent``)."""
    if not REPLY_LINE.match(line + " ") or (permanent and not line.startswith("5")):
        expected = "a 5xx reply line, e.g. '550 5.1.1 User unknown'" if permanent else \
            "a reply line, e.g. '554 5.6.0 Content rejected'"
        raise ConfigError(f"remote host {host.name}", None, f"{key} {line!r} is not {expected}")


class Internet:
    """The remote hosts reachable from the IMS, by IP address; ``home`` is the organisation they surround."""

    def __init__(self, home: Home | None = None) -> None:
        self._hosts: dict[str, RemoteHost] = {}
        self.home = home

    def add_host(self, host: RemoteHost) -> RemoteHost:
        """Register ``host`` at its IP address; raise ConfigError for a bad setting or a taken address."""
        if host.behaviour not in BEHAVIOURS:
            raise ConfigError(f"remote host {host.name}", None,
                              f"behaviour {host.behaviour!r} is not one of {', '.join(BEHAVIOURS)}")
        try:
            ipaddress.IPv4Address(host.ip)
        except ValueError:
            raise ConfigError(f"remote host {host.name}", None,
                              f"ip {host.ip!r} is not an IPv4 address (expected e.g. '192.0.2.25')") from None
        taken = self._hosts.get(host.ip)
        if taken is not None and taken.name.lower() != host.name.lower():
            raise ConfigError(f"remote host {host.name}", None,
                              f"ip {host.ip!r} is already {taken.name!r}'s (expected a free address)")
        for address, line in host.recipients.items():
            _check_reply(host, f"recipients[{address!r}]", line)
        for address, line in host.bounces.items():
            _check_reply(host, f"bounces[{address!r}]", line, permanent=True)
        if host.data_reply:
            _check_reply(host, "data_reply", host.data_reply)
        if host.bounce_after < 0:
            raise ConfigError(f"remote host {host.name}", None, f"bounce_after {host.bounce_after!r} is negative")
        host.domains = [d.strip().rstrip(".").lower() for d in host.domains]
        host.bounces = {k.strip().lower(): v for k, v in host.bounces.items()}
        host.internet = self
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
