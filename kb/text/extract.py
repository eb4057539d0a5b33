"""Structured annotations read from typed blocks: references, event-log entries, downloads."""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator

from kb.model import EVENT_LOG_FIELDS, Block, Download, EventLogEntry, Reference
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
# A key and its value, written "Source: X" or "Source = X" (§2.5, Q159306 style).
EVENT_KEY_RE = re.compile(r"^\s*" + EVENT_BULLET + _KEY_NAMES + r"\s*[:=]\s*(.*)$", re.I)
# A further key inside a value: "Type: Warning Category: Interface", "Source: X, Category: Y",
# "Event ID = 10012, Source = MacFile, ..." (§2.5).
INLINE_KEY_RE = re.compile(r"(?:^|[\s,;]+)" + _KEY_NAMES + r"\s*([:=])\s*", re.I)
# A key without a colon, its value after spaces or " - ": "   Source MSExchangeIMC", "   Type      Warning",
# "   Source - W3SVC" (§2.5, Q185108, Q257727 style). Read only inside an excerpt opened by a bare key line.
BARE_KEY_RE = re.compile(
    r"^\s+" + EVENT_BULLET + r"(Event\s*Type|Event\s*Source|Event\s*Category|Source|Category|Type|Description)"
    r"\s+(?:-\s+)?(?![:=])(\S.*)$",
    re.I,
)
# The second half of an "Event ID" key wrapped after "Event": "...: General Event" / "   ID: 5000" (§2.5).
WRAPPED_ID_RE = re.compile(r"^\s*I[Dd]\s*#?\s*[:=]?\s*\d")
# A value ending in the word "Event", the first half of a wrapped "Event ID" key.
WRAPPED_EVENT_RE = re.compile(r"\s*\bEvent\s*$", re.I)
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


def _field_of(key: str) -> str:
    """Return the entry field a key names: "Event  Type", "EventType" and "Type" all give "type"."""
    return _FIELDS[re.sub(r"^event\s*", "event ", re.sub(r"\s+", " ", key.lower()))]


def _key_values(text: str) -> list[tuple[str, str]]:
    """Split "Source: X, Category: Y" into (field, value) pairs; a description takes the rest."""
    pairs: list[tuple[str, str]] = []
    matches = list(INLINE_KEY_RE.finditer(text))
    for index, match in enumerate(matches):
        name = _field_of(match.group(1))
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        if name == "description":
            pairs.append((name, text[match.end() :].strip()))
            break
        value = text[match.end() : stop]
        if match.group(2) == "=" and ", " in value:
            # "Source = MacFile, "The File Server ..." : the text after the comma describes (Q153755).
            value, rest = value.split(", ", 1)
            if index + 1 == len(matches) and rest.strip():
                pairs.append((name, value.strip(" \t,;")))
                pairs.append(("description", rest.strip()))
                break
        pairs.append((name, value.strip(" \t,;")))
    return pairs


def event_log(blocks: Iterable[Block]) -> Iterator[EventLogEntry]:
    """Yield the Event Viewer entries quoted in ``event_log`` blocks (skipping empty mentions)."""
    for entry in _event_entries(list(blocks)):
        # "the event ID is 8010", a table header "Event ID Description": nothing was read.
        if any(getattr(entry, name) is not None for name in _READ_FIELDS):
            yield entry


_READ_FIELDS = tuple(key for key, _ in EVENT_LOG_FIELDS)


class _EventReader:
    """Reads event-log lines one at a time into entries (kb-format §2.5 key orders)."""

    def __init__(self) -> None:
        """Start with no open entry."""
        self.entry: EventLogEntry | None = None
        self.describing = False
        self.keyed = False  # the open entry began on a bare key line, not in prose
        self.last: str | None = None  # the field read last, for a key wrapped after its value
        self.pending: str | None = None  # a key whose value is on the next line ("Event Type:")
        self.closed: list[EventLogEntry] = []  # entries closed by the line being read

    def _open(self, number: int, line: str) -> None:
        """Close the current entry (into ``closed``) and open a new one at line ``number``."""
        if self.entry is not None:
            self.closed.append(self.entry)
        self.entry = EventLogEntry(line=number)
        self.describing = False
        self.keyed = _is_key_line(line)
        self.last = self.pending = None

    def _set(self, name: str, value: str) -> None:
        """Fill one field of the open entry; a description starts describing."""
        assert self.entry is not None
        self.last, self.pending = name, None
        if name == "description":
            self.describing = True
            self.entry.description = value
        elif getattr(self.entry, name) is None:
            setattr(self.entry, name, value)
            self.pending = name if value == "" else None

    def feed(self, number: int, line: str) -> Iterator[EventLogEntry]:
        """Read one line with the first line reader that takes it; yield the entries it closes."""
        for read in _LINE_READERS:
            if read(self, number, line):
                break
        yield from self.closed
        self.closed = []

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
        name = _field_of(first.group(1)) if first else None
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
        self.last = self.pending = None


