"""Structured annotations read from typed blocks: references, event-log entries, downloads."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from kb.model import Block, Download, EventLogEntry, Reference
from kb.text.blocks import (
    ARTICLE_ID_RE,
    ARTICLE_TITLE_RE,
    BARE_REFERENCE_RE,
    DOWNLOAD_RE,
    REFERENCE_RE,
)

# "Event ID: N" and its variants (kb-format §2.5): "Event ID N", "Event ID=N", "EventID: N",
# "Event Id: N", "Event ID   : N", "Event ID#:", "Event ID - N", "EVENT ID", "Event ID:<TAB>",
# also behind a list bullet (" - Event ID: 4115") and written "Event ID -1294". The bullet is only
# read inside a block already classified as an event log (its other lines are Event Viewer keys).
EVENT_BULLET = r"(?:[-*\u2022]\s+)?"
EVENT_ID_RE = re.compile(
    r"^\s*" + EVENT_BULLET + r"Event\s?I[Dd](?![a-z])\s*#?\s*(?:[:=]|-)?\s*(\d+)?[\s,.;]*(.*)$", re.I
)
_KEY_NAMES = r"(Event\s*Type|Event\s*Source|Event\s*Category|Source|Category|Type|Date|Time|User|Computer|Description)"
EVENT_KEY_RE = re.compile(r"^\s*" + EVENT_BULLET + _KEY_NAMES + r"\s*:\s*(.*)$", re.I)
# A further key inside a value: "Type: Warning Category: Interface", "Source: X, Category: Y" (§2.5).
INLINE_KEY_RE = re.compile(r"(?:^|[\s,;]+)" + _KEY_NAMES + r"\s*:\s*", re.I)
URL_RE = re.compile(r"^\s*\(?\s*((?:https?|ftp)://[^\s)]+)\)?\s*$")
# A label alone on the line before a download: "   French:", "For Alpha:" (Q304062 style).
DOWNLOAD_LABEL_RE = re.compile(r"^\s*(?:For\s+)?(?P<label>[A-Za-z0-9][^:]{0,38}?)\s*:\s*$")
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
            match = BARE_REFERENCE_RE.match(line)
            if match:
                if current:
                    yield current
                current = Reference(id=match.group(2), title="", line=number)
                continue
            match = ARTICLE_ID_RE.match(line)
            if match:
                if current:
                    yield current
                if pending_id:  # an ARTICLE-ID line without its TITLE line
                    yield Reference(id=pending_id[0], title="", line=pending_id[1])
                current = None
                pending_id = (match.group(1), number)
                continue
            match = ARTICLE_TITLE_RE.match(line)
            if match and pending_id:
                current = Reference(id=pending_id[0], title=match.group(1).strip(), line=pending_id[1])
                pending_id = None
                continue
            if current and line.strip():
                text = line.strip()
                current.title = f"{current.title} {text}" if current.title else text
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


def _key_values(text: str) -> list[tuple[str, str]]:
    """Split "Source: X, Category: Y" into (field, value) pairs; a description takes the rest."""
    pairs: list[tuple[str, str]] = []
    matches = list(INLINE_KEY_RE.finditer(text))
    for index, match in enumerate(matches):
        name = _FIELDS[re.sub(r"\s+", " ", match.group(1).lower())]
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        if name == "description":
            pairs.append((name, text[match.end() :].strip()))
            break
        pairs.append((name, text[match.end() : stop].strip(" \t,;")))
    return pairs


def event_log(blocks: Iterable[Block]) -> Iterator[EventLogEntry]:
    """Yield the Event Viewer entries quoted in ``event_log`` blocks (skipping empty mentions)."""
    for entry in _event_entries(list(blocks)):
        # "the event ID is 8010", a table header "Event ID Description": nothing was read.
        if any(getattr(entry, name) is not None for name in _READ_FIELDS):
            yield entry


_READ_FIELDS = ("type", "source", "category", "event_id", "date", "time", "user", "computer", "description")


class _EventReader:
    """Reads event-log lines one at a time into entries (kb-format §2.5 key orders)."""

    def __init__(self) -> None:
        """Start with no open entry."""
        self.entry: EventLogEntry | None = None
        self.describing = False
        self.keyed = False  # the open entry began on a bare key line, not in prose

    def _open(self, number: int, line: str) -> Iterator[EventLogEntry]:
        """Close the current entry (yielding it) and open a new one at line ``number``."""
        if self.entry is not None:
            yield self.entry
        self.entry = EventLogEntry(line=number)
        self.describing = False
        self.keyed = _is_key_line(line)

    def _set(self, name: str, value: str) -> None:
        """Fill one field of the open entry; a description starts describing."""
        assert self.entry is not None
        if name == "description":
            self.describing = True
            self.entry.description = value
        elif getattr(self.entry, name) is None:
            setattr(self.entry, name, value)

    def feed(self, number: int, line: str) -> Iterator[EventLogEntry]:
        """Read one line; yield the entries it closes."""
        parsed = _event_id_line(line)
        if parsed is not None:
            number_value, rest = parsed
            if self.entry is None or self.entry.event_id is not None or self.describing:
                yield from self._open(number, line)
            assert self.entry is not None
            self.entry.event_id = number_value
            self.describing = False
            # "Event ID - 2079, Source: MSExchangeIS Private, Category: Transport," (§2.5).
            for name, value in _key_values(rest):
                if name == "description" or getattr(self.entry, name) is None:
                    self._set(name, value)
            return
        match = EVENT_KEY_RE.match(line)
        if match and not (self.describing and match.group(1).lower() not in ("event type", "event source")):
            name = _FIELDS[re.sub(r"\s+", " ", match.group(1).lower())]
            if self.entry is None or (name in _OPENERS and getattr(self.entry, name) is not None) or self.describing:
                yield from self._open(number, line)
            value = match.group(2)
            further = INLINE_KEY_RE.search(value) if name != "description" else None
            if further is None:
                self._set(name, value.strip())
                return
            # "Type: Warning Category: Interface", "Source: X Description: Y" (§2.5).
            self._set(name, value[: further.start()].strip(" \t,;"))
            for key, rest in _key_values(value[further.start() :]):
                self._set(key, rest)
            return
        if self.describing and self.entry is not None and line.strip():
            text = line.strip()
            self.entry.description = f"{self.entry.description} {text}" if self.entry.description else text

    def wants(self, block: Block, previous: Block) -> bool:
        """Tell whether the block after an empty line still belongs to the open entry."""
        if self.entry is None:
            return False
        if self.describing and self.entry.description == "":
            # "Description:" then an empty line, then the text (Q152321 style).
            return block.kind in ("literal", "paragraph")
        # Only an excerpt that opens with a key line continues, never prose naming an event ID.
        if self.describing or self.entry.description is not None or not self.keyed:
            return False
        first = EVENT_KEY_RE.match(block.lines[0])
        name = _FIELDS[re.sub(r"\s+", " ", first.group(1).lower())] if first else None
        if name == "description":  # keys, an empty line, then "Description: ..." (Q154595 style)
            return True
        # One key per block, the blocks separated by empty lines (Q260835 style): a key the
        # entry does not have yet continues it.
        if block.kind != "event_log" or not all(map(_is_key_line, previous.lines)):
            return False
        parsed = _event_id_line(block.lines[0])
        if parsed is not None:
            return self.entry.event_id is None and parsed[0] is not None
        return name is not None and getattr(self.entry, name) is None

    def close(self) -> Iterator[EventLogEntry]:
        """Yield the open entry, if any."""
        if self.entry is not None:
            yield self.entry
        self.entry = None
        self.describing = False


def _is_key_line(line: str) -> bool:
    """Tell whether a line is only an Event Viewer key and its value (not prose naming one)."""
    parsed = _event_id_line(line)
    if parsed is not None:
        rest = parsed[1].strip()
        return parsed[0] is not None and (not rest or rest.startswith("(") or bool(INLINE_KEY_RE.match(rest)))
    return EVENT_KEY_RE.match(line) is not None


def _adjacent(block: Block, after: Block) -> bool:
    """Tell whether ``after`` follows ``block`` with only empty lines between (no heading)."""
    return block.line + len(block.lines) + after.blank_before == after.line


def _event_entries(blocks: list[Block]) -> Iterator[EventLogEntry]:
    """Yield every entry the event-log blocks start, empty ones included."""
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if block.kind != "event_log":
            continue
        reader = _EventReader()
        for number, line in enumerate(block.lines, start=block.line):
            yield from reader.feed(number, line)
        while (
            index < len(blocks)
            and _adjacent(blocks[index - 1], blocks[index])
            and reader.wants(blocks[index], blocks[index - 1])
        ):
            follower = blocks[index]
            index += 1
            for number, line in enumerate(follower.lines, start=follower.line):
                yield from reader.feed(number, line)
        yield from reader.close()


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
            if arch is None and offset > 0:  # "   French:" on the line before
                label = DOWNLOAD_LABEL_RE.match(lines[offset - 1])
                arch = label.group("label") if label else None
            yield Download(line=block.line + offset, arch=arch.strip() if arch else None, file=match.group("file"), url=url)
