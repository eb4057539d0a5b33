"""Plan the browser search bundles of a build: which Pagefind bundles to (re)index, and which
bundles the search page loads.

Pagefind cannot update a bundle in place, and indexing costs about 2 ms a page: at 57,000
articles even one shard of a tenth of the site takes over 10 s. So the site is split twice:

* base bundles, one per shard (the id's last digit, from ``SHARD_THRESHOLD`` articles up);
* "parts", the id's last three digits, each page's hidden ``part`` filter.

A rebuild compares each part's page digests with those its shard was last indexed from. The
changed ("stale") parts are indexed alone into a small delta bundle, and the search page hides
their old copies in the base bundles with a filter (``part`` none of the stale parts, or the
delta layer). When the delta would be large, or a shard is small enough to index whole
quickly, the shards holding stale parts are indexed whole again and the delta empties.
``search-layers.json`` at the site root tells the search page what to load.
"""

from __future__ import annotations

import concurrent.futures
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kb.files import write_atomic
from kb.site.manifest import Manifest, digest_text
from kb.site.search_bundle import (DELTA, bundle_dir, index_delta, index_site, page_count, shard_of,
                                   shards_for)

if TYPE_CHECKING:
    from kb.site.build import BuildReport

Progress = Callable[[str], None]

#: The search page's description of the bundles: base shards, delta, stale parts.
LAYERS_NAME = "search-layers.json"
#: Up to this many pages a delta bundle indexes in about a second; a shard this small is
#: indexed whole instead (one bundle ranks better than two).
DELTA_LIMIT = 600


def is_article_page(page: str) -> bool:
    """Tell whether a site path is an article page (``QNNNNNN/index.html``)."""
    return page[:1] == "Q" and page.endswith("/index.html")


def part_of(article_id: str) -> str:
    """Return the part of an article: the last three digits of its id."""
    return article_id[-3:]


@dataclass
class SearchPlan:
    """What the search bundles need this build, and the state to keep when it is done."""

    shards: tuple[str, ...]
    whole: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    delta_pages: list[str] = field(default_factory=list)
    reindex_delta: bool = False
    bundles: list[str] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)

    def layers(self) -> dict[str, Any]:
        """Return the search page's description of the bundles."""
        return {"bundles": self.bundles, "delta": DELTA if self.delta_pages else None,
                "stale": self.stale}


def _parts(pages: dict[str, str]) -> dict[str, list[str]]:
    """Group the article pages (``page=key`` strings, sorted) by part."""
    parts: dict[str, list[str]] = {}
    for page, key in sorted(pages.items()):
        if is_article_page(page):
            parts.setdefault(part_of(page.split("/")[0]), []).append(f"{page}={key}")
    return parts


def plan_search(out: Path, previous: dict[str, str], pages: dict[str, str],
                articles: int) -> SearchPlan:
    """Decide which bundles to index from the page digests now and the state of the last index."""
    shards = shards_for(articles)
    plan = SearchPlan(shards=shards)
    parts = _parts(pages)
    current = {part: digest_text(*entries) for part, entries in parts.items()}
    shard = {part: shard_of(part, shards) for part in current}
    layout = " ".join(shards)
    indexed = ({k[2:]: v for k, v in previous.items() if k.startswith("p:")}
               if previous.get("shards") == layout else {})
    for part in indexed:
        shard.setdefault(part, shard_of(part, shards))
    used = sorted(set(shard[p] for p in current))
    # A missing or torn bundle (a failed run, a hand edit) is indexed whole.
    whole = {s for s in used if page_count(out / bundle_dir(s)) is None}
    stale = sorted(p for p in set(current) | set(indexed)
                   if current.get(p) != indexed.get(p) and shard[p] not in whole)
    stale_shards = {shard[p] for p in stale}
    delta_size = sum(len(parts.get(p, ())) for p in stale)
    shard_size = sum(len(entries) for p, entries in parts.items() if shard[p] in stale_shards)
    if stale and (delta_size > DELTA_LIMIT or shard_size <= DELTA_LIMIT):
        whole |= stale_shards
        stale = []
    plan.whole = sorted(whole | {s for s in shards if s not in used and s in previous.get("used", "").split()})
    plan.stale = stale
    plan.delta_pages = [entry.split("=")[0] for p in stale for entry in parts.get(p, ())]
    delta_digest = digest_text(*(f"{p}={current.get(p, '-')}" for p in stale))
    plan.reindex_delta = bool(plan.delta_pages) and (
        previous.get("delta") != delta_digest or page_count(out / DELTA) is None)
    plan.bundles = [bundle_dir(s) for s in used]
    kept = {p: d for p, d in indexed.items() if shard[p] not in whole and p in current}
    kept.update({p: current[p] for p in current if shard[p] in whole})
    plan.state = {"shards": layout, "used": " ".join(used), "delta": delta_digest,
                  **{f"p:{p}": d for p, d in sorted(kept.items())}}
    return plan


def run_plan(out: Path, plan: SearchPlan, jobs: int) -> tuple[int, bool]:
    """Index what the plan says; return the pages indexed and whether anything was."""
    indexed, worked = 0, False
    if plan.whole:
        counts = index_site(out, plan.whole, sharded=len(plan.shards) > 1, jobs=jobs)
        indexed, worked = sum(counts.values()), True
    if plan.reindex_delta:
        indexed, worked = indexed + index_delta(out, plan.delta_pages), True
    elif not plan.delta_pages and (out / DELTA).exists():
        index_delta(out, [])
    text = json.dumps(plan.layers(), indent=1, sort_keys=True) + "\n"
    layers = out / LAYERS_NAME
    if not layers.is_file() or layers.read_text(encoding="utf-8") != text:
        write_atomic(layers, text)
    return indexed, worked


def start_search(out: Path, old: Manifest, manifest: Manifest, report: BuildReport, jobs: int,
                 say: Progress) -> "concurrent.futures.Future[None]":
    """Index the changed search bundles in a background thread; return its future."""
    previous = old.search if isinstance(old.search, dict) else {}
    plan = plan_search(out, previous, manifest.pages, report.articles)
    manifest.search = plan.state

    def work() -> None:
        if plan.whole or plan.reindex_delta:
            what = [f"{len(plan.whole)} of {len(plan.shards)} Pagefind bundle(s)"] if plan.whole else []
            if plan.reindex_delta:
                what.append(f"{len(plan.delta_pages)} changed page(s) into {DELTA}")
            say(f"search: indexing {' and '.join(what)}")
        started = time.perf_counter()
        # Two Pagefind processes at a time: one leaves cores idle while it reads and writes.
        pages, worked = run_plan(out, plan, max(2, jobs))
        if worked:
            report.search_seconds = time.perf_counter() - started
            report.search_pages = pages
            report.search_indexed = True

    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-search")
    future = executor.submit(work)
    executor.shutdown(wait=False)
    return future


def bundles_for(records: dict[str, dict[str, Any]]) -> list[str]:
    """Return the base search bundles the search page loads: the non-empty shards, in order."""
    shards = shards_for(len(records))
    used = {shard_of(entry["summary"]["id"], shards) for entry in records.values()}
    return [bundle_dir(s) for s in sorted(used)]
