"""The compiled record cache: parsed article records, kept by content hash under ``<kb root>/.kb/cache``.

Parsing a record's YAML costs about 0.4 ms (CSafeLoader) and its publish check 0.13 ms; reading
the same record back from here costs about 0.04 ms (read the file, hash it, unmarshal the
stored dict), and a record that passed the check once is not checked again. Every loader of
``kb.store`` goes through ``cached``, so ``kb index``, ``kb site build``, ``kb search``,
``kb check`` and ``kb validate`` share one cache, for YAML records and for the records
derived from Markdown articles alike.

Never stale: the key is a BLAKE2b digest of the file's name and bytes, and the file is always
read and hashed (0.02 ms). No stat signature (size, mtime, inode) is trusted, so a record
edited in place with its size and mtime kept is still seen. What the loader code is lives in
the folder name: ``records/<code version>/``, a digest of the loader's modules and data
(store, Markdown derivation, schemas, catalogue), pyyaml's and Python's versions.

Files in that folder, all checksummed (CRC-32), so a damaged file is a miss, never a traceback:

- ``pack-*.kbp``: entries, an index sorted by key and a footer; written whole, atomically
  (a temporary file, then a rename) by ``compact``;
- ``log-<pid>-*.kbl``: what one process parsed since, one frame per entry, appended as it goes
  (a torn last frame is ignored). The writer holds a shared ``flock`` on its log, so a
  compaction never merges (and deletes) a log that is still being written.

``compact`` merges the logs into one pack, keeping only the newest entry of each file still in
``articles/``; ``kb index`` runs it at the end, and any process opening a cache with more than
``MAX_LOGS`` logs runs it first.

Public API: ``cached`` (load one file through the cache), ``open_for`` (open a folder's cache
before forking workers, so they share its index), ``worker_start`` (a Pool initializer for
processes that load many records), ``compact``, ``cache_folder`` (the one locator of
``.kb/cache``) and ``clear``.
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
import os
import shutil
import struct
import sys
import time
import zlib
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a compaction then merges only logs it can delete
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")
U = TypeVar("U")

#: The folder under a kb root holding every cache of kb (records, Markdown-derived records).
CACHE_FOLDER = Path(".kb") / "cache"
#: Logs (one per process that parsed something) beyond which opening a cache compacts it first.
MAX_LOGS = 32
_PACK_MAGIC = b"KBRCPK1\0"
_PACK_END = b"KBRCEND\0"
_LOG_MAGIC = b"KBRCLG1\0"
_FOOTER = struct.Struct("<QQI8s")  # index offset, index length, index CRC, end magic
_FRAME = struct.Struct("<16sIIHq")  # key, payload length, CRC, name length, stamp (ns)
_ENTRY = struct.Struct("<QIIq")  # offset, length, CRC, stamp
_KEY = 16
_SCAN_BLOCK = 1 << 20
#: Lookups after which a pack's sorted index is turned into a dict (a one-off ~40 ms at 57,000).
_DICT_AFTER = 256


def cache_folder(root: Path) -> Path:
    """Return the cache folder of the knowledge base at ``root`` (``root/.kb/cache``)."""
    return Path(root) / CACHE_FOLDER


def root_of(path: str | os.PathLike[str]) -> Path | None:
    """Return the kb root of an article file in a kb's ``articles/`` folder (None elsewhere)."""
    parent = os.path.dirname(os.path.abspath(path))
    return Path(os.path.dirname(parent)) if os.path.basename(parent) == "articles" else None


@cache
def code_version() -> str:
    """Return a digest of the code and data a cached record depends on."""
    from kb.resources import data_path, schema_dir

    import yaml

    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{sys.version_info[:2]} {getattr(yaml, '__version__', '')} "
                  f"{getattr(yaml, '__with_libyaml__', False)}".encode())
    files = [data_path(name) for name in ("record_cache.py", "store.py", "publish.py", "ids.py", "schema.py",
                                          "located.py", "markdown_source.py", "model.py")]
    files += [data_path("releases", "catalogue.yaml"), data_path("text", "parts.py")]
    files += sorted(schema_dir().glob("*.json")) + sorted(data_path("status").glob("*.py"))
    # The Markdown parser splits a .md article's body into blocks: its version (in its
    # __init__.py) is part of the derived record. Read, not imported: an import costs 50 ms.
    from importlib.util import find_spec

    spec = find_spec("markdown_it")
    if spec is not None and spec.origin:
        files.append(Path(spec.origin))
    for file in files:
        if file.is_file():
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def key_of(name: str, data: bytes) -> bytes:
    """Return the cache key of a file: a digest of its name and its bytes."""
    digest = hashlib.blake2b(name.encode("utf-8", "replace") + b"\0", digest_size=_KEY)
    digest.update(data)
    return digest.digest()


