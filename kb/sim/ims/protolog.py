"""The SMTP protocol log: one ``Imcdata\\Log\\L000000x.LOG`` per connection (Q154505, Q228725)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable


def log_time(when: datetime) -> str:
    """Return the log's time stamp form, e.g. ``4/5/99 10:22:41 AM`` (Q228725)."""
    hour = when.hour % 12 or 12
    return f"{when.month}/{when.day}/{when.year % 100:02d} {hour}:{when.minute:02d}:{when.second:02d} {'AM' if when.hour < 12 else 'PM'}"


@dataclass
class ProtocolSession:
    """One logged SMTP connection."""

    logfile: str
    direction: str  # "outbound" or "inbound"
    peer: str
    lines: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"direction": self.direction, "lines": list(self.lines), "logfile": self.logfile, "peer": self.peer}


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

    def lines(self) -> list[str]:
        """Return every line of every session, in order."""
        return [line for s in self.sessions for line in s.lines]
