"""Atomic file writes: a reader sees the old file or the new one, never a torn one."""

from __future__ import annotations

import errno
import itertools
import os
import stat
from pathlib import Path
from typing import Callable

from kb.diagnostics import Diagnostic

_COUNTER = itertools.count()


def write_atomic(target: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (str as UTF-8) to ``target`` through a temporary file and a rename."""
    path = os.fspath(target)
    folder, name = os.path.split(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    # A name unique to this process and call in the target's folder (os.replace needs the same
    # file system); O_EXCL refuses to reuse a leftover file. Plain strings and os calls: a site
    # build writes 57,000 pages, and pathlib and a buffered file object were a tenth of a write.
    temporary = os.path.join(folder, f".{name}.{os.getpid()}-{next(_COUNTER)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(temporary, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(folder or ".", exist_ok=True)
        fd = os.open(temporary, flags, 0o644)
    try:
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def odd_file_message(path: str | os.PathLike[str]) -> str:
    """Return why ``path`` is not a regular file to read (a loop, a dangling link, a FIFO...)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "dangling symbolic link, skipped" if os.path.islink(path) else "no such file or folder"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop, skipped"
        return f"cannot read: {error.strerror}"
    for test, kind in _KINDS:
        if test(mode):
            return f"is {kind}, not a regular file; skipped"
    return "not a regular file; skipped"


def read_bounded(path: str | os.PathLike[str], limit: int, error: Callable[[str, int | None, str], Exception],
                 expected: str) -> bytes:
    """Read a regular file of at most ``limit`` bytes; raise ``error(path, line, message)`` otherwise.

    FIFOs and devices are never opened for reading (a FIFO would block, /dev/zero never ends):
    the path is checked first, and opened non-blocking and checked again, so nothing swapped in
    between can hang the read.
    """
    name = str(path)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise error(name, None, odd_file_message(path).replace("; skipped", "") + f", expected {expected}")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise error(name, None, f"not a regular file, expected {expected}")
            if info.st_size > limit:
                raise error(name, 1, f"file is {info.st_size} bytes, limit is {limit}")
            with os.fdopen(fd, "rb", closefd=False) as stream:
                data = stream.read(limit + 1)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise error(name, None, odd_file_message(path)) from None
    except OSError as problem:
        if problem.errno == errno.ELOOP:
            raise error(name, None, "symbolic link loop") from None
        raise error(name, None, f"cannot read: {problem.strerror}") from None
    if len(data) > limit:
        raise error(name, 1, f"file is over {limit} bytes, limit is {limit}")
    return data


def walk_files(folder: Path, suffixes: tuple[str, ...]) -> tuple[list[Path], list[Diagnostic]]:
    """Return the regular files under ``folder`` whose name ends in one of ``suffixes`` (any case).

    Folders are walked recursively without following symbolic links to folders (no loops); an
    entry with a matching name that cannot be read as a file (a dangling link, a link loop, a
    FIFO, a device) is reported as one warning each, never opened.
    """
    files: list[Path] = []
    odd: list[Diagnostic] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            odd.append(Diagnostic(str(current), None, f"cannot list: {error.strerror}", severity="warning", code="files"))
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                    continue
            except OSError:
                pass
            if not entry.name.lower().endswith(suffixes):
                continue
            try:
                regular = entry.is_file(follow_symlinks=True)
            except OSError:
                regular = False
            if regular:
                files.append(path)
            else:
                odd.append(Diagnostic(str(path), None, odd_file_message(path), severity="warning", code="files"))
    files.sort()
    odd.sort(key=lambda d: d.path)
    return files, odd