class _Pack:
    """One compacted pack: its key index (sorted) and where each entry is."""

    def __init__(self, fd: int, keys: bytes, entries: bytes, names: list[str]) -> None:
        self.fd = fd
        self.keys = keys
        self.entries = entries
        self.names = names
        self.count = len(keys) // _KEY
        self.lookups = 0
        self.table: dict[bytes, int] | None = None

    def find(self, key: bytes) -> tuple[int, int, int, int] | None:
        """Return (offset, length, crc, stamp) of ``key``, or None."""
        if self.table is None:
            self.lookups += 1
            if self.lookups > _DICT_AFTER:
                keys = self.keys
                self.table = {keys[i * _KEY:(i + 1) * _KEY]: i for i in range(self.count)}
        if self.table is not None:
            index = self.table.get(key)
            if index is None:
                return None
        else:
            index = bisect.bisect_left(_KeyView(self.keys), key)
            if index >= self.count or self.keys[index * _KEY:(index + 1) * _KEY] != key:
                return None
        return _ENTRY.unpack_from(self.entries, index * _ENTRY.size)


class _KeyView:
    """The fixed-width keys of a pack as a sequence, for bisect."""

    def __init__(self, keys: bytes) -> None:
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys) // _KEY

    def __getitem__(self, index: int) -> bytes:
        return self.keys[index * _KEY:(index + 1) * _KEY]


