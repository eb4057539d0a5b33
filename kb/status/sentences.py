"""Split a STATUS section into sentences that remember the source line they start on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.model import Section

# Abbreviations whose period never ends a sentence (kb-format.md §6.1: keep "U.S." intact,
# or "corrected in the latest U.S. | Service Pack" is cut in two).
_ABBREVIATIONS = re.compile(r"(?:\bU\.S|\be\.g|\bi\.e|\betc|\bInc|\bCorp|\bvs|\bNo|\bMr|\bDr|\bSt|\bver|\bapprox)$", re.I)
# A sentence ends at . ! ? followed by space and a capital or an opening bracket, or at the end.
_END = re.compile(r"[.!?](?=\s+[\"'(\[A-Z]|\s*$)")
# Sentences glued without a space ("...version 5.5.This problem was first corrected...").
_GLUED = re.compile(r"(?<=[a-z0-9)])\.(?=(?:This|Microsoft|We|For|A|To|The|Unless|Contact|Please)\b)")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a section: whitespace collapsed, with the 1-based line it starts on."""

    text: str
    line: int


def _line_at(marks: list[tuple[int, int]], offset: int) -> int:
    """Return the source line that holds character ``offset`` of the joined text."""
    line = marks[0][1] if marks else 0
    for start, number in marks:
        if start > offset:
            break
        line = number
    return line


def split_text(text: str, first_line: int = 1) -> list[Sentence]:
    """Split plain text (lines joined by LF) into sentences; lines count from ``first_line``."""
    marks: list[tuple[int, int]] = []
    offset = 0
    for number, raw in enumerate(text.split("\n")):
        marks.append((offset, first_line + number))
        offset += len(raw) + 1
    return _split(text.replace("\n", " "), marks)


def split_section(section: Section, kinds: tuple[str, ...] | None = None) -> list[Sentence]:
    """Split a section into sentences block by block (a sentence never crosses an empty line).

    ``kinds`` keeps only blocks of those kinds (e.g. ("paragraph",) to skip tables and code).
    """
    sentences: list[Sentence] = []
    for block in section.blocks:
        if kinds is None or block.kind in kinds:
            sentences.extend(split_text(block.text, block.line))
    return sentences


def _split(joined: str, marks: list[tuple[int, int]]) -> list[Sentence]:
    """Cut joined text at sentence ends, skipping abbreviations and mending glued sentences."""
    cuts: list[int] = []
    for match in _END.finditer(joined):
        if _ABBREVIATIONS.search(joined[: match.start()]):
            continue
        cuts.append(match.end())
    cuts.extend(match.end() for match in _GLUED.finditer(joined))
    sentences: list[Sentence] = []
    start = 0
    for cut in sorted(set(cuts)) + [len(joined)]:
        chunk = joined[start:cut]
        stripped = chunk.strip()
        if stripped:
            lead = start + (len(chunk) - len(chunk.lstrip()))
            sentences.append(Sentence(_SPACE.sub(" ", stripped), _line_at(marks, lead)))
        start = cut
    return sentences
