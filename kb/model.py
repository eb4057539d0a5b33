"""Typed records of a classic KB article: the structure the parser produces and the store keeps.

Every annotation (heading, block, reference, event-log entry, download, footer field) carries the
1-based line of the original file it came from. The body is kept raw inside the blocks, and the
``Layout`` holds the few byte-level details the writer needs to give back the original file.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

#: Block kinds a recogniser may assign (see kb/text/blocks.py).
BLOCK_KINDS: tuple[str, ...] = (
    "paragraph",
    "literal",
    "list",
    "event_log",
    "references",
    "downloads",
    "subheading",
    "rule",
    "table",
)


@dataclass
class AppliesTo:
    """One bullet of "The information in this article applies to:", with nested children."""

    line: int
    text: str
    product: str
    versions: list[str] = field(default_factory=list)
    children: list[AppliesTo] = field(default_factory=list)
    # 97% of items end in one space (kb-format §2.3); False records the exceptions.
    trailing_space: bool = True


@dataclass
class Block:
    """A run of non-empty body lines of one kind; ``text`` is the raw lines joined by LF."""

    kind: str
    line: int
    text: str
    # Empty lines before this block in the original file (1 in the common shape).
    blank_before: int = 1

    @property
    def lines(self) -> list[str]:
        """Return the raw lines of the block."""
        return self.text.split("\n")


@dataclass
class Section:
    """A body section under an ``=``-underlined heading (``heading`` None: text before any)."""

    heading: str | None
    line: int
    blocks: list[Block] = field(default_factory=list)
    # Empty lines before the heading line in the original file.
    blank_before: int = 1

    @property
    def text(self) -> str:
        """Return the section's blocks as raw text, separated by their empty lines."""
        parts: list[str] = []
        for index, block in enumerate(self.blocks):
            if index:
                parts.extend([""] * block.blank_before)
            parts.append(block.text)
        return "\n".join(parts)


@dataclass
class Reference:
    """A reference to another KB article (``Q191914`` plus its title)."""

    id: str
    title: str
    line: int


@dataclass
class EventLogEntry:
    """One Event Viewer excerpt quoted in the body (kb-format §2.5 lists the variants)."""

    line: int
    type: str | None = None
    source: str | None = None
    category: str | None = None
    event_id: int | None = None
    date: str | None = None
    time: str | None = None
    user: str | None = None
    computer: str | None = None
    description: str | None = None


# EventLogEntry's fields with their Event Viewer labels, in the order the Event Viewer shows them.
EVENT_LOG_FIELDS: tuple[tuple[str, str], ...] = (
    ("type", "Event Type"),
    ("source", "Event Source"),
    ("category", "Event Category"),
    ("event_id", "Event ID"),
    ("date", "Date"),
    ("time", "Time"),
    ("user", "User"),
    ("computer", "Computer"),
    ("description", "Description"),
)


@dataclass
class Download:
    """A download left behind by a removed web link: ``x86: DownloadDownload F now`` + URL."""

    line: int
    arch: str | None
    file: str
    url: str | None = None


@dataclass
class FooterField:
    """One ``Label             : value`` line of the footer block."""

    key: str
    value: str
    line: int


@dataclass
class Notice:
    """The legal trailer, recognised as a known notice and referenced rather than copied."""

    kind: str
    year: int


@dataclass
class Source:
    """Where the record came from: file name, decoding, line endings, checksum of the bytes."""

    file: str
    encoding: str = "cp1252"
    line_endings: str = "CRLF"
    sha256: str = ""


@dataclass
class Layout:
    """Byte-level details the writer needs beyond the structured fields (lossless round trip).

    Raw line lists (``*_lines``) are only set when a part does not match the shape the writer
    regenerates; they then win over the structured fields, so no byte is ever lost.
    """

    header_keywords: str = ""
    header_title: str | None = None
    top_rule: bool = True
    preamble: list[str] | None = None
    applies_to_rule: int = 79
    applies_to_lines: list[str] | None = None
    body_tail_blanks: int = 0
    aqw_blanks_after: int = 1
    aqw_line: str | None = None
    footer_lines: list[str] | None = None
    trailer_lines: list[str] | None = None


@dataclass
class Article:
    """A KB article as a structured record: a lossless classic import, or a native Markdown article.

    ``origin`` tells them apart. A classic import keeps its provenance (``source`` with the
    original bytes' hash, ``layout``, ``notice``, ``footer``, classic line numbers); a Markdown
    article (``origin == "markdown"``) has only what every article has, its lines are those of
    the ``.md`` file, and ``markdown`` holds the file's text, which is its one source of truth.
    """

    id: str
    title: str
    title_prefix: str | None
    date: _dt.date
    category: str
    product: str
    prod_ver: str
    oper_sys: str
    keywords: list[str] = field(default_factory=list)
    applies_to: list[AppliesTo] | None = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    event_log: list[EventLogEntry] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)
    query_words: str | None = None
    footer: list[FooterField] | None = field(default_factory=list)
    notice: Notice | None = None
    status: dict[str, Any] | None = None
    repro: dict[str, Any] | None = None
    source: Source = field(default_factory=lambda: Source(file=""))
    layout: Layout = field(default_factory=Layout)
    origin: str = "classic"
    description: str | None = None
    # The text of the .md file a Markdown article was read from (not part of the record).
    markdown: str | None = field(default=None, repr=False, compare=False)

    @property
    def is_markdown(self) -> bool:
        """Tell whether the article is a native Markdown article (not a classic import)."""
        return self.origin == "markdown"

    def section(self, name: str) -> Section | None:
        """Return the first section whose heading is ``name`` (case-insensitive), or None."""
        wanted = name.strip().upper()
        for section in self.sections:
            if section.heading is not None and section.heading.strip().upper() == wanted:
                return section
        return None

    def footer_value(self, key: str) -> str | None:
        """Return the value of footer field ``key``, or None."""
        for item in self.footer or []:
            if item.key == key:
                return item.value
        return None

    @property
    def full_title(self) -> str:
        """Return the title as the TITLE line shows it (with its ``XFOR:`` prefix)."""
        return f"{self.title_prefix}: {self.title}" if self.title_prefix else self.title
