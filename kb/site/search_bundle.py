"""Drive Pagefind (PyPI ``pagefind[bin]``, its Python API) to write the browser search bundle.

Only article pages carry ``data-pagefind-body``, so Pagefind indexes articles and ignores the
index pages; filters and metadata come from ``data-pagefind-filter``/``-meta`` attributes in
the article template. The bundle goes to ``<out>/pagefind/`` (Pagefind's default), written to a
temporary folder first and swapped in, so a failed run leaves the previous bundle in place.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from kb.exceptions import KbError


#: Article pages (``QNNNNNN/index.html``), the only pages the search bundle covers.
ARTICLE_GLOB = "Q*/index.html"


class SearchIndexError(KbError):
    """Pagefind could not index the site."""


async def _index(out: Path, bundle: Path) -> int:
    """Index the article pages of ``out`` in one Pagefind call and write the bundle to ``bundle``."""
    from pagefind.index import IndexConfig, PagefindIndex

    # One directory walk inside Pagefind: feeding pages one by one over the service's pipe is
    # far slower and stalls on large sites. Only article pages carry data-pagefind-body.
    config = IndexConfig(force_language="en", keep_index_url=True, output_path=str(bundle))
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(out), glob=ARTICLE_GLOB)
    return int(result.get("page_count", 0))


def index_site(out: Path) -> int:
    """Index the article pages of the site at ``out``; return how many were indexed."""
    final = out / "pagefind"
    staging = out / ".pagefind-new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        count = asyncio.run(_index(out.resolve(), staging.resolve()))
    except KbError:
        raise
    except Exception as error:  # the pagefind service reports failures as many types
        shutil.rmtree(staging, ignore_errors=True)
        raise SearchIndexError(f"{out}: Pagefind failed: {type(error).__name__}: {error}") from error
    old = out / ".pagefind-old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return count
