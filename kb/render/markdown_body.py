"""Render the body of a native Markdown article: HTML (site and ``--format html``) and plain text.

One markdown-it-py parser: CommonMark with tables and strikethrough, raw HTML off (nothing an
author types becomes markup), plus two small core rules:

* alerts: a block quote whose first line is ``[!NOTE]`` (TIP, IMPORTANT, WARNING, CAUTION), as
  GitHub and Microsoft Learn write them, becomes ``<div class="alert alert-note">`` with a title;
* article links: ``[text](Q254893.md)`` or ``[text](Q254893)`` point at that article's page
  through the caller's ``link(id)``; a link to an article not in the knowledge base is marked
  ``ref-missing`` and loses its href.

Images are left relative: the site copies a relative image beside the article page
(``images(article)`` lists them).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Callable, Iterator

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from kb.markdown_source import ARTICLE_LINK_RE

Link = Callable[[str], "str | None"]

#: Alert kinds and their titles (GitHub's five; Microsoft Learn uses the same markers).
ALERTS: dict[str, str] = {"NOTE": "Note", "TIP": "Tip", "IMPORTANT": "Important", "WARNING": "Warning",
                          "CAUTION": "Caution"}
_ALERT_RE = re.compile(r"^\[!(" + "|".join(ALERTS) + r")\][ \t]*", re.I)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:|^/|^#", re.I)


def _alerts(state: StateCore) -> None:
    """Turn block quotes that start with ``[!NOTE]`` into alert boxes."""
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "blockquote_open" and index + 2 < len(tokens) and tokens[index + 2].type == "inline":
            inline = tokens[index + 2]
            match = _ALERT_RE.match(inline.content)
            if match:
                kind = match.group(1).upper()
                inline.content = inline.content[match.end():].lstrip("\n")
                children = inline.children or []
                if children and children[0].type == "text":
                    children[0].content = _ALERT_RE.sub("", children[0].content, count=1)
                    while children and children[0].type in ("softbreak", "hardbreak") or (
                            children and children[0].type == "text" and not children[0].content):
                        children.pop(0)
                inline.children = children
                token.tag = "div"
                token.attrSet("class", f"alert alert-{kind.lower()}")
                token.attrSet("role", "note")
                _close_of(tokens, index).tag = "div"
                title = Token("html_block", "", 0)
                title.content = f'<p class="alert-title">{ALERTS[kind]}</p>\n'
                tokens.insert(index + 1, title)
                if not inline.content.strip():  # the marker stood alone on the quote's first line
                    del tokens[index + 2:index + 5]
        index += 1


def _close_of(tokens: list[Token], index: int) -> Token:
    """Return the closing token of the block that opens at ``index``."""
    depth = 0
    for token in tokens[index:]:
        depth += token.nesting
        if depth == 0:
            return token
    return tokens[-1]


def _article_links(state: StateCore) -> None:
    """Point links to other articles at their pages (``env["link"]``), marking missing ones."""
    link: Link | None = state.env.get("link") if isinstance(state.env, dict) else None
    if link is None:
        return
    for token in state.tokens:
        for child in token.children or []:
            if child.type != "link_open":
                continue
            match = ARTICLE_LINK_RE.match(str(child.attrGet("href") or ""))
            if not match:
                continue
            target = link(match.group(1).upper())
            if target is None:
                del child.attrs["href"]
                child.attrSet("class", "ref-missing")
                child.attrSet("title", "not in this knowledge base")
            else:
                child.attrSet("href", target + (match.group(2) or ""))


@cache
def body_parser() -> MarkdownIt:
    """Return the parser of Markdown article bodies (tables, alerts, article links; no raw HTML)."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])
    md.core.ruler.push("kb_alerts", _alerts)
    md.core.ruler.push("kb_article_links", _article_links)
    return md


def body_text(article: Any) -> str:
    """Return the Markdown body of an article (its file without the front matter and ``# title``)."""
    parts: list[str] = []
    for section in article.sections:
        if section.heading is not None:
            parts.append(f"## {section.heading}")
        parts.extend(block.text for block in section.blocks)
    return "\n\n".join(parts) + "\n"


def references_env(article: Any) -> dict[str, Any]:
    """Return the link reference definitions (``[x]: url``) of the whole body, for section renders."""
    env: dict[str, Any] = {}
    body_parser().parse(body_text(article), env)
    return {"references": env.get("references", {})}


def render_html(source: str, link: Link | None, env: dict[str, Any] | None = None) -> str:
    """Return the HTML of a piece of an article's Markdown body."""
    return body_parser().render(source, {**(env or {}), "link": link})


def render_body_html(article: Any, link: Link | None, header: bool = True) -> str:
    """Return a Markdown article as one HTML fragment (``header``: title and facts first)."""
    from markupsafe import escape

    parts: list[str] = []
    if header:
        parts.append(f"<h1>{escape(article.title)}</h1>\n")
        facts = [("Article", article.id), ("Product", article.product), ("Date", article.date.isoformat())]
        status = article.status or {}
        for label, key in (("Affected", "affected"), ("First fixed", "fixed")):
            value = status.get(key)
            if value:
                facts.append((label, ", ".join([value] if isinstance(value, str) else value)))
        parts.append("<ul class=\"facts\">\n" + "".join(f"<li><strong>{escape(k)}:</strong> {escape(v)}</li>\n"
                                                        for k, v in facts) + "</ul>\n")
    parts.append(render_html(body_text(article), link))
    return "".join(parts)


def images(article: Any) -> Iterator[str]:
    """Yield the relative image paths of an article's body (to copy beside its page), sorted, once each."""
    found: set[str] = set()
    for token in body_parser().parse(body_text(article), {}):
        for child in token.children or []:
            src = str(child.attrGet("src") or "") if child.type == "image" else ""
            if src and not _SCHEME_RE.match(src) and ".." not in src.replace("\\", "/").split("/"):
                found.add(src.split("#")[0].split("?")[0])
    yield from sorted(found)


def render_text(article: Any) -> str:
    """Return a Markdown article as plain text: a title block, then each section under a ruled heading."""
    lines = [f"{article.id}: {article.title}", "=" * min(79, len(article.id) + 2 + len(article.title)), ""]
    lines += [f"Product: {article.product}", f"Date:    {article.date.isoformat()}"]
    if article.keywords:
        lines.append(f"Keywords: {' '.join(article.keywords)}")
    for section in article.sections:
        lines.append("")
        if section.heading is not None:
            heading = section.heading.upper()
            lines += [heading, "=" * len(heading), ""]
        lines.append("\n\n".join(block.text for block in section.blocks))
    return "\n".join(lines).rstrip("\n") + "\n"
