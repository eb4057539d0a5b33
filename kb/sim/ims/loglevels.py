"""What each SMTP Protocol Log level writes to ``Imcdata\\LOG\\L*.LOG``, and how the writer formats.

Diagnostics Logging -> "SMTP Protocol Log" (ims-domain §2.11): None (0) writes no file; Minimum
(1) connection information; Medium (3) commands and replies ("commands and headers"); Maximum (5)
complete packets, i.e. the message data as well (Q154505, Q146669, Q177543). The registry holds
any number 0-5; 2 writes what Minimum writes and 4 what Medium writes (inference: the IMS tests
"at least" each level, as Message Archival does at Medium, Q300931).

The 499 reschedule note (Q228725) names the message subject only at Maximum, the level at which
Q239816's CAUSE quotes it (``Message subject: ""RE:33%s5%s99""``); the lower levels write the
note without it (inference: Minimum and Medium carry no message content).

The log writer (Q239816): notes the IMS composes itself (the 499 line) are assembled into a
buffer and handed to a printf-style writer. Msexcimc.exe builds before 5.5.2651.58 (post-SP3 IMS
fixes of Dec 14, 1999, Q246889; in SP4) pass that buffer as the *format*, so a conversion
specification in the subject reads an argument that was never passed: ``%s`` dereferences a
garbage pointer and the service crashes (access violation, c0000005); numeric conversions print
garbage. Fixed builds pass the buffer as an argument, so it is written literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.sim.core.builds import build

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService
    from kb.sim.ims.protolog import ProtocolSession

NONE, MINIMUM, MEDIUM, MAXIMUM = 0, 1, 3, 5
# Q239816: the first build that writes composed notes literally.
IMS_WRITES_NOTES_LITERALLY = build("5.5.2651.58")

# Lines that are connection information (Minimum and up); everything else the IMS logs on a
# session is a command or a reply (Medium and up).
_CONNECTION_NOTES = ("A connection to ", "Connect to ", "No reply from ", "The connection was closed", "499 ")
# printf conversion specifications (MSVC runtime): flags, width, precision, size, type.
_CONVERSION = re.compile(r"%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|I64|I32|I|w)?([diouxXcCeEfgGaApnsSZ%])")
# Conversions that dereference the (missing) argument as a pointer: reading or writing through a
# garbage stack word is an access violation.
_POINTER_TYPES = frozenset("sSnZ")


class AccessViolation(Exception):
    """The printf-style writer dereferenced a garbage pointer (exception c0000005)."""

    def __init__(self, specification: str) -> None:
        super().__init__(f"access violation (c0000005) formatting {specification!r}")
        self.specification = specification


@dataclass(frozen=True)
class LoggedLine:
    """One line the IMS hands to the protocol log: its text, class and the subject it may carry."""

    text: str
    kind: str  # "connection", "command" or "data"

    @classmethod
    def classify(cls, text: str) -> "LoggedLine":
        """Return the line with its class, recognised from the text the IMS writes."""
        body = text.split(" : ", 1)[1] if " : " in text else text
        kind = "connection" if body.startswith(_CONNECTION_NOTES) else "command"
        return cls(text, kind)


def minimum_level(kind: str) -> int:
    """Return the lowest SMTP Protocol Log level at which a line of ``kind`` is written."""
    return {"connection": MINIMUM, "command": MEDIUM, "data": MAXIMUM}[kind]


def printf(buffer: str) -> str:
    """Return ``buffer`` as a printf-style writer prints it when it is passed as the format.

    No arguments follow the format: ``%%`` prints ``%``; a numeric conversion prints the garbage
    stack word it reads (modelled as 0); a string or ``%n`` conversion raises AccessViolation.
    """
    def convert(match: re.Match[str]) -> str:
        kind = match.group(1)
        if kind == "%":
            return "%"
        if kind in _POINTER_TYPES:
            raise AccessViolation(match.group(0))
        return "0"

    return _CONVERSION.sub(convert, buffer)


def strip_subject(note: str) -> str:
    """Return the 499 note without its ``Message subject: ""…"".`` part (Minimum and Medium)."""
    head, sep, tail = note.partition(" Message subject: ")
    if not sep:
        return note
    rest = tail.rsplit('"". ', 1)
    return f"{head} {rest[1]}" if len(rest) == 2 else head


def packet_lines(stamp: str, data: bytes, level: int) -> list[str]:
    """Return the LOG lines of message data: headers from Medium, the body too at Maximum."""
    if level < MEDIUM:
        return []
    head, _, body = data.decode("utf-8", "replace").partition("\r\n\r\n")
    lines = head.split("\r\n") + ([""] + body.split("\r\n") if level >= MAXIMUM and body else [])
    return [f"{stamp} : IO: >{line}" for line in lines]


def file_line(ims_build: object, level: int, line: str) -> str | None:
    """Return ``line`` as the LOG file gets it at ``level`` on ``ims_build``, or None when not written.

    Raise AccessViolation where the writer of that build crashes on the line (Q239816).
    """
    kind = LoggedLine.classify(line).kind
    if level < minimum_level(kind):
        return None
    stamp, sep, body = line.partition(" : ")
    if not sep:
        stamp, body = "", line
    if not body.startswith("499 "):
        return line
    if level < MAXIMUM:
        body = strip_subject(body)
    elif ims_build < IMS_WRITES_NOTES_LITERALLY:  # type: ignore[operator]
        body = printf(body)
    return f"{stamp}{sep}{body}" if sep else body


class LogFileWriter:
    """Writes each session's ``Imcdata\\LOG`` file at the configured level, line by line as it is logged."""

    def __init__(self, ims: "InternetMailService") -> None:
        self.ims = ims
        self._done: dict[str, tuple[int, int, list[str]]] = {}  # logfile -> (lines, packets, file lines)

    def write(self, session: "ProtocolSession") -> None:
        """Append what is new in ``session`` to its file; crash the service where the writer does (Q239816)."""
        level = self.ims.config.log_level("smtp_protocol_log")
        if level < MINIMUM or not self.ims.running:
            return
        lines_done, packets_done, out = self._done.get(session.logfile, (0, 0, []))
        try:
            while lines_done < len(session.lines) or packets_done < len(session.packets):
                if packets_done < len(session.packets) and session.packets[packets_done][0] <= lines_done:
                    _, stamp, data = session.packets[packets_done]
                    packets_done += 1
                    out += packet_lines(stamp, data, level)
                    continue
                line = file_line(self.ims.build, level, session.lines[lines_done])
                lines_done += 1
                if line is not None:
                    out.append(line)
        except AccessViolation:
            self._done[session.logfile] = (len(session.lines), len(session.packets), out)
            self._flush(session, out)
            self.ims.crash("c0000005", "wvsprintfA")
            return
        self._done[session.logfile] = (lines_done, packets_done, out)
        self._flush(session, out)

    def _flush(self, session: "ProtocolSession", out: list[str]) -> None:
        data = ("\r\n".join(out) + "\r\n").encode("utf-8") if out else b""
        self.ims.spool.write("LOG", session.logfile, data, self.ims.org.clock.now(), session.direction)
