"""Split a classic KB file's lines into its parts (kb-format §7, round-trips 56,989 files).

header / top rule / preamble / applies-to block / body / "Additional query words" / footer /
legal trailer. Indexes are 0-based into the line list; only the header is mandatory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.exceptions import ParseError

DOCUMENT_RE = re.compile(r"^DOCUMENT:(Q[0-9]+)  ([0-9][0-9]-[A-Z]{3}-[0-9]{4})  \[([a-z0-9]+)\]$")
LABELS: tuple[str, ...] = ("DOCUMENT:", "TITLE   :", "PRODUCT :", "PROD/VER:", "OPER/SYS:", "KEYWORDS:")
TOP_RULE = "=" * 70
TRAILER_RULE = "=" * 77
APPLIES_TO = "The information in this article applies to:"
AQW = "Additional query words:"
FOOTER_RE = re.compile(r"^([A-Z][A-Za-z /]*?)( *): (.*)$")
TRAILER_LENGTH = 16


@dataclass
class Segments:
    """Where each part of the file starts and ends (0-based, end exclusive)."""

    header: list[str]
    top_rule: bool
    preamble: tuple[int, int] | None
    applies_to: tuple[int, int] | None  # opening rule .. closing rule (inclusive)
    body: tuple[int, int]
    aqw: int | None
    aqw_blanks_after: int
    footer: tuple[int, int] | None  # footer rule .. end of fields (exclusive)
    trailer: int  # index of the first trailer line (== len(lines) when there is none)


def _show(text: str, limit: int = 60) -> str:
    """Quote a line for an error message, shortened."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def check_header(lines: list[str], path: str) -> None:
    """Raise ParseError unless lines 1-7 are the six labelled header lines and an empty line."""
    first = lines[0]
    if not first.startswith("DOCUMENT:"):
        raise ParseError(
            path, 1, f"not a classic KB article: line 1 is {_show(first)}, expected 'DOCUMENT:Q<id>  DD-MON-YYYY  [category]'"
        )
    if not DOCUMENT_RE.match(first):
        raise ParseError(
            path, 1, f"malformed DOCUMENT line {_show(first)}, expected 'DOCUMENT:Q<id>  DD-MON-YYYY  [category]'"
        )
    for index, label in enumerate(LABELS[1:], start=1):
        if index >= len(lines):
            raise ParseError(path, index, f"truncated header: the file ends before the {label[:-1].strip()!r} line")
        if not lines[index].startswith(label):
            raise ParseError(
                path, index + 1, f"truncated header: got {_show(lines[index])}, expected a line starting with {label!r}"
            )
    if len(lines) < 7:
        raise ParseError(path, 6, "truncated header: the file ends after the KEYWORDS line, expected an empty line")
    if lines[6] != "":
        raise ParseError(path, 7, f"truncated header: got {_show(lines[6])}, expected an empty line after KEYWORDS")


def trailer_start(lines: list[str]) -> int:
    """Return the index of the legal trailer (the empty line before "=" x 77), or len(lines)."""
    start = len(lines) - TRAILER_LENGTH
    if (
        start >= 7
        and lines[start] == ""
        and lines[start + 1] == TRAILER_RULE
        and lines[start + 2] == ""
        and lines[-1].startswith("Copyright Microsoft Corporation ")
    ):
        return start
    # Not the usual 16 lines: the trailer still opens with the only "=" x 77 rule (§2.1).
    for index in range(len(lines) - 1, 8, -1):
        if lines[index] == TRAILER_RULE and lines[index - 1] == "":
            return index - 1
    return len(lines)


def _is_dash_rule(line: str) -> bool:
    """Tell whether a line is a rule of at least 10 dashes."""
    return len(line) >= 10 and line == "-" * len(line)


def _is_heading_at(lines: list[str], index: int) -> bool:
    """Tell whether lines[index] is underlined by "=" of its length."""
    text = lines[index]
    return bool(text) and index + 1 < len(lines) and lines[index + 1] == "=" * len(text)


def segment(lines: list[str], path: str) -> Segments:
    """Find the parts of a classic KB file whose header is already checked."""
    end = trailer_start(lines)

    # Footer: backwards over "Label   : value" lines up to the last "=" x 70 (census §7.4).
    footer: tuple[int, int] | None = None
    index = end - 1
    while index > 7:
        line = lines[index]
        if line == TOP_RULE:
            footer = (index, end)
            break
        if not FOOTER_RE.match(line):
            break
        index -= 1
    body_end = footer[0] if footer else end

    # Additional query words: the first non-empty line above the footer rule.
    aqw: int | None = None
    blanks = 0
    index = body_end - 1
    while index > 7 and lines[index] == "":
        index -= 1
        blanks += 1
    if index > 7 and lines[index].startswith(AQW):
        aqw = index
        body_end = index
    top_rule = len(lines) > 7 and lines[7] == TOP_RULE and (footer is None or footer[0] != 7)
    start = 8 if top_rule else 7
    body_end = max(body_end, start)

    # Applies-to: a dash rule, the stock sentence, items, the same rule again (census §7.7).
    applies: tuple[int, int] | None = None
    preamble: tuple[int, int] | None = None
    for index in range(start + 1, min(start + 40, body_end)):
        if _is_heading_at(lines, index - 1):
            break
        if lines[index] == APPLIES_TO and _is_dash_rule(lines[index - 1]):
            rule = lines[index - 1]
            for close in range(index + 1, body_end):
                if lines[close] == rule:
                    applies = (index - 1, close)
                    preamble = (start, index - 1)
                    break
            break
    body_start = applies[1] + 1 if applies else start
    return Segments(
        header=lines[:7],
        top_rule=top_rule,
        preamble=preamble,
        applies_to=applies,
        body=(body_start, max(body_end, body_start)),
        aqw=aqw,
        aqw_blanks_after=blanks if aqw is not None else 0,
        footer=footer,
        trailer=end,
    )
