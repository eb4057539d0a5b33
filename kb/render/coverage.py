"""Tell which lines of a structured block its entries show, so no other line is left out.

An event-log, references or downloads block is shown as its structured entries (a table per
Event Viewer excerpt, a list of links), but the block may hold more than them: a sentence of
prose after the excerpt, a message the reader could not take apart, a download line the
recogniser did not match.  The records keep only the line each entry starts on, so a line
counts as shown when every word of it is among the words its entry shows (field labels,
values, the file name and URL, the reference's number and title); any other line is kept, in
source order, as text before, between or after the entries.  Hiding a line only when all its
words are shown keeps the renderings lossless with respect to the article's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Generic, Sequence, TypeVar

from kb.model import EVENT_LOG_FIELDS, Download, EventLogEntry, Reference

T = TypeVar("T")

_WORD = re.compile(r"[^\W_]+")
# The words of a removed "Download" button around a file name (kb-format §2.7).
_DOWNLOAD_WORDS = frozenset({"download", "downloaddownload", "filename", "the", "package", "now", "for"})
# The labels of an "ARTICLE-ID: Q123456" / "TITLE : ..." pair.
_REFERENCE_WORDS = frozenset({"article", "id", "title"})


def words(text: str) -> set[str]:
    """Return the case-folded words (letter and digit runs) of ``text``."""
    return set(_WORD.findall(text.casefold()))


def event_words(entry: EventLogEntry) -> set[str]:
    """Return the words an event-log table shows: each filled field's label and value."""
    found: set[str] = set()
    for attribute, label in EVENT_LOG_FIELDS:
        value = getattr(entry, attribute)
        if value is None or str(value).strip() == "":
            continue
        found |= words(f"{label} {value}")
        found.add(label.replace(" ", "").casefold())  # "EventID:", "EventType:"
    return found


def reference_words(reference: Reference) -> set[str]:
    """Return the words a reference item shows: its number and title (and the pair's labels)."""
    return words(f"{reference.id} {reference.title}") | _REFERENCE_WORDS


def download_words(download: Download) -> set[str]:
    """Return the words a download item shows: label, file name, URL (and the button's words)."""
    return words(" ".join(part for part in (download.arch, download.file, download.url) if part)) | _DOWNLOAD_WORDS


@dataclass
class Leftover:
    """Consecutive lines of a block that its entries do not show (``line``: the first's number)."""

    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        """Return the lines joined by LF."""
        return "\n".join(self.lines)


@dataclass
class Entries(Generic[T]):
    """Consecutive entries of a block, shown together (one list, or tables one after another)."""

    items: list[T]


def split(block_line: int, lines: Sequence[str], items: Sequence[T], shown: Callable[[T], set[str]],
          line_of: Callable[[T], int] = lambda item: getattr(item, "line")) -> list[Leftover | Entries[T]]:
    """Return the block as runs of leftover lines and of entries, in source order.

    ``items`` are the entries that start inside the block (``line_of`` gives the line);
    ``shown`` gives the words one entry shows.  A line belongs to the entry started last on or
    before it, a line just before an entry (a "French:" label) also to that entry; a line with
    no word inside an entry is part of its layout.
    """
    starts: dict[int, list[T]] = {}
    for item in sorted(items, key=line_of):
        starts.setdefault(line_of(item), []).append(item)
    cache: dict[int, set[str]] = {}

    def covered(item: T | None, line_words: set[str]) -> bool:
        if item is None:
            return False
        key = id(item)
        if key not in cache:
            cache[key] = shown(item)
        return line_words <= cache[key]

    parts: list[Leftover | Entries[T]] = []
    owner: T | None = None
    for number, line in enumerate(lines, start=block_line):
        if number in starts:
            group = starts[number]
            if parts and isinstance(parts[-1], Entries):
                parts[-1].items.extend(group)
            else:
                parts.append(Entries(list(group)))
            owner = group[-1]
        line_words = words(line)
        following = starts.get(number + 1)
        if not line.strip() or (owner is not None and not line_words):
            continue
        if covered(owner, line_words) or (following is not None and covered(following[0], line_words)):
            continue
        if parts and isinstance(parts[-1], Leftover) and parts[-1].line + len(parts[-1].lines) == number:
            parts[-1].lines.append(line)
        else:
            parts.append(Leftover(number, [line]))
    return parts
