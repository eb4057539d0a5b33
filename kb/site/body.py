"""Render an article's sections to escaped HTML fragments for the site's article page.

Event-log, references and downloads blocks show their structured entries (tables, lists); a
line of such a block that the entries do not show is kept in place as text (kb.render.coverage).

Prose (paragraphs and lists, never emphasis, entities or raw HTML: ``\\\\server\\share``,
``*.tmp``, ``&amp;``, ``<local_domain.ext>`` must show literally) renders through
kb/site/prose.py.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable

from markupsafe import Markup, escape

from kb.model import EVENT_LOG_FIELDS
from kb.render import coverage
from kb.render.markdown import looks_preformatted
from kb.site.prose import preload, prose_html

__all__ = ["RenderedSection", "preload", "prose_html", "render_sections"]


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


#: A line that starts with a space or a tab: only then can ``textwrap.dedent`` change a text.
_INDENTED = re.compile(r"^[ \t]", re.MULTILINE)


def _dedent(text: str) -> str:
    """Return ``textwrap.dedent(text)``, without its regular expressions when no line is indented."""
    return textwrap.dedent(text) if _INDENTED.search(text) else text


# The HTML below is built with f-strings around markupsafe's ``escape`` (what Markup.format
# calls for each value): Markup.format runs Python's string.Formatter, five times slower.

def _pre(block: Any) -> Markup:
    """Render a block verbatim, dedented, in a <pre>."""
    return Markup(f"<pre>{escape(_dedent(block.text))}</pre>")


def _text(block: Any) -> Markup:
    """Render prose (paragraphs, lists; HTML stays escaped)."""
    return Markup(prose_html(_dedent(block.text)))


def _subheading(block: Any) -> Markup:
    """Render a subheading line as an <h3>."""
    return Markup(f"<h3>{escape(block.text.strip())}</h3>")


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
        return self._entries(block, entries, coverage.event_words, lambda run: Markup("".join(map(_event_table, run))))

    def _entries(self, block: Any, items: list[Any], shown: Callable[[Any], set[str]],
                 run: Callable[[list[Any]], Markup]) -> Markup:
        """Render a block's entries by runs, keeping the lines they do not show in place."""
        parts: list[Markup] = []
        for part in coverage.split(block.line, block.lines, items, shown):
            parts.append(_leftover(part) if isinstance(part, coverage.Leftover) else run(part.items))
        return Markup("".join(parts))  # every part is already safe HTML

    def references(self, block: Any) -> Markup:
        """Render references as links to their pages, marking those outside the KB."""
        refs = self._in_span(self.article.references, block)
        if not refs:
            return _text(block)
        return self._entries(block, refs, coverage.reference_words, self._reference_list)

    def _reference_list(self, refs: list[Any]) -> Markup:
        """Render references as one list of links."""
        items: list[str] = []
        for ref in refs:
            href = self.link(ref.id)
            if href is None:
                items.append(f'<li><span class="ref-missing">{escape(ref.id)} {escape(ref.title)}</span> '
                             '<span class="tag" data-pagefind-ignore>not in this knowledge base</span></li>')
            else:
                items.append(f'<li><a href="{escape(href)}">{escape(ref.id)}</a> {escape(ref.title)}</li>')
        return Markup(f'<ul class="refs">{"".join(items)}</ul>')

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
    rows: list[str] = []
    for d in items:
        url = escape(d.url) if d.url else ""
        if url and _LINKABLE.match(d.url):
            where = f' <a class="url" href="{url}" rel="nofollow noopener">{url}</a>'
        else:
            where = f' <span class="url">{url}</span>' if url else ""
        rows.append(f"<li><strong>{escape(d.arch or 'file')}</strong> <code>{escape(d.file)}</code>{where}</li>")
    return Markup(f'<ul class="downloads">{"".join(rows)}</ul>')


def _event_table(entry: Any) -> Markup:
    """Render one event-log entry as a table of its filled fields."""
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
        for key, label in EVENT_LOG_FIELDS
        if (value := getattr(entry, key, None)) not in (None, "")
    )
    caption = escape(f"Event {entry.event_id}" if entry.event_id is not None else "Event")
    return Markup(f'<table class="event"><caption>{caption}</caption><tbody>{rows}</tbody></table>')


def _leftover(part: coverage.Leftover) -> Markup:
    """Render lines of a structured block that its entries do not show: a paragraph, or <pre>.

    The lines are text quoted around an excerpt (a message, a sentence), never a list: a
    wrapped "2109. [DB Server ...]" must not become list item number 2.
    """
    text = escape(_dedent(part.text))
    if looks_preformatted(part.text):
        return Markup(f"<pre>{text}</pre>")
    return Markup(f"<p>{text}</p>\n")


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


#: One character that is not a letter or digit (re's \w is str.isalnum plus "_").
_NOT_ALNUM = re.compile(r"[\W_]")


def _anchor(heading: str | None, index: int) -> str:
    """Return a stable fragment id for a section heading."""
    if not heading:
        return f"s{index}"
    slug = _NOT_ALNUM.sub("-", heading.lower()).strip("-")
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
            # Consecutive prose blocks render in one prose_html call (one parse, not many).
            if block.kind in _PROSE:
                prose.append(_dedent(block.text))
                continue
            if prose:
                parts.append(Markup(prose_html("\n\n".join(prose))))
                prose = []
            parts.append(renderer.render(block))
        if prose:
            parts.append(Markup(prose_html("\n\n".join(prose))))
        html = Markup("\n".join(parts))  # every part is already safe HTML
        out.append(RenderedSection(section.heading, _anchor(section.heading, index), html))
    return out

