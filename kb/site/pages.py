"""The Jinja2 environment of the site (templates are files under kb/site/templates) and writes."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kb.resources import data_path
from kb.site.config import DEFAULT_TITLE, SiteConfig
from kb.site.indexes import root_of, slugify
from kb.site.verification import verdict_class

SITE_TITLE = DEFAULT_TITLE
#: The configuration pages are rendered with (``configure`` sets it for a build; forked
#: workers inherit it).
_CONFIG: list[SiteConfig] = [SiteConfig()]


def configure(config: SiteConfig) -> None:
    """Render the following pages with ``config`` (title, base URL, description)."""
    _CONFIG[0] = config


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
    )
    env.globals.update(site_title=SITE_TITLE, slug=slugify, verdict_class=verdict_class,
                       show=_show, pretty=_pretty)
    return env


def render_page(template: str, path: str, context: dict[str, Any], root: str | None = None) -> str:
    """Render ``template`` for the page at ``path`` (relative links from there to the root,
    unless ``root`` says where the root is, as for the 404 page served at any address)."""
    config = _CONFIG[0]
    return environment().get_template(template).render(
        root=root_of(path) if root is None else root, site_title=config.title,
        site_description=config.description, canonical=config.url(path), **context)
