"""The static site: article and index pages from Jinja2 templates, the Pagefind bundle, and the
SQLite FTS5 index behind ``kb search``."""

from kb.site.build import BuildReport, build_site

__all__ = ["BuildReport", "build_site"]
