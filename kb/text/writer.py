"""``Article`` -> classic KB bytes, byte-identical to the file it was parsed from."""

from __future__ import annotations

from kb.exceptions import RecordError
from kb.model import Article
from kb.text import parts
from kb.text.codec import encode
from kb.text.segmenter import AQW, TOP_RULE

ENDINGS = {"CRLF": "\r\n", "LF": "\n"}


def body_lines(article: Article) -> list[str]:
    """Return the body lines: headings with their underlines, blocks and the empty lines between."""
    out: list[str] = []
    for section in article.sections:
        if section.heading is not None:
            out.extend([""] * section.blank_before)
            out.append(section.heading)
            out.append("=" * len(section.heading))
        for block in section.blocks:
            out.extend([""] * block.blank_before)
            out.extend(block.text.split("\n"))
    out.extend([""] * article.layout.body_tail_blanks)
    return out


def lines(article: Article) -> list[str]:
    """Return every line of the classic text of ``article``."""
    layout = article.layout
    out = [
        f"DOCUMENT:{article.id}  {parts.format_date(article.date)}  [{article.category}]",
        "TITLE   :" + (layout.header_title if layout.header_title is not None else article.full_title),
        "PRODUCT :" + article.product,
        "PROD/VER:" + article.prod_ver,
        "OPER/SYS:" + article.oper_sys,
        "KEYWORDS:" + layout.header_keywords,
        "",
    ]
    if layout.top_rule:
        out.append(TOP_RULE)
    if layout.preamble:
        out.extend(layout.preamble)
    if layout.applies_to_lines is not None:
        out.extend(layout.applies_to_lines)
    elif article.applies_to is not None:
        out.extend(parts.applies_to_lines(article.applies_to, layout.applies_to_rule))
    out.extend(body_lines(article))
    if article.query_words is not None:
        if layout.aqw_line is not None:
            out.append(layout.aqw_line)
        else:
            out.append(AQW + (f" {article.query_words}" if article.query_words else ""))
        out.extend([""] * layout.aqw_blanks_after)
    if article.footer is not None:
        out.append(TOP_RULE)
        out.extend(layout.footer_lines if layout.footer_lines is not None else parts.footer_lines(article.footer))
    if article.notice is not None:
        out.extend(parts.notice_lines(article.notice))
    elif layout.trailer_lines is not None:
        out.extend(layout.trailer_lines)
    return out


def write(article: Article) -> bytes:
    """Return the classic text bytes of ``article`` (CRLF, no final newline, cp1252)."""
    ending = ENDINGS.get(article.source.line_endings)
    if ending is None:
        raise RecordError(article.source.file, None, f"unknown line_endings {article.source.line_endings!r}, expected CRLF or LF")
    text = ending.join(lines(article))
    try:
        return encode(text)
    except UnicodeEncodeError as error:
        char = error.object[error.start]
        line = text.count("\n", 0, error.start) + 1
        raise RecordError(
            article.source.file, line, f"character {char!r} (U+{ord(char):04X}) cannot be written in cp1252"
        ) from None
