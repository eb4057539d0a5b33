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

Files in that folder (their formats and the merge: kb/record_files.py), all checksummed
(CRC-32), so a damaged file is a miss, never a traceback:

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

import hashlib
import marshal
import os
import shutil
import sys
import time
import zlib
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from kb.record_files import FRAME, KEY, LOG_MAGIC, Pack, compact_folder, flock, read_pack, scan_log

T = TypeVar("T")
U = TypeVar("U")

#: The folder under a kb root holding every cache of kb (records, Markdown-derived records).
CACHE_FOLDER = Path(".kb") / "cache"
#: Logs (one per process that parsed something) beyond which opening a cache compacts it first.
MAX_LOGS = 32


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
    files = [data_path(name) for name in ("record_cache.py", "record_files.py", "store.py", "publish.py", "ids.py",
                                          "schema.py", "fast_schema.py", "located.py", "markdown_source.py", "front_matter.py",
                                          "model.py", "yaml_text.py")]
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
    digest = hashlib.blake2b(name.encode("utf-8", "replace") + b"\0", digest_size=KEY)
    digest.update(data)
    return digest.digest()


class RecordCache:
    """The record cache of one knowledge base (one code version): a snapshot of its index, plus a log."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.packs: list[Pack] = []
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
                pack = read_pack(self.folder / name)
                if pack is not None:
                    self.packs.append(pack)
                    self._fds.append(pack.fd)
            elif name.startswith("log-") and name.endswith(".kbl"):
                scanned = scan_log(self.folder / name)
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
        frame = FRAME.pack(key, len(payload), crc, len(name_bytes), stamp) + name_bytes + payload
        try:
            written = os.write(fd, frame)
        except OSError:
            written = -1
        if written != len(frame):
            self.close_log()  # a short write (disk full): the torn frame ends the log for readers
            self.writable = False
            return
        self.logged[key] = (fd, self._log_at + FRAME.size + len(name_bytes), len(payload), crc, stamp)
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
            flock(fd, "shared")
            os.write(fd, LOG_MAGIC)
        except OSError:
            self.writable = False  # a read-only knowledge base: loading works, only slower
            return None
        self._log_fd, self._log_pid, self._log_at = fd, os.getpid(), len(LOG_MAGIC)
        self._fds.append(fd)
        return fd

    def close_log(self) -> None:
        """Stop writing this process's log (releasing its lock, so it can be merged)."""
        if self._log_fd is not None and self._log_pid == os.getpid():
            flock(self._log_fd, "unlock")
        self._log_fd = None


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
        if not flock(lock, "try exclusive"):
            return counts  # another process is compacting
        return _compact_locked(root, folder, counts)
    finally:
        os.close(lock)


def _compact_locked(root: Path, folder: Path, counts: dict[str, int]) -> dict[str, int]:
    """Do the compaction ``compact`` describes, holding the lock; drop other versions after a merge."""
    try:
        present = {entry.name for entry in os.scandir(root / "articles")}
    except OSError:
        present = set()
    if compact_folder(folder, present, counts):
        _drop_other_versions(root)
    return counts


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
