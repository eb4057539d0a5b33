"""Turn a run of article text into CommonMark inline source that shows literally.

Article text is plain text written in 1999-2002: it is full of ``<placeholders>``, ``*.LOG``
wildcards, ``C:\\path\\`` names and ``<<.>>`` markers that Markdown would otherwise read as
markup.  Escaping here is minimal (only what CommonMark would misread) so the Markdown source
still reads well; bare URLs become autolinks and article numbers become links.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

#: Maps an article id ("Q191914") to a link target, or None to leave the id as plain text.
Linker = Callable[[str], "str | None"]

_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# A URL as written in KB text; trailing sentence punctuation is not part of it.
_URL = r"(?:https?|ftp|file|news|gopher)://[^\s<>\"()\[\]]+"
# An article number that is not part of a word, path or query string (kb-format.md §2.6).
_QID = r"(?<![\w/=?&.\\-])Q[0-9]{5,6}(?![\w])"
_TOKEN = re.compile(f"(?P<url>{_URL})|(?P<qid>{_QID})")
# Line starts that open a block: ATX heading, quote, bullet, fence, thematic break, ordered item.
_LINE_START = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|~~~|([-*_])(?:\s*\1){2,}\s*$|\d{1,9}[.)](?=\s|$))")


def default_link(article_id: str) -> str:
    """Link an article to ``QNNNNNN.md`` beside the current one."""
    return f"{article_id}.md"


def _is_punct(char: str) -> bool:
    """Return True for punctuation in the CommonMark sense (ASCII or Unicode P*/S*)."""
    return char in _PUNCT or (bool(char) and unicodedata.category(char)[0] in "PS")


def _can_open(run: str, before: str, after: str) -> bool:
    """Tell whether a ``*``/``_`` delimiter run could open emphasis (CommonMark §6.2)."""
    left = not after.isspace() and (not _is_punct(after) or before.isspace() or _is_punct(before))
    if run[0] == "*":
        return left
    right = not before.isspace() and (not _is_punct(before) or after.isspace() or _is_punct(after))
    return left and (not right or _is_punct(before))


# Runs of the characters escape() may have to touch; everything else is copied as it is.
_SPECIAL = re.compile(r"\\+|\*+|_+|[`\[]|<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)")


def escape(text: str, before: str = " ", after: str = " ") -> str:
    """Backslash-escape only what CommonMark would read as inline markup in ``text``.

    ``before``/``after`` are the characters around the text (a space at a line's ends).  If no
    ``*``/``_`` run can open emphasis, none can close one either, so wildcards such as
    ``EDB*.LOG`` and names such as ``local_domain`` stay as they are.
    """

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        start, end = match.span()
        following = text[end] if end < len(text) else after
        if run[0] == "\\":
            # A lone backslash before a letter is literal in CommonMark (Windows paths stay
            # readable); runs, and a backslash before punctuation, are doubled.
            return run * 2 if len(run) > 1 or following in _PUNCT else run
        if run[0] in "*_":
            preceding = text[start - 1] if start else before
            return "".join("\\" + char for char in run) if _can_open(run, preceding, following) else run
        return "\\" + run  # ` [ < &: a code span, a link, a tag or autolink, an entity

    return _SPECIAL.sub(replace, text)


def escape_line_start(source: str) -> str:
    """Escape a leading character that would start a block (heading, list, quote, rule)."""
    match = _LINE_START.match(source)
    if not match:
        return source
    token = match.group(0)
    if token[0].isdigit():
        return token[:-1] + "\\" + token[-1] + source[len(token):]
    return "\\" + source


def _split_url(url: str) -> tuple[str, str]:
    """Split trailing sentence punctuation off a URL."""
    stripped = url.rstrip(".,;:!?'")
    return stripped, url[len(stripped):]


def inline(text: str, link: Linker | None = default_link) -> str:
    """Return Markdown inline source for ``text``: escaped, with URLs and article ids linked."""
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        # Links and autolinks begin with "[" or "<" and end with ")" or ">": punctuation.
        out.append(escape(text[position:match.start()], before=")" if position else " ", after="["))
        if match.group("url"):
            url, tail = _split_url(match.group("url"))
            out.append(f"<{url}>" + escape(tail, before=">", after=text[match.end():match.end() + 1] or " "))
        else:
            article_id = match.group("qid")
            target = link(article_id) if link else None
            out.append(f"[{article_id}]({target})" if target else article_id)
        position = match.end()
    out.append(escape(text[position:], before=")" if position else " "))
    return "".join(out)


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of a paragraph into one line of single-spaced words."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def paragraph(text: str, link: Linker | None = default_link) -> str:
    """Return one Markdown paragraph line for a block of wrapped plain text."""
    return escape_line_start(inline(reflow(text), link))


def table_cell(text: str, link: Linker | None = default_link) -> str:
    """Return inline source safe inside a pipe-table cell (pipes escaped, one line)."""
    return inline(reflow(text), link).replace("|", "\\|")
