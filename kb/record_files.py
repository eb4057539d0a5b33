"""The record cache's files (kb/record_cache.py): packs and logs, their checksummed binary
formats, reading them, and merging them into one pack.

- A pack (``pack-*.kbp``): magic, entries, an index (marshal: keys sorted, entries, names) and a
  footer (index offset, length, CRC-32, end magic); written whole to a temporary file, renamed.
- A log (``log-<pid>-*.kbl``): magic, then frames (key, payload length, CRC-32, name length,
  stamp, name, payload) appended by one process that holds a shared ``flock`` on it; a torn
  last frame is ignored.
"""

from __future__ import annotations

import bisect
import marshal
import os
import struct
import time
import zlib
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a compaction then merges only logs it can delete
    fcntl = None  # type: ignore[assignment]

PACK_MAGIC = b"KBRCPK1\0"
PACK_END = b"KBRCEND\0"
LOG_MAGIC = b"KBRCLG1\0"
FOOTER = struct.Struct("<QQI8s")  # index offset, index length, index CRC, end magic
FRAME = struct.Struct("<16sIIHq")  # key, payload length, CRC, name length, stamp (ns)
ENTRY = struct.Struct("<QIIq")  # offset, length, CRC, stamp
KEY = 16
_SCAN_BLOCK = 1 << 20
#: Lookups after which a pack's sorted index is turned into a dict (a one-off ~40 ms at 57,000).
_DICT_AFTER = 256



class Pack:
    """One compacted pack: its key index (sorted) and where each entry is."""

    def __init__(self, fd: int, keys: bytes, entries: bytes, names: list[str]) -> None:
        self.fd = fd
        self.keys = keys
        self.entries = entries
        self.names = names
        self.count = len(keys) // KEY
        self.lookups = 0
        self.table: dict[bytes, int] | None = None

    def find(self, key: bytes) -> tuple[int, int, int, int] | None:
        """Return (offset, length, crc, stamp) of ``key``, or None."""
        if self.table is None:
            self.lookups += 1
            if self.lookups > _DICT_AFTER:
                keys = self.keys
                self.table = {keys[i * KEY:(i + 1) * KEY]: i for i in range(self.count)}
        if self.table is not None:
            index = self.table.get(key)
            if index is None:
                return None
        else:
            index = bisect.bisect_left(_KeyView(self.keys), key)
            if index >= self.count or self.keys[index * KEY:(index + 1) * KEY] != key:
                return None
        return ENTRY.unpack_from(self.entries, index * ENTRY.size)


class _KeyView:
    """The fixed-width keys of a pack as a sequence, for bisect."""

    def __init__(self, keys: bytes) -> None:
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys) // KEY

    def __getitem__(self, index: int) -> bytes:
        return self.keys[index * KEY:(index + 1) * KEY]


def read_pack(path: Path) -> Pack | None:
    """Open a pack and read its index; None when it is not a whole, undamaged pack."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        if size < len(PACK_MAGIC) + FOOTER.size or os.pread(fd, len(PACK_MAGIC), 0) != PACK_MAGIC:
            raise ValueError("not a pack")
        offset, length, crc, end = FOOTER.unpack(os.pread(fd, FOOTER.size, size - FOOTER.size))
        if end != PACK_END or offset + length + FOOTER.size != size:
            raise ValueError("no footer")
        blob = os.pread(fd, length, offset)
        if zlib.crc32(blob) != crc:
            raise ValueError("index checksum")
        keys, entries, names = marshal.loads(blob)
        if len(keys) % KEY or len(entries) != len(keys) // KEY * ENTRY.size or len(names) != len(keys) // KEY:
            raise ValueError("index shape")
        return Pack(fd, keys, entries, names)
    except (OSError, ValueError, EOFError, TypeError, struct.error):
        os.close(fd)
        return None


def scan_log(path: Path) -> tuple[int, list[tuple[bytes, str, int, int, int, int]]] | None:
    """Open a log and list its whole frames: (key, name, offset, length, crc, stamp).

    Read in blocks with ``pread``, not mapped: a file cut short under a mapping would kill the
    process (SIGBUS) instead of ending the scan.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    frames: list[tuple[bytes, str, int, int, int, int]] = []
    try:
        size = os.fstat(fd).st_size
        if size < len(LOG_MAGIC) or os.pread(fd, len(LOG_MAGIC), 0) != LOG_MAGIC:
            os.close(fd)
            return None
        block, block_at = b"", 0

        def read(offset: int, count: int) -> bytes:
            """Return ``count`` bytes of the log at ``offset`` (fewer at its end)."""
            nonlocal block, block_at
            if offset < block_at or offset + count > block_at + len(block):
                block, block_at = os.pread(fd, max(count, _SCAN_BLOCK), offset), offset
            return block[offset - block_at:offset - block_at + count]

        at = len(LOG_MAGIC)
        while at + FRAME.size <= size:
            key, length, crc, name_length, stamp = FRAME.unpack(read(at, FRAME.size))
            start = at + FRAME.size
            end = start + name_length + length
            if end > size:
                break  # a torn last frame: a writer died mid-write, or is writing it now
            name = read(start, name_length).decode("utf-8", "replace")
            frames.append((key, name, start + name_length, length, crc, stamp))
            at = end
    except (OSError, ValueError, struct.error):
        pass
    return fd, frames


