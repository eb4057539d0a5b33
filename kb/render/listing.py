"""Read indentation-structured plain text (lists, nested notes, indented samples) as a tree.

KB lists are written with indentation only (kb-format.md §2.4-2.5): ``1. Step`` with its wrapped
lines indented under the text, ``NOTE:`` paragraphs nested under a step, commands indented
deeper still.  This module turns such text into a small tree that the Markdown renderer walks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "1. ", "12) ", "a. ", "- ", "* ", "o ", "· " (older articles use "o" and middle dots).
_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>\d{1,3}[.)]|[a-zA-Z][.)]|[-*o\u00b7\u2022])[ \t]+(?P<text>\S.*)$")


@dataclass
class Chunk:
    """A run of text lines (``code`` when indented beyond the text around it)."""

    lines: list[str]
    code: bool = False


@dataclass
class Item:
    """One list item: its marker, its first chunk of text and what is nested under it."""

    marker: str
    children: list["Chunk | Item"] = field(default_factory=list)
    # An empty line followed the item in the source (a "loose" list in CommonMark terms).
    blank_after: bool = False

    @property
    def ordered(self) -> bool:
        """Return True for a numbered item (``1.``)."""
        return self.marker[0].isdigit()


def marker_of(line: str) -> re.Match[str] | None:
    """Return the list-marker match of ``line``, or None."""
    match = _MARKER.match(line)
    if match and match.group("marker") == "o" and not match.group("text")[:1].isupper():
        return None  # "o" is a bullet only before a capital: "o Set the ..." not "o the"
    return match


def _indent(line: str) -> int:
    """Return the width of a line's leading whitespace (a TAB counts as 8)."""
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip(" "))


def is_list(text: str) -> bool:
    """Return True when the text starts with a list marker."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return marker_of(first) is not None


def parse(lines: list[str], base: int | None = None) -> list["Chunk | Item"]:
    """Parse lines into a sequence of chunks and items; ``base`` is the text column."""
    nodes: list[Chunk | Item] = []
    if base is None:
        base = min((_indent(line) for line in lines if line.strip()), default=0)
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        match = marker_of(line)
        if match is not None and _indent(line) <= base + 3:
            column = len(line.expandtabs(8)) - len(match.group("text").expandtabs(8))
            body = [match.group("text")]
            index += 1
            # Wrapped lines of the item's first paragraph belong to it whatever their indent.
            while index < len(lines) and lines[index].strip():
                if marker_of(lines[index]) and _indent(lines[index]) <= _indent(line):
                    break
                body.append(lines[index])
                index += 1
            # After an empty line the item owns what is indented deeper than its marker: KB
            # text aligns "10." items' wrapped lines at 3 like the others, not at the text.
            while index < len(lines):
                nxt = lines[index]
                if nxt.strip() and _indent(nxt) <= _indent(line):
                    break
                body.append(nxt)
                index += 1
            blank_after = False
            while body and not body[-1].strip():
                body.pop()
                blank_after = True
            nodes.append(Item(match.group("marker"), _item_children(body, column), blank_after))
            continue
        chunk = [line]
        index += 1
        while index < len(lines) and lines[index].strip():
            if marker_of(lines[index]) and _indent(lines[index]) <= base + 3:
                break
            chunk.append(lines[index])
            index += 1
        nodes.append(Chunk(chunk, code=_indent(line) > base + 1 and not marker_of(line)))
    return nodes


def _item_children(body: list[str], column: int) -> list["Chunk | Item"]:
    """Split an item's own lines into its first paragraph and the nested blocks after it."""
    first: list[str] = [body[0]]
    index = 1
    while index < len(body) and body[index].strip() and not marker_of(body[index]):
        first.append(body[index])
        index += 1
    rest = parse(body[index:], base=column) if index < len(body) else []
    return [Chunk(first), *rest]
