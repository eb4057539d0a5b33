"""The static site: article and index pages from Jinja2 templates, the Pagefind bundle, and the
SQLite FTS5 index behind ``kb search``.

The build is imported on first use: ``kb search`` reaches ``kb.site.fts`` without loading
Jinja2 and Markdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.site.build import BuildReport, build_site

__all__ = ["BuildReport", "build_site"]


def __getattr__(name: str) -> Any:
    """Import ``build_site`` and ``BuildReport`` from kb.site.build when first asked for."""
    if name in __all__:
        from kb.site import build

        return getattr(build, name)
    raise AttributeError(f"module 'kb.site' has no attribute {name!r}")
