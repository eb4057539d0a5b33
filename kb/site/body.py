"""Render an article's sections to escaped HTML fragments for the site's article page.

The classic KB body is plain text, hard-wrapped, with no markup of its own, so markdown-it-py is
configured to recognise only paragraphs and lists: emphasis, backslash escapes, entities,
autolinks and raw HTML would all change what the article says (``\\\\server\\share``,
``*.tmp``, ``&amp;``, ``<local_domain.ext>`` must show literally).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable

from markdown_it import MarkdownIt
from markupsafe import Markup

from kb.model import EVENT_LOG_FIELDS


@cache
def _markdown() -> MarkdownIt:
    """Return the one configured parser: paragraphs and lists, never raw HTML."""
    return MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
        ["list"]
    )


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
    text = textwrap.dedent(block.text)
    return Markup(_markdown().render(text))


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
        parts: list[Markup] = []
        for entry in entries:
            rows = Markup("").join(
                Markup('<tr><th scope="row">{}</th><td>{}</td></tr>').format(label, value)
                for key, label in EVENT_LOG_FIELDS
                if (value := getattr(entry, key, None)) not in (None, "")
            )
            caption = f"Event {entry.event_id}" if entry.event_id is not None else "Event"
            parts.append(
                Markup('<table class="event"><caption>{}</caption><tbody>{}</tbody></table>').format(
                    caption, rows
                )
            )
        return Markup("").join(parts)

    def references(self, block: Any) -> Markup:
        """Render references as links to their pages, marking those outside the KB."""
        refs = self._in_span(self.article.references, block)
        if not refs:
            return _text(block)
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
        """Render download lines as a list (the URLs are historical, shown as text)."""
        items = self._in_span(self.article.downloads, block)
        if not items:
            return _pre(block)
        rows = Markup("").join(
            Markup("<li><strong>{}</strong> <code>{}</code>{}</li>").format(
                d.arch or "file", d.file,
                Markup(' <span class="url">{}</span>').format(d.url) if d.url else "",
            )
            for d in items
        )
        return Markup('<ul class="downloads">{}</ul>').format(rows)

    def render(self, block: Any) -> Markup:
        """Render one block by its kind."""
        handler = _HANDLERS.get(block.kind)
        if handler is None:
            return _pre(block)
        return handler(self, block)


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


def _anchor(heading: str | None, index: int) -> str:
    """Return a stable fragment id for a section heading."""
    if not heading:
        return f"s{index}"
    slug = "".join(c if c.isalnum() else "-" for c in heading.lower()).strip("-")
    return f"s{index}-{slug[:40]}" if slug else f"s{index}"


def render_sections(article: Any, link: Callable[[str], str | None]) -> list[RenderedSection]:
    """Render every section of ``article``; ``link(id)`` gives a reference's href or None."""
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
                parts.append(Markup(_markdown().render("\n\n".join(prose))))
                prose = []
            parts.append(renderer.render(block))
        if prose:
            parts.append(Markup(_markdown().render("\n\n".join(prose))))
        html = Markup("\n").join(parts)
        out.append(RenderedSection(section.heading, _anchor(section.heading, index), html))
    return out

