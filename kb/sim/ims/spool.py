"""The IMS spool, ``Exchsrvr\\Imcdata``, as an in-memory filesystem view.

Directories IN, OUT, IN\\ARCHIVE, OUT\\ARCHIVE, BAD, LOG, PICKUP, PICKUP\\ARCHIVE (Q197792,
Q300931, Q201314); spool files have 8-character names such as HBWK2Q2P (Q232279).
"""

from __future__ import annotations

import builtins
import random
import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kb.exceptions import SimError

DIRECTORIES = ("IN", "OUT", "IN\\ARCHIVE", "OUT\\ARCHIVE", "BAD", "LOG", "PICKUP", "PICKUP\\ARCHIVE")
_ALPHABET = string.ascii_uppercase + string.digits


@dataclass
class SpoolFile:
    """One spool file."""

    name: str
    data: bytes
    time: datetime
    note: str = ""  # why it is where it is (e.g. "event 4120")

    def to_json(self, with_data: bool = False) -> dict[str, Any]:
        """Return a JSON-ready description."""
        out: dict[str, Any] = {"name": self.name, "note": self.note, "size": len(self.data), "time": self.time.isoformat()}
        if with_data:
            out["data"] = self.data.decode("utf-8", "replace")
        return out


class GrowingFile(SpoolFile):
    """A spool file written line by line (the protocol ``LOG`` files): its bytes are joined when read.

    Appending a line costs the line, not the file: the writer never rewrites what is written.
    """

    def __init__(self, name: str, time: datetime, note: str = "") -> None:
        self.name, self.time, self.note = name, time, note
        self.lines: list[str] = []
        self._joined: tuple[int, bytes] = (0, b"")

    @property  # type: ignore[override]
    def data(self) -> bytes:
        """Return the file's bytes (each line ends in CRLF)."""
        if self._joined[0] != len(self.lines):
            text = "\r\n".join(self.lines) + "\r\n" if self.lines else ""
            self._joined = (len(self.lines), text.encode("utf-8"))
        return self._joined[1]

    @data.setter
    def data(self, value: bytes) -> None:
        self.lines = value.decode("utf-8").split("\r\n")[:-1] if value else []


def normalise_dir(name: str) -> str:
    """Return the canonical spelling of a spool directory ("in/archive" -> "IN\\ARCHIVE")."""
    key = name.replace("/", "\\").strip("\\").upper()
    if key.startswith("IMCDATA\\"):
        key = key[len("IMCDATA\\"):]
    if key not in DIRECTORIES:
        raise SimError(f"spool: no directory {name!r} (expected one of {', '.join(DIRECTORIES)})")
    return key


class Spool:
    """Spool directories with deterministic 8-character file names (seeded)."""

    def __init__(self, seed: int = 0) -> None:
        self._dirs: dict[str, dict[str, SpoolFile]] = {d: {} for d in DIRECTORIES}
        self._random = random.Random(seed)
        self._used: set[str] = set()

    def new_name(self) -> str:
        """Return a fresh 8-character spool file name."""
        while True:
            name = "".join(self._random.choice(_ALPHABET) for _ in range(8))
            if name not in self._used:
                self._used.add(name)
                return name

    def write(self, directory: str, name: str, data: bytes, time: datetime, note: str = "") -> SpoolFile:
        """Create or replace ``directory\\name``."""
        spool_file = SpoolFile(name, data, time, note)
        self._dirs[normalise_dir(directory)][name] = spool_file
        return spool_file

    def put(self, directory: str, spool_file: SpoolFile) -> SpoolFile:
        """Place ``spool_file`` (e.g. a GrowingFile) in ``directory`` under its name."""
        self._dirs[normalise_dir(directory)][spool_file.name] = spool_file
        return spool_file

    def copy(self, source: str, name: str, target: str, time: datetime, note: str = "") -> SpoolFile:
        """Copy ``source\\name`` into ``target`` (archiving keeps the original in place)."""
        original = self.read(source, name)
        return self.write(target, name, original.data, time, note)

    def move(self, source: str, name: str, target: str, time: datetime, note: str = "") -> SpoolFile:
        """Move ``source\\name`` into ``target``."""
        moved = self._dirs[normalise_dir(source)].pop(name, None)
        if moved is None:
            raise SimError(f"spool: no file {name!r} in {source!r}")
        return self.write(target, name, moved.data, time, note)

    def delete(self, directory: str, name: str) -> None:
        """Remove ``directory\\name`` if present."""
        self._dirs[normalise_dir(directory)].pop(name, None)

    def read(self, directory: str, name: str) -> SpoolFile:
        """Return ``directory\\name``."""
        found = self._dirs[normalise_dir(directory)].get(name)
        if found is None:
            raise SimError(f"spool: no file {name!r} in {directory!r}")
        return found

    def exists(self, directory: str, name: str) -> bool:
        """Return True when ``directory\\name`` exists."""
        return name in self._dirs[normalise_dir(directory)]

    def list(self, directory: str) -> list[SpoolFile]:
        """Return the files of ``directory``, oldest first then by name."""
        return sorted(self._dirs[normalise_dir(directory)].values(), key=lambda f: (f.time, f.name))

    def to_json(self) -> dict[str, builtins.list[dict[str, Any]]]:
        """Return every directory's listing."""
        # ``builtins.list``: inside the class body, ``list`` names the method above.
        return {d: [f.to_json() for f in self.list(d)] for d in DIRECTORIES}