def _read_pack(path: Path) -> _Pack | None:
    """Open a pack and read its index; None when it is not a whole, undamaged pack."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        if size < len(_PACK_MAGIC) + _FOOTER.size or os.pread(fd, len(_PACK_MAGIC), 0) != _PACK_MAGIC:
            raise ValueError("not a pack")
        offset, length, crc, end = _FOOTER.unpack(os.pread(fd, _FOOTER.size, size - _FOOTER.size))
        if end != _PACK_END or offset + length + _FOOTER.size != size:
            raise ValueError("no footer")
        blob = os.pread(fd, length, offset)
        if zlib.crc32(blob) != crc:
            raise ValueError("index checksum")
        keys, entries, names = marshal.loads(blob)
        if len(keys) % _KEY or len(entries) != len(keys) // _KEY * _ENTRY.size or len(names) != len(keys) // _KEY:
            raise ValueError("index shape")
        return _Pack(fd, keys, entries, names)
    except (OSError, ValueError, EOFError, TypeError, struct.error):
        os.close(fd)
        return None


def _scan_log(path: Path) -> tuple[int, list[tuple[bytes, str, int, int, int, int]]] | None:
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
        if size < len(_LOG_MAGIC) or os.pread(fd, len(_LOG_MAGIC), 0) != _LOG_MAGIC:
            os.close(fd)
            return None
        block, block_at = b"", 0

        def read(offset: int, count: int) -> bytes:
            """Return ``count`` bytes of the log at ``offset`` (fewer at its end)."""
            nonlocal block, block_at
            if offset < block_at or offset + count > block_at + len(block):
                block, block_at = os.pread(fd, max(count, _SCAN_BLOCK), offset), offset
            return block[offset - block_at:offset - block_at + count]

        at = len(_LOG_MAGIC)
        while at + _FRAME.size <= size:
            key, length, crc, name_length, stamp = _FRAME.unpack(read(at, _FRAME.size))
            start = at + _FRAME.size
            end = start + name_length + length
            if end > size:
                break  # a torn last frame: a writer died mid-write, or is writing it now
            name = read(start, name_length).decode("utf-8", "replace")
            frames.append((key, name, start + name_length, length, crc, stamp))
            at = end
    except (OSError, ValueError, struct.error):
        pass
    return fd, frames


class RecordCache:
    """The record cache of one knowledge base (one code version): a snapshot of its index, plus a log."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.packs: list[_Pack] = []
        self.logged: dict[bytes, tuple[int, int, int, int, int]] = {}  # key -> fd, offset, length, crc, stamp
        self.log_count = 0
        self._log_fd: int | None = None
        self._log_pid = 0
        self._log_at = 0
        self.writable = True
        self._fds: list[int] = []
        self._load()

    def _load(self) -> None:
        """Read the index of every pack and log in the folder."""
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return
        for name in names:
            if name.startswith("pack-") and name.endswith(".kbp"):
                pack = _read_pack(self.folder / name)
                if pack is not None:
                    self.packs.append(pack)
                    self._fds.append(pack.fd)
            elif name.startswith("log-") and name.endswith(".kbl"):
                scanned = _scan_log(self.folder / name)
                if scanned is None:
                    continue
                fd, frames = scanned
                self._fds.append(fd)
                self.log_count += 1
                for key, _, offset, length, crc, stamp in frames:
                    known = self.logged.get(key)
                    if known is None or known[4] <= stamp:
                        self.logged[key] = (fd, offset, length, crc, stamp)

    def close(self) -> None:
        """Close every file this cache holds open."""
        self.close_log()
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []
        self.packs = []
        self.logged = {}

    def get(self, key: bytes) -> Any | None:
        """Return the value stored under ``key``, or None (absent or damaged)."""
        found = self._where(key)
        if found is None:
            return None
        fd, offset, length, crc = found
        try:
            payload = os.pread(fd, length, offset)
            if len(payload) != length or zlib.crc32(payload) != crc:
                return None
            return marshal.loads(payload)
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def _where(self, key: bytes) -> tuple[int, int, int, int] | None:
        """Return (file, offset, length, crc) of ``key``'s newest entry, or None."""
        logged = self.logged.get(key)
        if logged is not None:
            return logged[:4]
        for pack in self.packs:
            entry = pack.find(key)
            if entry is not None:
                return pack.fd, entry[0], entry[1], entry[2]
        return None

    def has(self, key: bytes) -> bool:
        """Tell whether an entry is stored under ``key`` (without reading it)."""
        return self._where(key) is not None

    def put(self, key: bytes, name: str, value: Any) -> None:
        """Append ``value`` (plain data: dicts, lists, text, numbers) to this process's log."""
        if not self.writable:
            return
        try:
            payload = marshal.dumps(value)
        except ValueError:
            return  # a value marshal cannot hold (a YAML timestamp): such a record is just not cached
        fd = self._log()
        if fd is None:
            return
        name_bytes = name.encode("utf-8", "replace")[:1024]
        crc = zlib.crc32(payload)
        stamp = time.time_ns()
        frame = _FRAME.pack(key, len(payload), crc, len(name_bytes), stamp) + name_bytes + payload
        try:
            written = os.write(fd, frame)
        except OSError:
            written = -1
        if written != len(frame):
            self.close_log()  # a short write (disk full): the torn frame ends the log for readers
            self.writable = False
            return
        self.logged[key] = (fd, self._log_at + _FRAME.size + len(name_bytes), len(payload), crc, stamp)
        self._log_at += len(frame)

    def _log(self) -> int | None:
        """Return this process's log, opening (and locking) a new one after a fork."""
        if self._log_fd is not None and self._log_pid == os.getpid():
            return self._log_fd
        self._log_fd = None  # a log inherited through fork belongs to the parent
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"log-{os.getpid()}-{os.urandom(4).hex()}.kbl"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o644)
            _flock(fd, "shared")
            os.write(fd, _LOG_MAGIC)
        except OSError:
            self.writable = False  # a read-only knowledge base: loading works, only slower
            return None
        self._log_fd, self._log_pid, self._log_at = fd, os.getpid(), len(_LOG_MAGIC)
        self._fds.append(fd)
        return fd

    def close_log(self) -> None:
        """Stop writing this process's log (releasing its lock, so it can be merged)."""
        if self._log_fd is not None and self._log_pid == os.getpid():
            _flock(self._log_fd, "unlock")
        self._log_fd = None


def _flock(fd: int, how: str) -> bool:
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


