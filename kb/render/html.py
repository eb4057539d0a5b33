"""Render an Article as HTML through one configured markdown-it-py instance.

The HTML is the Markdown rendering of ``kb.render.markdown`` fed to CommonMark + tables with raw
HTML disabled (``html=False``), so nothing in an article's text can ever become markup.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

from kb.model import Article
from kb.render.inline import Linker
from kb.render.markdown import render_markdown
from kb.resources import data_path

if TYPE_CHECKING:
    import jinja2

#: The one MarkdownIt used by kb: CommonMark, pipe tables, raw HTML off, typographer off.
MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": False, "xhtmlOut": False}).enable("table")


def html_link(article_id: str) -> str:
    """Link an article to ``QNNNNNN.html`` beside the current one."""
    return f"{article_id}.html"


def markdown_to_html(source: str) -> str:
    """Return the HTML fragment of a Markdown source."""
    return MARKDOWN.render(source)


def render_html_fragment(article: Article, link: Linker | None = html_link, header: bool = True) -> str:
    """Return the article as an HTML fragment (no ``<html>``/``<head>``), for templates.

    ``header=False`` leaves out the ``<h1>`` title and the metadata list.
    """
    if article.is_markdown:
        from kb.render.markdown_body import render_body_html

        return render_body_html(article, link, header)
    return markdown_to_html(render_markdown(article, link, header))


@cache
def _page_template() -> jinja2.Template:
    """Load the standalone page template (data, ``kb/render/templates/page.html``)."""
    import jinja2

    text = data_path("render", "templates", "page.html").read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(text)


def render_html(article: Article, link: Linker | None = html_link, lang: str = "en") -> str:
    """Return a complete HTML5 document for the article."""
    from markupsafe import Markup

    return _page_template().render(
        lang=lang,
        title=f"{article.id}: {article.full_title}",
        article_id=article.id,
        body=Markup(render_html_fragment(article, link)),
    )
