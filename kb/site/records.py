"""The article records of a folder, listed in one ``os.scandir`` pass.

Shared by the site build and the ``kb search`` index, and kept free of heavy imports: the
search index's freshness check lists 57,000 records without loading Jinja2 or Markdown.
"""

from __future__ import annotations

import os
from pathlib import Path

from kb.exceptions import NotFoundError

from kb.resolve import RECORDS, is_article_name, suffixes

#: The file name endings of stored articles, records and Markdown (a bare ".yaml" is hidden, not a record).
_SUFFIXES = suffixes(RECORDS)


def _record_entries(folder: Path) -> list[os.DirEntry[str]]:
    """Return the directory entries of the article records of ``folder``, sorted by name."""
    if not folder.is_dir():
        raise NotFoundError(f"{folder}: no such articles folder")
    # os.scandir and string keys: at 57,000 records, sorting Path objects alone takes a second.
    with os.scandir(folder) as scan:
        entries = [e for e in scan if e.name.endswith(_SUFFIXES) and e.name not in _SUFFIXES
                   and (not e.name.endswith(".md") or is_article_name(e.name))  # Q900001.md, not README.md
                   and e.is_file()]
    entries.sort(key=lambda e: e.name)
    return entries


def odd_records(folder: Path) -> list[str]:
    """Return one warning line per entry named like a record that is not a regular file.

    Such an entry (a FIFO, a device, a dangling link, a link loop) is never opened: reading a
    FIFO would hang the build.
    """
    from kb.files import odd_file_message

    with os.scandir(folder) as scan:
        odd = sorted(e.path for e in scan if e.name.endswith(_SUFFIXES) and e.name not in _SUFFIXES
                     and not e.is_file() and not e.is_dir())
    return [f"{path}: warning: {odd_file_message(path)}" for path in odd]


def record_files(folder: Path) -> list[Path]:
    """Return the article records of ``folder`` (``Q*.yaml``, ``Q*.md``), sorted by name."""
    return [folder / entry.name for entry in _record_entries(folder)]


def scan_records(folder: Path) -> list[tuple[str, int, int]]:
    """Return (file name, mtime in ns, size) of each record of ``folder``, sorted by name."""
    scanned = []
    for entry in _record_entries(folder):
        st = entry.stat()
        scanned.append((entry.name, st.st_mtime_ns, st.st_size))
    return scanned
