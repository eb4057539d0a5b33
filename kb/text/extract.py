"""Structured annotations read from typed blocks: references, event-log entries, downloads."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from kb.model import Block, Download, EventLogEntry, Reference
from kb.text.blocks import ARTICLE_ID_RE, ARTICLE_TITLE_RE, DOWNLOAD_RE, REFERENCE_RE

# "Event ID: N" and its variants (kb-format §2.5): "Event ID N", "Event ID=N", "EventID: N",
# "Event Id: N", "Event ID   : N", "Event ID#:", "Event ID - N", "EVENT ID", "Event ID:<TAB>".
EVENT_ID_RE = re.compile(r"^\s*Event\s?I[Dd](?![a-z])\s*#?\s*(?:[:=]|-(?=\s))?\s*(\d+)?[\s,.;]*(.*)$", re.I)
EVENT_KEY_RE = re.compile(
    r"^\s*(Event\s*Type|Event\s*Source|Event\s*Category|Source|Category|Type|Date|Time|User|Computer|Description)"
    r"\s*:\s*(.*)$",
    re.I,
)
INLINE_SOURCE_RE = re.compile(r"\bSource\s*:\s*(.*)$", re.I)
URL_RE = re.compile(r"^\s*\(?\s*((?:https?|ftp)://[^\s)]+)\)?\s*$")
_FIELDS = {
    "event type": "type",
    "type": "type",
    "event source": "source",
    "source": "source",
    "event category": "category",
    "category": "category",
    "date": "date",
    "time": "time",
    "user": "user",
    "computer": "computer",
    "description": "description",
}
# Keys that open a new entry when the current one already has them.
_OPENERS = {"type", "source", "category"}


def references(blocks: Iterable[Block]) -> Iterator[Reference]:
    """Yield the article references of ``references`` blocks (titles joined over continuations)."""
    for block in blocks:
        if block.kind != "references":
            continue
        current: Reference | None = None
        pending_id: tuple[str, int] | None = None
        for number, line in enumerate(block.lines, start=block.line):
            match = REFERENCE_RE.match(line)
            if match:
                if current:
                    yield current
                current = Reference(id=match.group(2), title=match.group(4).strip(), line=number)
                continue
            match = ARTICLE_ID_RE.match(line)
            if match:
                if current:
                    yield current
                current = None
                pending_id = (match.group(1), number)
                continue
            match = ARTICLE_TITLE_RE.match(line)
            if match and pending_id:
                current = Reference(id=pending_id[0], title=match.group(1).strip(), line=pending_id[1])
                pending_id = None
                continue
            if current and line.strip():
                current.title = f"{current.title} {line.strip()}"
        if pending_id:
            yield Reference(id=pending_id[0], title="", line=pending_id[1])
        if current:
            yield current


def _event_id_line(line: str) -> tuple[int | None, str] | None:
    """Return (event id or None, rest of line) for an "Event ID" line, else None."""
    match = EVENT_ID_RE.match(line)
    if not match:
        return None
    number = int(match.group(1)) if match.group(1) else None
    return number, match.group(2)


def event_log(blocks: Iterable[Block]) -> Iterator[EventLogEntry]:
    """Yield the Event Viewer entries quoted in ``event_log`` blocks (skipping empty mentions)."""
    for entry in _event_entries(blocks):
        # "the event ID is 8010", a table header "Event ID Description": nothing was read.
        if any(getattr(entry, name) is not None for name in _READ_FIELDS):
            yield entry


_READ_FIELDS = ("type", "source", "category", "event_id", "date", "time", "user", "computer", "description")


def _event_entries(blocks: Iterable[Block]) -> Iterator[EventLogEntry]:
    """Yield every entry the event-log blocks start, empty ones included."""
    for block in blocks:
        if block.kind != "event_log":
            continue
        entry: EventLogEntry | None = None
        describing = False
        for number, line in enumerate(block.lines, start=block.line):
            parsed = _event_id_line(line)
            if parsed is not None:
                number_value, rest = parsed
                if entry is None or entry.event_id is not None or describing:
                    if entry is not None:
                        yield entry
                    entry = EventLogEntry(line=number)
                entry.event_id = number_value
                describing = False
                inline = INLINE_SOURCE_RE.search(rest)
                if inline and entry.source is None:
                    entry.source = inline.group(1).strip() or None
                continue
            match = EVENT_KEY_RE.match(line)
            if match and not (describing and match.group(1).lower() not in ("event type", "event source")):
                name = _FIELDS[re.sub(r"\s+", " ", match.group(1).lower())]
                value = match.group(2).strip()
                if entry is None or (name in _OPENERS and getattr(entry, name) is not None) or describing:
                    if entry is not None:
                        yield entry
                    entry = EventLogEntry(line=number)
                    describing = False
                if name == "description":
                    describing = True
                    entry.description = value
                elif getattr(entry, name) is None:
                    setattr(entry, name, value)
                continue
            if describing and entry is not None and line.strip():
                text = line.strip()
                entry.description = f"{entry.description} {text}" if entry.description else text
        if entry is not None:
            yield entry


def downloads(blocks: Iterable[Block]) -> Iterator[Download]:
    """Yield ``arch: DownloadDownload FILE now`` lines with the URL on the following line."""
    for block in blocks:
        if block.kind != "downloads":
            continue
        lines = block.lines
        for offset, line in enumerate(lines):
            match = DOWNLOAD_RE.match(line)
            if not match:
                continue
            url = None
            if offset + 1 < len(lines):
                found = URL_RE.match(lines[offset + 1])
                url = found.group(1) if found else None
            arch = match.group("arch")
            yield Download(line=block.line + offset, arch=arch.strip() if arch else None, file=match.group("file"), url=url)