def flock(fd: int, how: str) -> bool:
    """Lock or unlock a file (``shared``, ``try exclusive``, ``unlock``); False when it is held elsewhere."""
    if fcntl is None:
        return True
    operation = {"shared": fcntl.LOCK_SH, "try exclusive": fcntl.LOCK_EX | fcntl.LOCK_NB,
                 "unlock": fcntl.LOCK_UN}[how]
    try:
        fcntl.flock(fd, operation)
    except OSError:
        return False
    return True



def compact_folder(folder: Path, present: set[str], counts: dict[str, int]) -> bool:
    """Merge the packs and idle logs of ``folder`` into one pack of the newest entry of each file
    in ``present``; count into ``counts`` (kept, dropped, merged). Return whether a pack was written.

    The caller holds the folder's compaction lock.
    """
    try:
        listing = sorted(os.listdir(folder))
    except OSError:
        return False
    if _one_clean_pack(folder, listing, present, counts):
        return False
    inputs: list[Path] = []
    newest: dict[str, tuple[int, bytes, int, int, int, int]] = {}  # name -> stamp, key, fd, offset, length, crc
    fds: list[int] = []
    try:
        for entry in listing:
            path = folder / entry
            if entry.startswith("pack-") and entry.endswith(".kbp"):
                pack = read_pack(path)
                inputs.append(path)
                if pack is None:
                    continue  # damaged: dropped and rebuilt as records load again
                fds.append(pack.fd)
                for n in range(pack.count):
                    offset, length, crc, stamp = ENTRY.unpack_from(pack.entries, n * ENTRY.size)
                    _keep(newest, pack.names[n], (stamp, pack.keys[n * KEY:(n + 1) * KEY], pack.fd, offset,
                                                  length, crc))
            elif entry.startswith("log-") and entry.endswith(".kbl"):
                scanned = scan_log(path)
                if scanned is None:
                    if _idle(path):  # damaged, not a log whose writer is about to write its header
                        inputs.append(path)
                    continue
                fd, frames = scanned
                fds.append(fd)
                if not flock(fd, "try exclusive"):
                    continue  # its writer is still running: merged next time
                inputs.append(path)
                for key, name, offset, length, crc, stamp in frames:
                    _keep(newest, name, (stamp, key, fd, offset, length, crc))
        kept = sorted((item[1], name, item) for name, item in newest.items() if name in present)
        counts["dropped"] = len(newest) - len(kept)
        counts["merged"] = len(inputs)
        if len(inputs) <= 1 and not counts["dropped"] and all(p.name.startswith("pack-") for p in inputs):
            counts["kept"] = len(kept)
            return False  # already one clean pack
        write_pack(folder, kept)
        counts["kept"] = len(kept)
        for path in inputs:
            try:
                path.unlink()
            except OSError:
                pass
    except OSError:
        return False
    finally:
        for fd in fds:
            os.close(fd)
    return True


def _one_clean_pack(folder: Path, listing: list[str], present: set[str], counts: dict[str, int]) -> bool:
    """Tell whether the cache is already one pack, without logs, holding only articles still there."""
    packs = [name for name in listing if name.startswith("pack-") and name.endswith(".kbp")]
    if len(packs) != 1 or any(name.startswith("log-") and name.endswith(".kbl") for name in listing):
        return False
    pack = read_pack(folder / packs[0])
    if pack is None:
        return False
    os.close(pack.fd)
    if len(set(pack.names)) != pack.count or not present.issuperset(pack.names):
        return False
    counts["kept"] = pack.count
    return True


def _idle(path: Path) -> bool:
    """Tell whether no process holds the lock of a log (its writer is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        return flock(fd, "try exclusive")
    finally:
        os.close(fd)


def _keep(newest: dict[str, tuple[int, bytes, int, int, int, int]], name: str,
          item: tuple[int, bytes, int, int, int, int]) -> None:
    """Keep ``item`` as ``name``'s entry when it is newer than the one kept."""
    known = newest.get(name)
    if known is None or known[0] <= item[0]:
        newest[name] = item


def write_pack(folder: Path, kept: list[tuple[bytes, str, tuple[int, bytes, int, int, int, int]]]) -> None:
    """Write the entries ``kept`` (sorted by key) as one new pack, atomically; skip damaged entries.

    Streamed to a temporary file then renamed: a reader sees the whole pack or none of it, and
    memory holds one entry at a time, not the pack (224 MB at 57,000 records).
    """
    target = folder / f"pack-{time.time_ns():020d}-{os.urandom(4).hex()}.kbp"
    temporary = folder / f".{target.name}.tmp"
    keys: list[bytes] = []
    entries: list[bytes] = []
    names: list[str] = []
    try:
        with open(temporary, "xb") as out:
            out.write(PACK_MAGIC)
            at = len(PACK_MAGIC)
            for key, name, (stamp, _, fd, offset, length, crc) in kept:
                payload = os.pread(fd, length, offset)
                if len(payload) != length or zlib.crc32(payload) != crc:
                    continue
                out.write(payload)
                keys.append(key)
                entries.append(ENTRY.pack(at, length, crc, stamp))
                names.append(name)
                at += length
            index = marshal.dumps((b"".join(keys), b"".join(entries), names))
            out.write(index)
            out.write(FOOTER.pack(at, len(index), zlib.crc32(index), PACK_END))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
