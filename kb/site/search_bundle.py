"""Drive Pagefind (PyPI ``pagefind[bin]``, its Python API) to write the browser search bundle.

Only article pages carry ``data-pagefind-body``; filters and metadata come from
``data-pagefind-filter``/``-meta`` attributes in the article template.

The bundle is sharded by the last digit of the article id, so a rebuild after changing one
article re-indexes a tenth of the site instead of all of it (Pagefind has no incremental mode,
and indexing 6,900 pages takes longer than the 5 s a one-article rebuild may take). Shard 0 is
Pagefind's default bundle at ``<out>/pagefind/``; shard N is at ``<out>/pagefind-N/`` and the
search page merges it in with Pagefind's ``mergeIndex``. Each shard is written to a temporary
folder and swapped in, so a failed run leaves the previous bundle in place.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from kb.exceptions import KbError

DIGITS: tuple[str, ...] = tuple("0123456789")
#: Below this many articles one bundle is fast enough, and Pagefind's ranking and its
#: all-words matching are only comparable across shards when each holds hundreds of pages.
SHARD_THRESHOLD = 2000


class SearchIndexError(KbError):
    """Pagefind could not index the site."""


def shards_for(articles: int) -> tuple[str, ...]:
    """Return the shards of a site with this many articles."""
    return DIGITS if articles >= SHARD_THRESHOLD else ("0",)


def shard_of(article_id: str, shards: tuple[str, ...]) -> str:
    """Return the shard of an article: the last digit of its id (always "0" when unsharded)."""
    last = article_id[-1:]
    return last if len(shards) > 1 and last in shards else "0"


def bundle_dir(shard: str) -> str:
    """Return the folder (under the site) of one shard's bundle."""
    return "pagefind" if shard == "0" else f"pagefind-{shard}"


async def _index_shard(out: Path, shard: str, glob: str, bundle: Path, gate: asyncio.Semaphore) -> int:
    """Index one shard's article pages in one Pagefind directory walk."""
    from pagefind.index import IndexConfig, PagefindIndex

    # One add_directory call per shard: the service client answers one request per 100 ms,
    # so feeding pages one by one would take minutes.
    config = IndexConfig(force_language="en", keep_index_url=True, output_path=str(bundle))
    async with gate:
        async with PagefindIndex(config=config) as index:
            result = await index.add_directory(str(out), glob=glob)
    return int(result.get("page_count", 0))


async def _index(out: Path, shards: list[str], sharded: bool, jobs: int) -> dict[str, int]:
    """Index ``shards`` concurrently (``jobs`` Pagefind processes at a time)."""
    gate = asyncio.Semaphore(jobs)
    counts = await asyncio.gather(*(
        _index_shard(out, shard, f"Q*{shard}/index.html" if sharded else "Q*/index.html",
                     out / f".{bundle_dir(shard)}-new", gate) for shard in shards))
    return dict(zip(shards, counts))


def index_site(out: Path, shards: list[str] | None = None, *, sharded: bool = False,
               jobs: int = 2) -> dict[str, int]:
    """(Re)index the given shards (all by default) of the site at ``out``; pages per shard."""
    out = out.resolve()
    wanted = list(shards if shards is not None else (DIGITS if sharded else ("0",)))
    if not sharded:
        # Going back to one bundle: the shards of an earlier, larger build are stale.
        for digit in DIGITS[1:]:
            shutil.rmtree(out / bundle_dir(digit), ignore_errors=True)
    for shard in wanted:
        shutil.rmtree(out / f".{bundle_dir(shard)}-new", ignore_errors=True)
    try:
        counts = asyncio.run(_index(out, wanted, sharded, jobs))
    except Exception as error:  # the pagefind service reports failures as bare Exceptions
        for shard in wanted:
            shutil.rmtree(out / f".{bundle_dir(shard)}-new", ignore_errors=True)
        raise SearchIndexError(f"{out}: Pagefind failed: {type(error).__name__}: {error}") from error
    for shard in wanted:
        final, staging, old = (out / bundle_dir(shard), out / f".{bundle_dir(shard)}-new",
                               out / f".{bundle_dir(shard)}-old")
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    return counts
