"""Render an article's sections to escaped HTML fragments for the site's article page.

Event-log, references and downloads blocks show their structured entries (tables, lists); a
line of such a block that the entries do not show is kept in place as text (kb.render.coverage).

The classic KB body is plain text, hard-wrapped, with no markup of its own, so markdown-it-py is
configured to recognise only paragraphs and lists: emphasis, backslash escapes, entities,
autolinks and raw HTML would all change what the article says (``\\\\server\\share``,
``*.tmp``, ``&amp;``, ``<local_domain.ext>`` must show literally).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

from kb.model import EVENT_LOG_FIELDS
from kb.render import coverage
from kb.render.markdown import looks_preformatted


@cache
def _markdown() -> MarkdownIt:
    """Return the one configured parser: paragraphs and lists, never raw HTML."""
    return MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
        ["list"]
    )


def preload() -> None:
    """Build the body's parser now (before forking workers that render bodies)."""
    _markdown()


#: A line that may open a list item: markers "-", "+", "*", or up to nine digits and "." or ")",
#: then a space, a tab or the line's end (CommonMark 0.31 §5.2, §5.3). Any indentation counts
#: here, more than the list rule takes: a false alarm only costs the full parser.
_MAY_LIST = re.compile(r"^[ \t]*(?:[*+-]|[0-9]{1,9}[.)])(?:[ \t]|$)", re.MULTILINE)


_NEWLINE = "\n"


def prose_html(text: str) -> str:
    """Render prose exactly as the configured markdown-it would, without it for plain paragraphs.

    With paragraphs and lists the only block rules and "text" the only inline rule, text with
    no line that may open a list is paragraphs split at blank lines (only spaces and tabs),
    each stripped and HTML-escaped (markdown-it's paragraph rule, its escapeHtml). Nine in ten
    prose runs of a KB article are such; markdown-it costs ten times as much on them.
    """
    if "\r" in text or "\0" in text or _MAY_LIST.search(text) is not None:
        return _markdown().render(text)  # markdown-it normalises \r and NUL first
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip(" \t"):
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "".join(f"<p>{escapeHtml(_NEWLINE.join(lines).strip())}</p>\n" for lines in paragraphs if lines)


@dataclass
class RenderedSection:
    """One section of the body as a heading, an anchor and an HTML fragment."""

    heading: str | None
    anchor: str
    html: Markup
    event_ids: list[int] = field(default_factory=list)


def _line_span(block: Any) -> range:
    """Return the source lines a block covers (its first line plus one per text line)."""
    return range(block.line, block.line + block.text.count("\n") + 1)


def _pre(block: Any) -> Markup:
    """Render a block verbatim, dedented, in a <pre>."""
    return Markup("<pre>{}</pre>").format(textwrap.dedent(block.text))


def _text(block: Any) -> Markup:
    """Render prose through markdown-it (paragraphs, lists; HTML stays escaped)."""
    return Markup(prose_html(textwrap.dedent(block.text)))


def _subheading(block: Any) -> Markup:
    """Render a subheading line as an <h3>."""
    return Markup("<h3>{}</h3>").format(block.text.strip())


def _rule(block: Any) -> Markup:
    """Render a rule line as a thematic break."""
    return Markup("<hr>")


class BlockRenderer:
    """Render one article's blocks, resolving structured parts by their source lines."""

    def __init__(self, article: Any, link: Callable[[str], str | None]) -> None:
        self.article = article
        self.link = link

    def _in_span(self, items: list[Any], block: Any) -> list[Any]:
        """Return the structured items whose source line lies inside ``block``."""
        span = _line_span(block)
        return [item for item in items or [] if getattr(item, "line", None) in span]

    def event_log(self, block: Any) -> Markup:
        """Render the event-log entries quoted in this block as one table each."""
        entries = self._in_span(self.article.event_log, block)
        if not entries:
            return _pre(block)
        return self._entries(block, entries, coverage.event_words, lambda run: Markup("").join(map(_event_table, run)))

    def _entries(self, block: Any, items: list[Any], shown: Callable[[Any], set[str]],
                 run: Callable[[list[Any]], Markup]) -> Markup:
        """Render a block's entries by runs, keeping the lines they do not show in place."""
        parts: list[Markup] = []
        for part in coverage.split(block.line, block.lines, items, shown):
            parts.append(_leftover(part) if isinstance(part, coverage.Leftover) else run(part.items))
        return Markup("").join(parts)

    def references(self, block: Any) -> Markup:
        """Render references as links to their pages, marking those outside the KB."""
        refs = self._in_span(self.article.references, block)
        if not refs:
            return _text(block)
        return self._entries(block, refs, coverage.reference_words, self._reference_list)

    def _reference_list(self, refs: list[Any]) -> Markup:
        """Render references as one list of links."""
        items: list[Markup] = []
        for ref in refs:
            href = self.link(ref.id)
            if href is None:
                items.append(
                    Markup('<li><span class="ref-missing">{} {}</span> '
                           '<span class="tag" data-pagefind-ignore>not in this knowledge base</span></li>').format(
                        ref.id, ref.title
                    )
                )
            else:
                items.append(
                    Markup('<li><a href="{}">{}</a> {}</li>').format(href, ref.id, ref.title)
                )
        return Markup('<ul class="refs">{}</ul>').format(Markup("").join(items))

    def downloads(self, block: Any) -> Markup:
        """Render download lines as a list (http/https/ftp URLs as links; they are historical)."""
        items = self._in_span(self.article.downloads, block)
        if not items:
            return _pre(block)
        return self._entries(block, items, coverage.download_words, _download_list)

    def render(self, block: Any) -> Markup:
        """Render one block by its kind."""
        handler = _HANDLERS.get(block.kind)
        if handler is None:
            return _pre(block)
        return handler(self, block)


