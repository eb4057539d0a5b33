"""The Jinja2 environment of the site (templates are files under kb/site/templates) and writes."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kb.resources import data_path
from kb.site.config import DEFAULT_TITLE, SiteConfig
from kb.site.indexes import ITEM_FIELDS, root_of, slugify
from kb.site.verification import verdict_class

SITE_TITLE = DEFAULT_TITLE
#: The configuration pages are rendered with (``configure`` sets it for a build; forked
#: workers inherit it).
_CONFIG: list[SiteConfig] = [SiteConfig()]


def configure(config: SiteConfig) -> None:
    """Render the following pages with ``config`` (title, base URL, description), and with
    the templates as they are now (a build started by ``kb site serve`` reloads them)."""
    _CONFIG[0] = config
    environment.cache_clear()
    _ENTRIES.clear()


def template_dir() -> Path:
    """Return the folder of the site's Jinja2 templates."""
    return data_path("site", "templates")


def static_dir() -> Path:
    """Return the folder of the site's static assets (CSS, the search script)."""
    return data_path("site", "static")


def _show(value: Any) -> str:
    """Return an expected/observed value as a short word."""
    if value is True:
        return "symptom"
    if value is False:
        return "no symptom"
    if value is None:
        return "—"
    return str(value)


def _pretty(value: Any) -> str:
    """Return evidence as indented, sorted JSON (escaped by autoescape like any text)."""
    return json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)


#: Article rows of list pages rendered this build, by root, release state and the row's fields.
_ENTRIES: dict[tuple[str | None, ...], str] = {}
#: Past this many rows the cache starts again (a bound on a worker's memory at archive scale).
_ENTRIES_LIMIT = 250_000


def _article_rows(items: list[dict[str, Any]], root: str, on_release: dict[str, str] | None = None) -> Markup:
    """Return the rows of an article list; each row is rendered once per build, root and state.

    An article is listed on a dozen index pages (all articles, its product, releases,
    category, keywords, status...): rendering its row each time was most of the index
    pages' cost.
    """
    row = getattr(environment().get_template("_macros.html.j2").module, "article_row")  # a template macro
    rows: list[str] = []
    for item in items:
        state = None if on_release is None else on_release.get(item["id"], "")
        key = (root, state, *[item[name] for name in ITEM_FIELDS])
        html = _ENTRIES.get(key)
        if html is None:
            if len(_ENTRIES) >= _ENTRIES_LIMIT:
                _ENTRIES.clear()
            html = _ENTRIES[key] = str(row(item, root, state))
        rows.append(html)
    return Markup("".join(rows))


@cache
def environment() -> Environment:
    """Return the one autoescaping environment that renders every page."""
    env = Environment(
        loader=FileSystemLoader(str(template_dir())),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates do not change during a build (``configure`` starts each build with a new
        # environment): checking three files' mtimes for every page cost 5 % of a page.
        auto_reload=False,
    )
    env.globals.update(site_title=SITE_TITLE, slug=slugify, verdict_class=verdict_class,
                       show=_show, pretty=_pretty, article_rows=_article_rows)
    return env


def render_page(template: str, path: str, context: dict[str, Any], root: str | None = None) -> str:
    """Render ``template`` for the page at ``path`` (relative links from there to the root,
    unless ``root`` says where the root is, as for the 404 page served at any address)."""
    config = _CONFIG[0]
    return environment().get_template(template).render(
        root=root_of(path) if root is None else root, site_title=config.title,
        site_description=config.description, canonical=config.url(path), **context)
