"""Renderers: one Article to classic text, Markdown, HTML, YAML or JSON.

``render(article, fmt)`` returns ``bytes`` for ``txt`` (the original file, byte for byte) and
``str`` for the others.  A native Markdown article (``article.is_markdown``) gives back its own
``.md`` bytes for ``md``, plain text for ``txt``, and its body through kb.render.markdown_body
for ``html``; ``yaml``/``json`` show its derived record.  Markdown and HTML take a ``link`` function that maps an article id to a
link target, so a site can point references at ``../Q191914/`` instead of ``Q191914.md``.
"""

from __future__ import annotations

from kb.model import Article
from kb.render.inline import Linker, default_link

#: Output formats, in the order the CLI lists them.
FORMATS: tuple[str, ...] = ("txt", "md", "html", "yaml", "json")

__all__ = ["FORMATS", "Linker", "render", "render_html_fragment", "render_markdown"]


def render(article: Article, fmt: str, link: Linker | None = None) -> str | bytes:
    """Return ``article`` in format ``fmt`` (one of ``FORMATS``)."""
    if article.is_markdown and fmt in ("txt", "md"):
        from kb.render.markdown_body import render_text

        if fmt == "md" and article.markdown is not None:
            return article.markdown.encode("utf-8")  # the file itself, byte for byte
        return render_text(article) if fmt == "txt" else render_text(article).encode("utf-8")
    if fmt == "txt":
        from kb.text import write

        return write(article)
    if fmt == "md":
        from kb.render.markdown import render_markdown

        return render_markdown(article, link or default_link)
    if fmt == "html":
        from kb.render.html import html_link, render_html

        return render_html(article, link or html_link)
    if fmt in ("yaml", "json"):
        from kb.render.record import to_json, to_yaml

        return to_yaml(article) if fmt == "yaml" else to_json(article)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render_markdown(article: Article, link: Linker | None = default_link, header: bool = True) -> str:
    """Return the article as a Markdown document (``header=False``: sections and keywords only)."""
    from kb.render.markdown import render_markdown as _render

    return _render(article, link, header)


def render_html_fragment(article: Article, link: Linker | None = None, header: bool = True) -> str:
    """Return the article as an HTML fragment for a site template (``link`` None: ``QNNNNNN.html``)."""
    from kb.render.html import html_link, render_html_fragment as _render

    if article.is_markdown:
        from kb.render.markdown_body import render_body_html

        return render_body_html(article, link or html_link, header)
    return _render(article, link or html_link, header)
