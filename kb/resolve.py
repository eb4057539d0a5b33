"""Resolve what a user named on the command line (files, article ids, folders) into article files.

Every command that takes articles (render, validate, verify, bisect, repro, stats) goes through
``resolve_articles``, so ``kb render records/`` takes a folder exactly like ``kb validate
records/`` does, and ``kb verify Q254893`` an id exactly like ``kb render Q254893``.

A new article format is one entry of ``ARTICLE_FORMATS``: its suffix and its kind. ``record``
files are stored articles (an id resolves to them, in table order); ``classic`` files are the
plain-text originals that ``kb import`` reads (found in folders and named as paths, never by id).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kb.exceptions import NotFoundError

#: suffix (lower case) -> kind; the order is the order an id is looked up in.
ARTICLE_FORMATS: dict[str, str] = {
    ".yaml": "record",
    ".yml": "record",
    ".md": "record",  # a native Markdown article: its record is derived from it (kb.markdown_source)
    ".txt": "classic",
}
RECORDS: tuple[str, ...] = ("record",)
ANY: tuple[str, ...] = ("record", "classic")

#: Suffixes whose files are articles only when named by an id (Q900001.md; a README.md or notes.md
#: beside the articles is not one). A file named on the command line is taken whatever its name.
ID_NAMED: frozenset[str] = frozenset({".md"})
_ID_NAME = re.compile(r"^Q[0-9]{5,7}\.", re.I)

# Q254893, q254893 or 254893 (kb-format.md: Q and 5-7 digits in the archive)
_ID = re.compile(r"^[Qq]?([0-9]{5,7})$", re.ASCII)  # ASCII digits only (kb/ids.py)


@dataclass(frozen=True)
class Resolved:
    """One article file a name stands for, or the one-line reason the name stands for none."""

    name: str
    path: Path | None = None
    error: str | None = None


def suffixes(kinds: Iterable[str] = ANY) -> tuple[str, ...]:
    """Return the file suffixes of the given article kinds, in table order."""
    wanted = set(kinds)
    return tuple(suffix for suffix, kind in ARTICLE_FORMATS.items() if kind in wanted)


def is_article_name(name: str, kinds: Iterable[str] = ANY) -> bool:
    """Return True when a file name is an article's of ``kinds`` (``Q1.yaml``, ``Q900001.md``; not ``.yaml``)."""
    lower = name.lower()
    suffix = lower[lower.rfind("."):] if "." in lower else ""
    if suffix not in suffixes(kinds) or lower in ARTICLE_FORMATS:
        return False
    return suffix not in ID_NAMED or bool(_ID_NAME.match(name))


def is_article_file(path: Path, kinds: Iterable[str] = ANY) -> bool:
    """Return True when ``path``'s name is one of an article format of ``kinds``."""
    return is_article_name(path.name, kinds)


def folder_articles(folder: Path, kinds: Iterable[str] = ANY) -> list[Path]:
    """Return the article files in ``folder`` and its sub-folders (hidden ones skipped), sorted."""
    kinds = tuple(kinds)
    found: list[Path] = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        found.extend(Path(directory) / name for name in files if is_article_name(name, kinds))
    return sorted(found)


def _by_id(name: str, folder: Path) -> Resolved:
    """Return the record of an article id in ``folder``."""
    match = _ID.match(name.strip())
    assert match is not None
    ident = f"Q{match.group(1)}"
    for suffix in suffixes(RECORDS):
        candidate = folder / f"{ident}{suffix}"
        if candidate.is_file():
            return Resolved(name, candidate)
    return Resolved(name, error=f"{ident}: no such article in {folder} (expected {ident}.yaml or {ident}.md there)")


def resolve_articles(names: Iterable[str], folder: Path, kinds: Iterable[str] = ANY) -> list[Resolved]:
    """Return, in the order named, the article files each name stands for.

    A name is a file (taken as it is, whatever its suffix: the loader reports what it is), a
    folder (every article file of ``kinds`` under it), or an article id looked up in ``folder``
    (the articles folder). A name that is none of these gives one Resolved with its error, so a
    command can report it and go on with the others. A file named twice is resolved once.
    """
    kinds = tuple(kinds)
    out: list[Resolved] = []
    seen: set[Path] = set()

    def add(item: Resolved) -> None:
        if item.path is not None:
            key = item.path.resolve()
            if key in seen:
                return
            seen.add(key)
        out.append(item)

    for name in names:
        path = Path(name)
        if path.is_dir():
            for found in folder_articles(path, kinds):
                add(Resolved(name, found))
        elif path.is_file() or (os.path.lexists(path) and not path.is_dir()):
            # A FIFO, a device or a dangling link too: the loader says what it is, never opening it.
            add(Resolved(name, path))
        elif _ID.match(name.strip()):
            add(_by_id(name, folder))
        else:
            add(Resolved(name, error=f"{name}: no such file, folder or article id"))
    return out


def article_paths(names: Iterable[str], folder: Path, kinds: Iterable[str] = ANY) -> list[Path]:
    """Return the article files the names stand for; raise NotFoundError for the first that has none."""
    resolved = resolve_articles(names, folder, kinds)
    for item in resolved:
        if item.error is not None:
            raise NotFoundError(item.error)
    return [item.path for item in resolved if item.path is not None]


def one_article(name: str, folder: Path, kinds: Iterable[str] = RECORDS) -> Path:
    """Return the one article file a name stands for (a file or an id, not a folder)."""
    if Path(name).is_dir():
        raise NotFoundError(f"{name}: is a folder; name one article (an id such as Q254893 or a record file)")
    (path,) = article_paths([name], folder, kinds)
    return path
