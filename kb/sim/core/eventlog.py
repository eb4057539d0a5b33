"""The Windows NT application event log of the simulated server."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import yaml

from kb.resources import data_path
from kb.sim.core.clock import VirtualClock


@cache
def message_table() -> dict[str, dict[int, dict[str, str]]]:
    """Return the event message texts (``kb/sim/imcmsg.yaml``), keyed by source and event id."""
    with open(data_path("sim", "imcmsg.yaml"), encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {source: {int(k): v for k, v in events.items()} for source, events in raw.items()}


def hresult_data(hresult: int, spool_file: str | None = None) -> bytes:
    """Return an event data block: 8 bytes ending in the HRESULT little-endian, then the spool name.

    Layout from the examples in Q193639 (``74 00 05 00 0e 00 07 80`` = 0x8007000E) and Q272672
    (the spool file name follows for 4120/4131).
    """
    data = struct.pack("<HHI", 0x74, 0x05, hresult & 0xFFFFFFFF)
    return data + (spool_file.encode("ascii") if spool_file else b"")


@dataclass(frozen=True)
class EventEntry:
    """One event log record."""

    record: int
    time: datetime
    type: str
    source: str
    category: str
    event_id: int
    description: str
    data: bytes
    computer: str
    user: str = "N/A"

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (data as hex)."""
        return {
            "category": self.category,
            "computer": self.computer,
            "data": self.data.hex(" "),
            "description": self.description,
            "event_id": self.event_id,
            "record": self.record,
            "source": self.source,
            "time": self.time.isoformat(),
            "type": self.type,
            "user": self.user,
        }


class EventLog:
    """Append-only list of events; components log by (source, id) and the table gives the text."""

    def __init__(self, clock: VirtualClock, computer: str) -> None:
        self._clock = clock
        self._computer = computer
        self._entries: list[EventEntry] = []

    def log(self, source: str, event_id: int, data: bytes = b"", **fields: Any) -> EventEntry:
        """Write event ``event_id`` of ``source`` with its description filled from ``fields``."""
        spec = message_table().get(source, {}).get(event_id)
        if spec is None:
            raise KeyError(f"no message text for {source} event {event_id}")
        entry = EventEntry(
            record=len(self._entries) + 1,
            time=self._clock.now(),
            type=spec["type"],
            source=source,
            category=spec["category"],
            event_id=event_id,
            description=spec["description"].format(**fields),
            data=data,
            computer=self._computer,
        )
        self._entries.append(entry)
        return entry

    def entries(self, source: str | None = None, event_id: int | None = None) -> list[EventEntry]:
        """Return the entries, oldest first, optionally filtered by source and id."""
        return [
            e
            for e in self._entries
            if (source is None or e.source == source) and (event_id is None or e.event_id == event_id)
        ]

    def __len__(self) -> int:
        return len(self._entries)