def _read_event_id(reader: _EventReader, number: int, line: str) -> bool:
    """Read an "Event ID" line (opening an entry unless the open one still lacks its ID)."""
    parsed = _event_id_line(line)
    if parsed is None:
        return False
    _take_event_id(reader, number, line, parsed)
    return True


def _take_event_id(reader: _EventReader, number: int, line: str, parsed: tuple[int | None, str]) -> None:
    """Fill the event ID and the keys after it on the line, opening an entry when needed."""
    number_value, rest = parsed
    if reader.entry is None or reader.entry.event_id is not None or reader.describing:
        reader._open(number, line)
    assert reader.entry is not None
    reader.entry.event_id = number_value
    reader.describing = False
    reader.last = reader.pending = None
    # "Event ID - 2079, Source: MSExchangeIS Private, Category: Transport," (§2.5).
    for name, value in _key_values(rest):
        if name == "description" or getattr(reader.entry, name) is None:
            reader._set(name, value)


def _read_wrapped_event_id(reader: _EventReader, number: int, line: str) -> bool:
    """Read "ID: 5000" after a value that ended in "Event": an "Event ID" key wrapped (§2.5, Q322314)."""
    entry, last = reader.entry, reader.last
    if entry is None or last is None or last == "description" or entry.event_id is not None:
        return False
    value = getattr(entry, last)
    if not isinstance(value, str) or not WRAPPED_EVENT_RE.search(value) or not WRAPPED_ID_RE.match(line):
        return False
    parsed = _event_id_line("Event " + line.lstrip())
    if parsed is None:
        return False
    setattr(entry, last, WRAPPED_EVENT_RE.sub("", value))
    _take_event_id(reader, number, line, parsed)
    return True


def _read_key(reader: _EventReader, number: int, line: str) -> bool:
    """Read a "Key: value" (or "Key = value") line, with any further keys on it."""
    match = EVENT_KEY_RE.match(line)
    if not match or (reader.describing and match.group(1).lower() not in ("event type", "event source")):
        return False
    name = _field_of(match.group(1))
    entry = reader.entry
    if entry is None or (name in _OPENERS and getattr(entry, name) is not None) or reader.describing:
        reader._open(number, line)
    value = match.group(2)
    further = INLINE_KEY_RE.search(value) if name != "description" else None
    if further is None:
        reader._set(name, value.strip())
        return True
    # "Type: Warning Category: Interface", "Source: X Description: Y" (§2.5).
    reader._set(name, value[: further.start()].strip(" \t,;"))
    for key, rest in _key_values(value[further.start() :]):
        reader._set(key, rest)
    return True


def _read_bare_key(reader: _EventReader, number: int, line: str) -> bool:
    """Read "   Source MSExchangeIMC" (no colon) for a field the keyed open entry still lacks (§2.5)."""
    entry = reader.entry
    if entry is None or not reader.keyed or reader.describing:
        return False
    match = BARE_KEY_RE.match(line)
    if not match:
        return False
    name = _field_of(match.group(1))
    if name != "description" and getattr(entry, name) is not None:
        return False
    value = match.group(2).strip()
    reader._set(name, "" if value == "-" else value)  # "Description -" with the text below (Q242320)
    return True


def _read_pending_value(reader: _EventReader, number: int, line: str) -> bool:
    """Read the value of a key left empty on the line before: "Event Type:" / "Error Event Source: X" (Q322314)."""
    entry, pending = reader.entry, reader.pending
    if entry is None or pending is None or reader.describing or not line.strip():
        return False
    further = INLINE_KEY_RE.search(line.strip())
    text = line.strip()
    value = text[: further.start()] if further else text
    setattr(entry, pending, value.strip(" \t,;"))
    reader.last, reader.pending = pending, None
    for key, rest in _key_values(text[further.start() :]) if further else []:
        reader._set(key, rest)
    return True


def _read_description(reader: _EventReader, number: int, line: str) -> bool:
    """Append a line of free text to the description being read."""
    if reader.describing and reader.entry is not None and line.strip():
        text = line.strip()
        description = reader.entry.description
        reader.entry.description = f"{description} {text}" if description else text
    return True


LineReader = Callable[[_EventReader, int, str], bool]  # (reader, line number, line) -> taken

#: Ordered line readers for event-log blocks (§2.5): the first that takes a line reads it.
_LINE_READERS: tuple[LineReader, ...] = (
    _read_event_id,
    _read_wrapped_event_id,
    _read_key,
    _read_bare_key,
    _read_pending_value,
    _read_description,
)


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