_OPEN: dict[str, RecordCache] = {}  # kb root -> its open cache
#: Caches kept open per process (a test session opens one per temporary knowledge base).
_KEEP_OPEN = 4


def _records_folder(root: Path) -> Path:
    """Return where the record cache of the current code version lives."""
    return cache_folder(root) / "records" / code_version()


def open_for(root: Path) -> RecordCache:
    """Return this process's cache of the knowledge base at ``root`` (opened on first use)."""
    found = _OPEN.get(str(root))
    if found is not None:
        return found
    folder = _records_folder(root)
    while len(_OPEN) >= _KEEP_OPEN:
        _OPEN.pop(next(iter(_OPEN))).close()
    opened = RecordCache(folder)
    if opened.log_count > MAX_LOGS:
        opened.close()
        compact(root)
        opened = RecordCache(folder)
    _OPEN[str(root)] = opened
    return opened


def forget(root: Path) -> None:
    """Close this process's cache of ``root`` (the next use reads the folder again)."""
    opened = _OPEN.pop(str(root), None)
    if opened is not None:
        opened.close()


def worker_start() -> None:
    """Set up a forked worker process that loads records (a ``Pool`` initializer).

    Parsing makes hundreds of short-lived objects per record and no reference cycles, so the
    cyclic collector mostly rescans what the worker inherited: freezing that and collecting
    less often saves 10-15% of a cold load (and the copy-on-write of the parent's pages).
    """
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def in_workers(function: Callable[[str], U], items: list[str], workers: int, chunksize: int,
               *, ordered: bool = True) -> Iterator[U]:
    """Yield ``function`` of each item, run in ``workers`` forked record-loading processes.

    The pool is closed when the results are all taken and terminated when the caller stops
    early or fails, so no worker outlives the loop.
    """
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(workers, initializer=worker_start)
    try:
        run = pool.imap if ordered else pool.imap_unordered
        yield from run(function, items, chunksize=chunksize)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def cached(path: str | os.PathLike[str], data: bytes, parse: Callable[[], T],
           check: Callable[[T], None] | None = None) -> T:
    """Return ``parse()`` of the article file ``path`` whose bytes are ``data``, from the cache when known.

    ``check`` (a validity check that raises) runs once per content: a value that passed is
    stored as checked and not checked again. The value returned is the caller's own (a fresh
    copy on a hit, stored before it is returned on a miss). Files outside a kb's
    ``articles/`` folder are not cached.
    """
    root = root_of(path)
    if root is None:
        value = parse()
        if check is not None:
            check(value)
        return value
    store = open_for(root)
    name = os.path.basename(path)
    key = key_of(name, data)
    hit = store.get(key)
    if isinstance(hit, tuple) and len(hit) == 2:
        value, checked = hit
        if check is None or checked:
            return value  # type: ignore[no-any-return]
        check(value)
        store.put(key, name, (value, True))
        return value  # type: ignore[no-any-return]
    value = parse()
    passed = False
    try:
        if check is not None:
            check(value)
            passed = True
    finally:
        store.put(key, name, (value, passed))
    return value


def compact(root: Path) -> dict[str, int]:
    """Merge the logs and packs of ``root``'s cache into one pack: the newest entry of each article still there.

    Logs still being written (their writer holds a lock) are left alone, as are other
    processes' fresh entries. Older code versions' caches and the old Markdown cache are
    removed. Returns counts: entries kept, dropped, files merged.
    """
    forget(root)
    folder = _records_folder(root)
    counts = {"kept": 0, "dropped": 0, "merged": 0}
    if not folder.is_dir():
        return counts
    try:
        lock = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError:
        return counts
    try:
        if not _flock(lock, "try exclusive"):
            return counts  # another process is compacting
        return _compact_locked(root, folder, counts)
    finally:
        os.close(lock)


