"""The SMTP protocol log: one ``Imcdata\\Log\\L000000x.LOG`` per connection (Q154505, Q228725)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable


@lru_cache(maxsize=64)
def log_time(when: datetime) -> str:
    """Return the log's time stamp form, e.g. ``4/5/99 10:22:41 AM`` (Q228725)."""
    # Cached: virtual time stands still while a session runs, so most lines share a stamp.
    hour = when.hour % 12 or 12
    return f"{when.month}/{when.day}/{when.year % 100:02d} {hour}:{when.minute:02d}:{when.second:02d} {'AM' if when.hour < 12 else 'PM'}"


@dataclass
class ProtocolSession:
    """One logged SMTP connection."""

    logfile: str
    direction: str  # "outbound" or "inbound"
    peer: str
    lines: list[str] = field(default_factory=list)
    # Message data that crossed the wire, for the LOG file only: (index into ``lines`` it follows,
    # time stamp, the octets) - the log writes headers from Medium, bodies at Maximum.
    packets: list[tuple[int, str, bytes]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"direction": self.direction, "lines": list(self.lines), "logfile": self.logfile, "peer": self.peer}

    def texts(self) -> list[str]:
        """Return the lines without their time stamps."""
        return [line.split(" : ", 1)[1] if " : " in line else line for line in self.lines]

    def dialogue(self) -> list[tuple[str, str]]:
        """Return the session as (command, reply) pairs, whichever side the IMS was on.

        A command is a line the client sent (``EHLO ...``, ``RCPT TO:<...>``); its reply is the
        ``IO: |`` lines that follow, joined by CRLF for a multi-line reply. The greeting is paired
        with "" and notes (``A connection to ... was established.``, the 499 reschedule line) with
        the reply "".
        """
        pairs: list[tuple[str, str]] = []
        for text in self.texts():
            if text.startswith("IO: |"):
                reply = text[len("IO: |"):]
                last = pairs[-1][1].rsplit("\r\n", 1)[-1] if pairs else ""
                if pairs and not pairs[-1][0].startswith(("A connection", "Connect to")) and (
                        not last or last[3:4] == "-"):
                    command, previous = pairs[-1]
                    pairs[-1] = (command, f"{previous}\r\n{reply}" if previous else reply)
                else:
                    pairs.append(("", reply))
            else:
                pairs.append((text, ""))
        return pairs

    def transcript(self, label: str) -> list[str]:
        """Return transcript lines ``[label]   C: <command>  S: <reply>`` (as kb.repro.smtp_lines).

        A multi-line reply is one line, its lines joined by `` | `` (as ``Reply.line()``).
        """
        out = []
        for command, wire in self.dialogue():
            reply = wire.replace("\r\n", " | ")  # one line per step, as Reply.line()
            if command and reply:
                out.append(f"[{label}]   C: {command}  S: {reply}")
            elif reply:
                out.append(f"[{label}]   S: {reply}")
            else:
                out.append(f"[{label}]   {command}")
        return out


class ProtocolLog:
    """Every SMTP session of the IMS, in order; kept in memory whatever the logging level."""

    def __init__(self, sink: Callable[[ProtocolSession], None] | None = None) -> None:
        self.sessions: list[ProtocolSession] = []
        self.sink = sink  # called after each line (the IMS writes Imcdata\LOG files through it)

    def open(self, direction: str, peer: str) -> ProtocolSession:
        """Start the log of a new connection."""
        session = ProtocolSession(f"L{len(self.sessions):07d}.LOG", direction, peer)
        self.sessions.append(session)
        return session

    def write(self, session: ProtocolSession, when: datetime, text: str) -> None:
        """Append one line ``<time> : <text>``."""
        session.lines.append(f"{log_time(when)} : {text}")
        if self.sink is not None:
            self.sink(session)

    def packet(self, session: ProtocolSession, when: datetime, data: bytes) -> None:
        """Record the message data sent or received after DATA (headers, then body lines)."""
        session.packets.append((len(session.lines), log_time(when), data))  # split only if a LOG file wants it
        if self.sink is not None:
            self.sink(session)

    def lines(self) -> list[str]:
        """Return every line of every session, in order."""
        return [line for s in self.sessions for line in s.lines]

    def outbound(self, peer: str | None = None) -> list[ProtocolSession]:
        """Return the outbound sessions (optionally only those to a host whose name or IP is ``peer``)."""
        return [s for s in self.sessions if s.direction == "outbound"
                and (peer is None or s.peer.split(" ")[0] == peer or f"[{peer}]" in s.peer)]

    def inbound(self) -> list[ProtocolSession]:
        """Return the inbound sessions."""
        return [s for s in self.sessions if s.direction == "inbound"]

    def transcript(self, label: str, direction: str | None = None) -> list[str]:
        """Return every session (or every one of ``direction``) as transcript lines tagged ``label``."""
        return [line for s in self.sessions if direction in (None, s.direction) for line in s.transcript(label)]