#: Download URLs that become links: web and FTP addresses only (never javascript: or data:).
_LINKABLE = re.compile(r"^(?:https?|ftp)://[^\s\"'<>]+$", re.IGNORECASE)


def _download_list(items: list[Any]) -> Markup:
    """Render downloads as one list."""
    rows = Markup("").join(
        Markup("<li><strong>{}</strong> <code>{}</code>{}</li>").format(
            d.arch or "file", d.file,
            Markup(' <a class="url" href="{0}" rel="nofollow noopener">{0}</a>').format(d.url)
            if d.url and _LINKABLE.match(d.url) else
            Markup(' <span class="url">{}</span>').format(d.url) if d.url else "",
        )
        for d in items
    )
    return Markup('<ul class="downloads">{}</ul>').format(rows)


def _event_table(entry: Any) -> Markup:
    """Render one event-log entry as a table of its filled fields."""
    rows = Markup("").join(
        Markup('<tr><th scope="row">{}</th><td>{}</td></tr>').format(label, value)
        for key, label in EVENT_LOG_FIELDS
        if (value := getattr(entry, key, None)) not in (None, "")
    )
    caption = f"Event {entry.event_id}" if entry.event_id is not None else "Event"
    return Markup('<table class="event"><caption>{}</caption><tbody>{}</tbody></table>').format(caption, rows)


def _leftover(part: coverage.Leftover) -> Markup:
    """Render lines of a structured block that its entries do not show: a paragraph, or <pre>.

    The lines are text quoted around an excerpt (a message, a sentence), never a list: a
    wrapped "2109. [DB Server ...]" must not become list item number 2.
    """
    text = textwrap.dedent(part.text)
    if looks_preformatted(part.text):
        return Markup("<pre>{}</pre>").format(text)
    return Markup("<p>{}</p>\n").format(text)


_HANDLERS: dict[str, Callable[[BlockRenderer, Any], Markup]] = {
    "paragraph": lambda r, b: _text(b),
    "list": lambda r, b: _text(b),
    "literal": lambda r, b: _pre(b),
    "table": lambda r, b: _pre(b),
    "subheading": lambda r, b: _subheading(b),
    "rule": lambda r, b: _rule(b),
    "event_log": BlockRenderer.event_log,
    "references": BlockRenderer.references,
    "downloads": BlockRenderer.downloads,
}


_PROSE = frozenset({"paragraph", "list"})


def _markdown_sections(article: Any, link: Callable[[str], str | None]) -> list[RenderedSection]:
    """Render a native Markdown article's sections: its own Markdown, tables, alerts, article links."""
    from kb.render.markdown_body import references_env, render_html

    env = references_env(article)
    out: list[RenderedSection] = []
    for index, section in enumerate(article.sections or []):
        source = "\n\n".join(block.text for block in section.blocks)
        html = Markup(render_html(source, link, env)) if source else Markup("")
        out.append(RenderedSection(section.heading, _anchor(section.heading, index), html))
    return out


def _anchor(heading: str | None, index: int) -> str:
    """Return a stable fragment id for a section heading."""
    if not heading:
        return f"s{index}"
    slug = "".join(c if c.isalnum() else "-" for c in heading.lower()).strip("-")
    return f"s{index}-{slug[:40]}" if slug else f"s{index}"


def render_sections(article: Any, link: Callable[[str], str | None]) -> list[RenderedSection]:
    """Render every section of ``article``; ``link(id)`` gives a reference's href or None."""
    if getattr(article, "is_markdown", False):
        return _markdown_sections(article, link)
    renderer = BlockRenderer(article, link)
    out: list[RenderedSection] = []
    for index, section in enumerate(article.sections or []):
        parts: list[Markup] = []
        prose: list[str] = []
        for block in section.blocks:
            # Consecutive prose blocks go through markdown-it in one call (one parse, not many).
            if block.kind in _PROSE:
                prose.append(textwrap.dedent(block.text))
                continue
            if prose:
                parts.append(Markup(prose_html("\n\n".join(prose))))
                prose = []
            parts.append(renderer.render(block))
        if prose:
            parts.append(Markup(prose_html("\n\n".join(prose))))
        html = Markup("\n").join(parts)
        out.append(RenderedSection(section.heading, _anchor(section.heading, index), html))
    return out

