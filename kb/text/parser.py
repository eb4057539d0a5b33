"""Classic KB bytes -> ``Article``: sniff, decode, split lines, segment, read each part."""

from __future__ import annotations

import hashlib
import os

from kb.exceptions import ParseError
from kb.model import Article, Layout, Source
from kb.text import extract, parts
from kb.text.blocks import split_body
from kb.text.codec import ENCODING, decode, sniff
from kb.text.segmenter import AQW, DOCUMENT_RE, check_header, segment

LABEL_WIDTH = 9  # "TITLE   :" etc. (kb-format §1: fixed 9-character labels)


def split_lines(text: str, path: str) -> tuple[list[str], str]:
    """Split text on its line ending (CRLF or LF); reject mixed endings rather than guess."""
    if "\r\n" in text:
        lines = text.split("\r\n")
        ending = "CRLF"
    else:
        lines = text.split("\n")
        ending = "LF"
    for number, line in enumerate(lines, start=1):
        if "\r" in line or "\n" in line:
            stray = "CR" if "\r" in line else "LF"
            raise ParseError(path, number, f"mixed line endings: a bare {stray} inside a line, expected {ending} only")
    return lines, ending


def parse(data: bytes, path: str) -> Article:
    """Parse the bytes of a classic KB article; raises ParseError with a located message."""
    sniff(data, path)
    lines, ending = split_lines(decode(data), path)
    check_header(lines, path)
    seg = segment(lines, path)

    match = DOCUMENT_RE.match(lines[0])
    assert match is not None  # check_header guarantees it
    article_id, date_text, category = match.groups()
    try:
        date = parts.parse_date(date_text)
    except ValueError:
        raise ParseError(path, 1, f"invalid date {date_text!r}, expected a real DD-MON-YYYY date") from None
    title_raw = lines[1][LABEL_WIDTH:]
    prefix, title = parts.split_title(title_raw)
    layout = Layout(header_keywords=lines[5][LABEL_WIDTH:], top_rule=seg.top_rule)
    if (f"{prefix}: {title}" if prefix else title) != title_raw:
        layout.header_title = title_raw

    applies_to = None
    if seg.applies_to is not None:
        first, last = seg.applies_to
        raw = lines[first : last + 1]
        applies_to = parts.read_applies_to(lines[first + 2 : last], first + 3)
        layout.applies_to_rule = len(lines[first])
        if parts.applies_to_lines(applies_to, layout.applies_to_rule) != raw:
            layout.applies_to_lines = raw
    if seg.preamble is not None and seg.preamble[1] > seg.preamble[0]:
        layout.preamble = lines[seg.preamble[0] : seg.preamble[1]]

    body_start, body_end = seg.body
    sections, layout.body_tail_blanks = split_body(lines[body_start:body_end], body_start + 1)
    blocks = [block for section in sections for block in section.blocks]

    query_words = None
    if seg.aqw is not None:
        raw_aqw = lines[seg.aqw][len(AQW) :]
        query_words = raw_aqw[1:] if raw_aqw.startswith(" ") else raw_aqw
        if AQW + (f" {query_words}" if query_words else "") != lines[seg.aqw]:
            layout.aqw_line = lines[seg.aqw]
        layout.aqw_blanks_after = seg.aqw_blanks_after

    footer = None
    if seg.footer is not None:
        rule, end = seg.footer
        footer = parts.read_footer(lines[rule + 1 : end], rule + 2)
        if parts.footer_lines(footer) != lines[rule + 1 : end]:
            layout.footer_lines = lines[rule + 1 : end]

    trailer = lines[seg.trailer :]
    notice = parts.read_notice(trailer)
    if notice is None and trailer:
        layout.trailer_lines = trailer

    keyword_value = next((f.value for f in footer or [] if f.key == "Keywords"), None)
    return Article(
        id=article_id,
        title=title,
        title_prefix=prefix,
        date=date,
        category=category,
        product=lines[2][LABEL_WIDTH:],
        prod_ver=lines[3][LABEL_WIDTH:],
        oper_sys=lines[4][LABEL_WIDTH:],
        keywords=parts.keywords(keyword_value, layout.header_keywords),
        applies_to=applies_to,
        sections=sections,
        references=list(extract.references(blocks)),
        event_log=list(extract.event_log(blocks)),
        downloads=list(extract.downloads(blocks)),
        query_words=query_words,
        footer=footer,
        notice=notice,
        source=Source(
            file=os.path.basename(path),
            encoding=ENCODING,
            line_endings=ending,
            sha256=hashlib.sha256(data).hexdigest(),
        ),
        layout=layout,
    )
