"""Atomic file writes: a reader sees the old file or the new one, never a torn one."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

_COUNTER = itertools.count()


def write_atomic(target: Path, data: str | bytes) -> None:
    """Write ``data`` (str as UTF-8) to ``target`` through a temporary file and a rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    # A name unique to this process and call in the target's folder (os.replace needs the same
    # file system); O_EXCL refuses to reuse a leftover file.
    temporary = target.parent / f".{target.name}.{os.getpid()}-{next(_COUNTER)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
