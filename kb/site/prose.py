"""Render classic KB prose (paragraphs and lists) to HTML exactly as markdown-it-py would.

The classic body is plain text, hard-wrapped, with no markup of its own, so the site's parser
recognises only paragraphs and lists ("zero" preset plus "list", CommonMark 0.31 §4.8, §5.2,
§5.3): emphasis, escapes, entities, autolinks, code blocks and raw HTML would all change what
the article says. Parsing that with markdown-it costs ten times what the text needs, so
``prose_html`` renders the shapes nearly every article has (paragraphs, and flat lists whose
markers start at the margin) with a small line machine, and hands anything else (tabs, nested
or indented markers, empty items, "-     wide" markers) to markdown-it. Either way the HTML is
the configured parser's: tests/site/test_site_prose.py compares the two on generated text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

_trim: Callable[[str], str]
try:  # markdown-it-py 4 trims paragraphs with the CommonMark whitespace set
    from markdown_it.common.utils import mdTrim as _trim
except ImportError:  # pragma: no cover - markdown-it-py 3 used str.strip
    _trim = str.strip


@cache
def _markdown() -> MarkdownIt:
    """Return the one configured parser: paragraphs and lists, never raw HTML."""
    return MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
        ["list"]
    )


def preload() -> None:
    """Build the parser now (before forking workers that render bodies)."""
    _markdown()


#: A line that may open a list item: markers "-", "+", "*", or up to nine digits and "." or ")",
#: then a space, a tab or the line's end (CommonMark §5.2, §5.3). Any indentation counts here,
#: more than the list rule takes: a false alarm only costs the line machine.
_MAY_LIST = re.compile(r"^[ \t]*(?:[*+-]|[0-9]{1,9}[.)])(?:[ \t]|$)", re.MULTILINE)

#: A list marker at the margin and the spaces after it (tabs never reach the line machine).
_MARKER = re.compile(r"(?:([*+-])|([0-9]{1,9})([.)]))( *)")


@dataclass(frozen=True)
class _Item:
    """A line opening a list item: its marker, its content and the content's column."""

    char: str  # the bullet, or the ordered delimiter: a different one starts a new list
    number: int | None  # None for a bullet
    width: int  # the item's content column (CommonMark's W + N)
    content: str


class _Unsupported(Exception):
    """The text has a shape the line machine does not render: markdown-it will."""


def _item(line: str) -> _Item | None:
    """Return the list item a line opens, None for text; raise for shapes left to markdown-it."""
    if not _MAY_LIST.match(line):
        return None
    found = _MARKER.match(line)
    if found is None:  # indented: a nested list, or a paragraph continuation by indentation
        raise _Unsupported
    bullet, digits, delimiter, spaces = found.groups()
    content = line[found.end():]
    # An empty item, or five spaces or more (the content column is then marker + 1), or
    # content that opens a list itself (a nested list on the same line).
    if not content or len(spaces) > 4 or _MAY_LIST.match(content):
        raise _Unsupported
    return _Item(bullet or delimiter, None if bullet else int(digits), found.end(), content)


def _blank(line: str) -> bool:
    """Tell whether markdown-it calls a line empty (spaces and tabs only)."""
    return not line.strip(" \t")


def _dedent(line: str, width: int) -> str:
    """Remove up to ``width`` leading spaces, as markdown-it's getLines does inside an item."""
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, width):]


def _paragraph(lines: list[str]) -> str:
    """Return one paragraph's text as markdown-it's paragraph rule gives it."""
    return escapeHtml(_trim("\n".join(lines)))


class _Machine:
    """Walk the lines once, as markdown-it's block tokenizer would, and write the HTML."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.items = [_item(line) for line in lines]
        self.out: list[str] = []

    def _skip_blank(self, at: int) -> int:
        """Return the first line from ``at`` on that is not blank (or the end)."""
        while at < len(self.lines) and _blank(self.lines[at]):
            at += 1
        return at

    def run(self) -> str:
        """Render the whole text."""
        at = self._skip_blank(0)
        while at < len(self.lines):
            at = self._list(at) if self.items[at] else self._top_paragraph(at)
            at = self._skip_blank(at)
        return "".join(self.out)

    def _top_paragraph(self, at: int) -> int:
        """Render a paragraph at the margin: a bullet or a "1." item interrupts it (§5.2)."""
        end = at + 1
        while end < len(self.lines) and not _blank(self.lines[end]):
            item = self.items[end]
            if item is not None and (item.number is None or item.number == 1):
                break
            end += 1
        self.out.append(f"<p>{_paragraph(self.lines[at:end])}</p>\n")
        return end

    def _list(self, at: int) -> int:
        """Render one list from its first item; return the line after it."""
        first = self.items[at]
        assert first is not None
        items: list[list[str]] = []
        tight, empty_end = True, False
        while True:
            item = self.items[at]
            assert item is not None
            paragraphs, end, loose = self._item_body(at, item)
            items.append(paragraphs)
            tight = tight and not loose and not empty_end
            # An item that ends with a blank line makes the next item loose (CommonMark §5.3).
            empty_end = end - at > 1 and _blank(self.lines[end - 1])
            at = end
            # The list goes on while the next item has the same bullet, or the same delimiter
            # after its number (the two sets of characters do not overlap).
            following = self.items[at] if at < len(self.lines) else None
            if following is None or following.char != first.char:
                break
        if first.number is None:
            self.out.append("<ul>\n")
        else:
            self.out.append('<ol>\n' if first.number == 1 else f'<ol start="{first.number}">\n')
        for paragraphs in items:
            if tight:
                self.out.append(f"<li>{paragraphs[0]}</li>\n")
            else:
                self.out.append("<li>\n" + "".join(f"<p>{p}</p>\n" for p in paragraphs) + "</li>\n")
        self.out.append("</ul>\n" if first.number is None else "</ol>\n")
        return at

    def _item_body(self, at: int, item: _Item) -> tuple[list[str], int, bool]:
        """Return an item's paragraphs, the line after it, and whether blank lines split it."""
        lines, width = self.lines, item.width
        paragraphs: list[str] = []
        current = [item.content]
        line, had_blank, loose = at + 1, False, False
        while True:
            # A paragraph runs to a blank line or a marker at the margin (any number ends an
            # item's paragraph); lines indented less than the item are lazy continuations.
            while line < len(lines) and not _blank(lines[line]) and self.items[line] is None:
                current.append(_dedent(lines[line], width))
                line += 1
            paragraphs.append(_paragraph(current))
            loose = loose or had_blank
            if line < len(lines) and _blank(lines[line]):
                had_blank = True
                line = self._skip_blank(line)
                # After a blank line, only a line indented to the item's column continues it.
                text = lines[line] if line < len(lines) else ""
                if line < len(lines) and self.items[line] is None and len(text) - len(text.lstrip(" ")) >= width:
                    current = [_dedent(text, width)]
                    line += 1
                    continue
            return paragraphs, line, loose


def prose_html(text: str) -> str:
    """Render prose exactly as the configured markdown-it renders it (paragraphs and lists)."""
    if "\r" in text or "\0" in text:
        return _markdown().render(text)  # markdown-it normalises \r and NUL first
    if "\t" in text and _MAY_LIST.search(text) is not None:
        return _markdown().render(text)  # a tab's width in a list's indentation: left to markdown-it
    try:
        return _Machine(text.split("\n")).run()
    except _Unsupported:
        return _markdown().render(text)


__all__ = ["preload", "prose_html"]
