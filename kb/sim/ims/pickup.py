"""The IMS Pickup directory (``Imcdata\\Pickup``): RFC 822 files dropped by applications.

The 5.5 IMS takes the envelope of a pickup file from its X-Sender / X-Receiver headers, else
from Sender/From and To/Cc/Bcc; a file it cannot parse goes to ``Pickup\\Archive`` with
MSExchangeIMC 4164 (Q201314, Q250441). Files are written into the directory over virtual time
(``copy_in(..., seconds=)``): a copy in progress is a file that exists with size 0 until the copy
finishes, as on an NTFS volume where the copy creates the file before it writes the data
(Q250441 CAUSE: "the file does not have a size associated with it when it is first copied").
"""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import TYPE_CHECKING

from kb.exceptions import SimError
from kb.sim.core.builds import build
from kb.sim.core.eventlog import hresult_data
from kb.sim.core.mapi import MAPI_E_CALL_FAILED
from kb.sim.ims import SOURCE

if TYPE_CHECKING:
    from kb.sim.ims.context import Ims

# How often the IMS looks into the Pickup directory. No article gives the interval; 15 seconds
# (the spool-disk check interval of Q189587) is a modelled assumption.
SCAN_SECONDS = 15.0
# Q250441 (fix: Msexcimc.exe 5.5.2652.39, post-SP3 IMS fixes of May 19, 2000, Q246889; in SP4):
# earlier builds open every file present in the Pickup directory at a scan, including one whose
# copy has just created it with no size; the empty file has no originator or recipients, so it
# is moved to the archive with 4164 although it then grows to a good message. From this build
# the IMS leaves a file without a size (or still being written) for a later scan.
IMS_WAITS_FOR_PICKUP_FILES = build("5.5.2652.39")


@dataclass
class _Copy:
    """A copy into the Pickup directory that has not finished yet."""

    name: str
    data: bytes


class PickupDirectory:
    """The Pickup directory of one IMS and its periodic scan."""

    def __init__(self, ims: "Ims") -> None:
        self.ims = ims
        self._copying: dict[str, _Copy] = {}
        self._scan_pending = False
        self._epoch = ims.server.clock.now()  # scans fall every SCAN_SECONDS from here
        self.picked_up = 0

    def copy_in(self, name: str, data: bytes, seconds: float = 0.0) -> None:
        """Copy a file named ``name`` into Pickup; the copy takes ``seconds`` of virtual time.

        While the copy runs the file exists with size 0; its data appears when it finishes.
        """
        server = self.ims.server
        if not name or "\\" in name or "/" in name:
            raise SimError(f"pickup: {name!r} is not a file name (expected e.g. 'MSG0001.EML')")
        if seconds < 0:
            raise SimError(f"pickup: copy time {seconds!r} is negative (expected seconds >= 0)")
        if seconds == 0:
            self.ims.spool.write("PICKUP", name, bytes(data), server.clock.now(), "copied in")
        else:
            self.ims.spool.write("PICKUP", name, b"", server.clock.now(), "copy in progress")
            self._copying[name] = _Copy(name, bytes(data))

            def finish(n: str = name) -> None:
                """Finish the copy: the file gets its data (if the IMS has not taken it away)."""
                copy = self._copying.pop(n, None)
                if copy is not None and self.ims.spool.exists("PICKUP", n):
                    self.ims.spool.write("PICKUP", n, copy.data, server.clock.now(), "copied in")

            server.clock.schedule(seconds, f"pickup copy {name} done", finish)
        self._schedule_scan()

    def _schedule_scan(self) -> None:
        if self._scan_pending:
            return
        self._scan_pending = True

        def scan() -> None:
            self._scan_pending = False
            self.scan()

        elapsed = (self.ims.server.clock.now() - self._epoch).total_seconds()
        delay = SCAN_SECONDS - (elapsed % SCAN_SECONDS)
        self.ims.server.clock.schedule(delay, "ims: Pickup scan", scan)

    def scan(self) -> None:
        """Take every file of the Pickup directory the build considers ready."""
        ims = self.ims
        if not ims.running:
            return  # a stopped service scans again when its clock task comes back after start
        waiting = False
        for spool_file in ims.spool.list("PICKUP"):
            in_progress = spool_file.name in self._copying or not spool_file.data
            if in_progress and ims.build >= IMS_WAITS_FOR_PICKUP_FILES:
                waiting = True
                continue
            self._take(spool_file.name)
        if waiting:
            self._schedule_scan()

    def _take(self, name: str) -> None:
        """Parse one pickup file into an envelope and hand it to the inbound path."""
        ims, server = self.ims, self.ims.server
        now = server.clock.now()
        data = ims.spool.read("PICKUP", name).data
        mail_from, rcpt_to = envelope(data)
        if not rcpt_to:
            # "... could not be parsed to get the originator and recipients due to the error
            # 0x80004005. It either contains no recipients, or it is not a valid 822 message."
            server.eventlog.log(SOURCE, 4164, data=hresult_data(MAPI_E_CALL_FAILED, name), file=name)
            ims.spool.move("PICKUP", name, "PICKUP\\ARCHIVE", now, "event 4164")
            self._copying.pop(name, None)
            return
        ims.spool.delete("PICKUP", name)
        self._copying.pop(name, None)
        self.picked_up += 1
        spool_name = ims.spool.new_name()
        ims.spool.write("IN", spool_name, data, now, f"pickup {name}")
        inbound = ims.inbound
        inbound.messages_in += 1
        inbound.bytes_in += len(data)
        inbound.envelopes[spool_name] = (mail_from, list(rcpt_to))
        server.clock.schedule(0, f"inbound {spool_name}", lambda: inbound.process(spool_name, mail_from, list(rcpt_to)))


def envelope(data: bytes) -> tuple[str, list[str]]:
    """Return (originator, recipients) of a pickup file (X-Sender/X-Receiver first, Q201314)."""
    if not data.strip():
        return "", []
    headers = BytesHeaderParser(policy=compat32).parsebytes(data)
    receivers = [a for _, a in getaddresses(headers.get_all("X-Receiver", [])) if a]
    if not receivers:
        fields = headers.get_all("To", []) + headers.get_all("Cc", []) + headers.get_all("Bcc", [])
        receivers = [a for _, a in getaddresses(fields) if "@" in a]
    senders = [a for _, a in getaddresses(headers.get_all("X-Sender", []) or headers.get_all("Sender", [])
                                           or headers.get_all("From", [])) if a]
    return (senders[0] if senders else ""), receivers
