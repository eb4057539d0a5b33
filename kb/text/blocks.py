"""Body lines -> sections and typed blocks, by an ordered table of small recognisers.

A section starts at a line underlined with ``=`` of exactly its length, preceded by an empty
line or the start of the body (kb-format §2.4). Inside a section, a block is a run of non-empty
lines (whitespace-only lines count as content); a ``-``-underlined sub-heading at the start of a
run becomes its own block. Each block keeps its raw text and the number of empty lines before it.
"""

from __future__ import annotations

import re
from typing import Callable

from kb.model import Block, Section

Recogniser = Callable[[list[str], str], bool]  # (lines, the same lines joined by LF)

RULE_RE = re.compile(r"^\s*(=+|-+|\*+|_+|~+)\s*$")
EVENT_RE = re.compile(r"^\s*(Event\s*Type|Event\s*Source|Event\s*Category|Event\s*I[Dd]\b)", re.I)
# "   Q191914 Title" (§2.6), also "   Q126497: Title" as in service-pack fix lists.
REFERENCE_RE = re.compile(r"^(\s*)(Q[0-9]{5,6})(:?\s+)(\S.*)$")
# An indented article number alone on its line, under "click the article numbers below".
BARE_REFERENCE_RE = re.compile(r"^(\s+)(Q[0-9]{5,6})\s*$")
ARTICLE_ID_RE = re.compile(r"^\s*ARTICLE-ID\s*:\s*(Q[0-9]{5,6})\s*$")
ARTICLE_TITLE_RE = re.compile(r"^\s*TITLE\s*:\s?(.*)$")
# "x86: DownloadDownload F now", "DownloadDownload the Q312273 package now", "... Filename F now".
DOWNLOAD_RE = re.compile(
    r"^\s*(?:(?P<arch>[^:]{1,40}?)\s*:\s*)?Download(?:Download)?\s+(?:Filename\s+|the\s+)?"
    r"(?P<file>\S+)(?:\s+package)?\s+now\b"
)
LIST_RE = re.compile(r"^\s*(\d{1,3}[.)]|[a-zA-Z][.)]|[-*\u2022\xb7o])\s+\S")
TABLE_RE = re.compile(r"^\s*(\+[-=+]{3,}|\|.*\|\s*$)")


def _is_rule(lines: list[str], text: str) -> bool:
    """Accept a single line that is a rule of "=", "-", "*", "_" or "~"."""
    return len(lines) == 1 and bool(RULE_RE.match(lines[0])) and len(lines[0].strip()) >= 3


def _is_subheading(lines: list[str], text: str) -> bool:
    """Accept a text line underlined by "-" of its length."""
    return len(lines) == 2 and is_subheading(lines, 0)


def _is_event_log(lines: list[str], text: str) -> bool:
    """Accept a block with an Event Viewer key line (Event ID, Event Type, ...)."""
    return "event" in text.lower() and any(EVENT_RE.match(line) for line in lines)


def _is_references(lines: list[str], text: str) -> bool:
    """Accept a block of "   Q123456 Title" lines (with continuations) or ARTICLE-ID pairs."""
    if not (REFERENCE_RE.match(lines[0]) or BARE_REFERENCE_RE.match(lines[0]) or ARTICLE_ID_RE.match(lines[0])):
        return False
    return all(
        REFERENCE_RE.match(line) or ARTICLE_ID_RE.match(line) or ARTICLE_TITLE_RE.match(line) or line[:1].isspace()
        for line in lines
    )


def _is_downloads(lines: list[str], text: str) -> bool:
    """Accept a block with a "x86: DownloadDownload FILE now" line."""
    return "ownload" in text and any(DOWNLOAD_RE.match(line) for line in lines)


def _is_table(lines: list[str], text: str) -> bool:
    """Accept a block whose lines are mostly "+---+" borders or "| ... |" rows."""
    if "|" not in text and "+" not in text:
        return False
    rows = sum(1 for line in lines if TABLE_RE.match(line))
    return rows >= 2 and rows * 2 >= len(lines)


def _is_list(lines: list[str], text: str) -> bool:
    """Accept a block that starts with a numbered, lettered or bulleted item."""
    return bool(LIST_RE.match(lines[0]))


def _is_literal(lines: list[str], text: str) -> bool:
    """Accept a block whose every line is indented (code, quoted messages, paths)."""
    return all(line[:1] in (" ", "\t") for line in lines)


#: Ordered recognisers: the first that accepts a block names its kind; "paragraph" otherwise.
RECOGNISERS: list[tuple[str, Recogniser]] = [
    ("rule", _is_rule),
    ("subheading", _is_subheading),
    ("event_log", _is_event_log),
    ("references", _is_references),
    ("downloads", _is_downloads),
    ("table", _is_table),
    ("list", _is_list),
    ("literal", _is_literal),
]


def classify(lines: list[str], text: str | None = None) -> str:
    """Return the kind of a block of raw lines."""
    joined = "\n".join(lines) if text is None else text
    for kind, accepts in RECOGNISERS:
        if accepts(lines, joined):
            return kind
    return "paragraph"


def is_heading(lines: list[str], index: int) -> bool:
    """Tell whether lines[index] is a main heading: text underlined by '=' of the same length."""
    text = lines[index]
    return (
        bool(text.strip())
        and not text[0].isspace()
        and text.strip("=") != ""
        and index + 1 < len(lines)
        and lines[index + 1] == "=" * len(text)
    )


def is_subheading(lines: list[str], index: int) -> bool:
    """Tell whether lines[index] is a sub-heading: text underlined by '-' of the same length."""
    text = lines[index]
    indent = len(text) - len(text.lstrip(" "))  # §2.4: 15 sub-headings are indented, underline too
    return (
        bool(text.strip())
        and text.strip().strip("-") != ""
        and index + 1 < len(lines)
        and lines[index + 1] == " " * indent + "-" * (len(text) - indent)
        and len(text.strip()) >= 2
    )


def split_body(lines: list[str], first_line: int) -> tuple[list[Section], int]:
    """Split body lines (the first is file line ``first_line``) into sections; return trailing blanks."""
    sections: list[Section] = []
    blanks = 0
    index = 0
    count = len(lines)
    while index < count:
        if lines[index] == "":
            blanks += 1
            index += 1
            continue
        stop = index
        while stop < count and lines[stop] != "":
            stop += 1
        run = lines[index:stop]
        offset = 0
        if is_heading(run, 0):
            sections.append(Section(heading=run[0], line=first_line + index, blocks=[], blank_before=blanks))
            blanks = 0
            offset = 2
        elif not sections:
            sections.append(Section(heading=None, line=first_line + index, blocks=[], blank_before=0))
        section = sections[-1]
        while offset < len(run):
            if is_subheading(run, offset):
                chunk = run[offset : offset + 2]
            else:
                chunk = run[offset:]
            text = "\n".join(chunk)
            section.blocks.append(
                Block(kind=classify(chunk, text), line=first_line + index + offset, text=text, blank_before=blanks)
            )
            blanks = 0
            offset += len(chunk)
        index = stop
    return sections, blanks
