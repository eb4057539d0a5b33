"""Plan the browser search bundles of a build: which Pagefind bundles to (re)index, and which
bundles the search page loads."""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kb.site.manifest import Manifest, digest_text
from kb.site.search_bundle import bundle_dir, index_site, page_count, shard_of, shards_for

if TYPE_CHECKING:
    from kb.site.build import BuildReport

Progress = Callable[[str], None]


def is_article_page(page: str) -> bool:
    """Tell whether a site path is an article page (``QNNNNNN/index.html``)."""
    return page[:1] == "Q" and page.endswith("/index.html")


def start_search(out: Path, old: Manifest, manifest: Manifest, report: BuildReport, jobs: int,
                 say: Progress) -> "concurrent.futures.Future[None]":
    """Index the changed search shards in a background thread; return its future."""
    shards = shards_for(report.articles)
    by_shard: dict[str, list[str]] = {shard: [] for shard in shards}
    for page, key in sorted(manifest.pages.items()):
        if is_article_page(page):
            by_shard[shard_of(page.split("/")[0], shards)].append(f"{page}={key}")
    digests = {shard: digest_text(*pages) for shard, pages in by_shard.items()}
    previous = old.search if isinstance(old.search, dict) else {}
    dirty = [shard for shard in shards if previous.get(shard) != digests[shard]
             or (by_shard[shard] and page_count(out / bundle_dir(shard)) is None)]
    manifest.search = digests

    def work() -> None:
        if not dirty:
            return
        say(f"search: indexing {len(dirty)} of {len(shards)} Pagefind bundle(s)")
        started = time.perf_counter()
        # Two Pagefind processes at a time: one leaves cores idle while it reads and writes.
        counts = index_site(out, dirty, sharded=len(shards) > 1, jobs=max(2, jobs))
        report.search_seconds = time.perf_counter() - started
        report.search_pages = sum(counts.values())
        report.search_indexed = True

    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-search")
    future = executor.submit(work)
    executor.shutdown(wait=False)
    return future


def bundles_for(records: dict[str, dict[str, Any]]) -> list[str]:
    """Return the search bundles the search page loads: the non-empty shards, in order."""
    shards = shards_for(len(records))
    used = {shard_of(entry["summary"]["id"], shards) for entry in records.values()}
    return [bundle_dir(s) for s in sorted(used)]