def _compact_locked(root: Path, folder: Path, counts: dict[str, int]) -> dict[str, int]:
    """Do the compaction ``compact`` describes, holding the lock."""
    try:
        present = {entry.name for entry in os.scandir(root / "articles")}
    except OSError:
        present = set()
    try:
        listing = sorted(os.listdir(folder))
    except OSError:
        return counts
    if _one_clean_pack(folder, listing, present, counts):
        return counts
    inputs: list[Path] = []
    newest: dict[str, tuple[int, bytes, int, int, int, int]] = {}  # name -> stamp, key, fd, offset, length, crc
    fds: list[int] = []
    try:
        for entry in listing:
            path = folder / entry
            if entry.startswith("pack-") and entry.endswith(".kbp"):
                pack = _read_pack(path)
                inputs.append(path)
                if pack is None:
                    continue  # damaged: dropped and rebuilt as records load again
                fds.append(pack.fd)
                for n in range(pack.count):
                    offset, length, crc, stamp = _ENTRY.unpack_from(pack.entries, n * _ENTRY.size)
                    _keep(newest, pack.names[n], (stamp, pack.keys[n * _KEY:(n + 1) * _KEY], pack.fd, offset,
                                                  length, crc))
            elif entry.startswith("log-") and entry.endswith(".kbl"):
                scanned = _scan_log(path)
                if scanned is None:
                    if _idle(path):  # damaged, not a log whose writer is about to write its header
                        inputs.append(path)
                    continue
                fd, frames = scanned
                fds.append(fd)
                if not _flock(fd, "try exclusive"):
                    continue  # its writer is still running: merged next time
                inputs.append(path)
                for key, name, offset, length, crc, stamp in frames:
                    _keep(newest, name, (stamp, key, fd, offset, length, crc))
        kept = sorted((item[1], name, item) for name, item in newest.items() if name in present)
        counts["dropped"] = len(newest) - len(kept)
        counts["merged"] = len(inputs)
        if len(inputs) <= 1 and not counts["dropped"] and all(p.name.startswith("pack-") for p in inputs):
            counts["kept"] = len(kept)
            return counts  # already one clean pack
        _write_pack(folder, kept)
        counts["kept"] = len(kept)
        for path in inputs:
            try:
                path.unlink()
            except OSError:
                pass
    except OSError:
        return counts
    finally:
        for fd in fds:
            os.close(fd)
    _drop_other_versions(root)
    return counts


def _one_clean_pack(folder: Path, listing: list[str], present: set[str], counts: dict[str, int]) -> bool:
    """Tell whether the cache is already one pack, without logs, holding only articles still there."""
    packs = [name for name in listing if name.startswith("pack-") and name.endswith(".kbp")]
    if len(packs) != 1 or any(name.startswith("log-") and name.endswith(".kbl") for name in listing):
        return False
    pack = _read_pack(folder / packs[0])
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
        return _flock(fd, "try exclusive")
    finally:
        os.close(fd)


def _keep(newest: dict[str, tuple[int, bytes, int, int, int, int]], name: str,
          item: tuple[int, bytes, int, int, int, int]) -> None:
    """Keep ``item`` as ``name``'s entry when it is newer than the one kept."""
    known = newest.get(name)
    if known is None or known[0] <= item[0]:
        newest[name] = item


def _write_pack(folder: Path, kept: list[tuple[bytes, str, tuple[int, bytes, int, int, int, int]]]) -> None:
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
            out.write(_PACK_MAGIC)
            at = len(_PACK_MAGIC)
            for key, name, (stamp, _, fd, offset, length, crc) in kept:
                payload = os.pread(fd, length, offset)
                if len(payload) != length or zlib.crc32(payload) != crc:
                    continue
                out.write(payload)
                keys.append(key)
                entries.append(_ENTRY.pack(at, length, crc, stamp))
                names.append(name)
                at += length
            index = marshal.dumps((b"".join(keys), b"".join(entries), names))
            out.write(index)
            out.write(_FOOTER.pack(at, len(index), zlib.crc32(index), _PACK_END))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _drop_other_versions(root: Path) -> None:
    """Remove the record caches of other code versions and the Markdown cache it replaced."""
    mine = code_version()
    base = cache_folder(root)
    try:
        others = [p for p in (base / "records").iterdir() if p.name != mine]
    except OSError:
        others = []
    for path in others + [base / "markdown"]:
        shutil.rmtree(path, ignore_errors=True)


def clear(root: Path) -> None:
    """Remove the record cache of ``root`` (every code version)."""
    forget(root)
    shutil.rmtree(cache_folder(root) / "records", ignore_errors=True)
