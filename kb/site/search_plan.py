"""Plan the browser search bundles of a build: which Pagefind bundles to (re)index, and which
bundles the search page loads.

Pagefind cannot update a bundle in place, and indexing costs about 2 ms a page after a second
of start-up: at 57,000 articles even one shard of a tenth of the site takes over 10 s. So:

* base bundles, one per shard (the id's last digit, or last two, from ``SHARD_THRESHOLD``
  articles up: kb/site/search_bundle.py);
* "parts", the id's last three digits, each page's hidden ``part`` filter;
* layers: small bundles of the parts changed since their shard was indexed whole, newest last.

A rebuild finds the parts whose pages changed since the bundle that now serves them was
indexed. They join the newest layer, which is indexed again alone while it stays under
``LAYER_LIMIT`` pages; else they start a new layer. The search page merges every layer and
shows a part's copy only from the newest layer holding it (Pagefind's compound filters on
``part`` and the merged ``layer``), so results and counts stay exact. A shard small enough to
index whole is indexed whole instead, and after ``MAX_LAYERS`` layers the shards they touch
are indexed whole again and the layers go. ``search-layers.json`` at the site root tells the
search page what to load.
"""

from __future__ import annotations

import concurrent.futures
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kb.files import write_atomic
from kb.site.manifest import Manifest, digest_text
from kb.site.search_bundle import (LAYER_PREFIX, bundle_dir, index_pages, index_site, page_count,
                                   shard_of, shards_for, suffixes)

if TYPE_CHECKING:
    from kb.site.build import BuildReport

Progress = Callable[[str], None]

#: The search page's description of the bundles: base shards, then layers with their parts.
LAYERS_NAME = "search-layers.json"
#: A layer is indexed again on each change while it holds at most this many pages (about a
#: second of Pagefind), and a shard this small is indexed whole instead.
LAYER_LIMIT = 250
#: More layers than this and the shards they touch are indexed whole again.
MAX_LAYERS = 32
#: What a deleted part's digest reads as.
GONE = "-"


def is_article_page(page: str) -> bool:
    """Tell whether a site path is an article page (``QNNNNNN/index.html``)."""
    return page[:1] == "Q" and page.endswith("/index.html")


def part_of(article_id: str) -> str:
    """Return the part of an article: the last three digits of its id."""
    return article_id[-3:]


@dataclass
class Layer:
    """A small bundle of changed parts: its number and each part's digest when indexed."""

    number: int
    parts: dict[str, str] = field(default_factory=dict)

    @property
    def bundle(self) -> str:
        """Return the layer's folder under the site."""
        return f"{LAYER_PREFIX}{self.number}"


@dataclass
class SearchPlan:
    """What the search bundles need this build, and the state to keep when it is done."""

    shards: tuple[str, ...]
    whole: list[str] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
    index_layer: Layer | None = None
    layer_pages: list[str] = field(default_factory=list)
    empty_layers: set[int] = field(default_factory=set)
    bundles: list[str] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """Return the search page's description of the bundles."""
        return {"bundles": self.bundles,
                "suffixes": {bundle_dir(s): suffixes(s, self.shards) for s in self.shards
                             if bundle_dir(s) in self.bundles},
                "layers": [{"bundle": None if layer.number in self.empty_layers else layer.bundle,
                            "parts": sorted(layer.parts)} for layer in self.layers]}


def _parts(pages: dict[str, str]) -> dict[str, list[str]]:
    """Group the article pages (``page=key`` strings, sorted) by part."""
    parts: dict[str, list[str]] = {}
    for page, key in sorted(pages.items()):
        if is_article_page(page):
            parts.setdefault(part_of(page.split("/")[0]), []).append(f"{page}={key}")
    return parts


def _load_layers(previous: dict[str, str]) -> list[Layer]:
    """Return the layers of the last index, oldest first, from the kept state."""
    layers = {int(n): Layer(int(n)) for n in previous.get("layers", "").split()}
    for key, digest in previous.items():
        if key.startswith("l:"):
            number, part = key[2:].split(":", 1)
            if int(number) in layers:
                layers[int(number)].parts[part] = digest
    return [layers[n] for n in sorted(layers)]


def plan_search(out: Path, previous: dict[str, str], pages: dict[str, str],
                articles: int) -> SearchPlan:
    """Decide which bundles to index from the page digests now and the state of the last index."""
    shards = shards_for(articles)
    plan = SearchPlan(shards=shards)
    parts = _parts(pages)
    current = {part: digest_text(*entries) for part, entries in parts.items()}
    layout = " ".join(shards)
    same = previous.get("shards") == layout
    base = {k[2:]: v for k, v in previous.items() if k.startswith("p:")} if same else {}
    layers = _load_layers(previous) if same else []
    shard = {p: shard_of(p, shards) for p in set(current) | set(base)
             | {p for layer in layers for p in layer.parts}}
    size = {p: len(entries) for p, entries in parts.items()}
    used = sorted(set(shard[p] for p in current))
    # A missing or torn bundle (a failed run, a hand edit) is indexed whole; a torn layer
    # sends every layer back into the shards.
    whole = {s for s in used if page_count(out / bundle_dir(s)) is None}
    if any(page_count(out / layer.bundle) is None and any(p in current for p in layer.parts)
           for layer in layers):
        whole |= {shard[p] for layer in layers for p in layer.parts}
        layers = []
    served = dict(base)
    for layer in layers:
        served.update(layer.parts)
    changed = sorted(p for p in shard if shard[p] not in whole
                     and current.get(p, GONE) != served.get(p, GONE))
    touched = {shard[p] for p in changed}
    if changed and sum(size[p] for p in current if shard[p] in touched) <= LAYER_LIMIT:
        whole |= touched
        changed = []
    if changed:
        newest = layers[-1] if layers else None
        merged = sorted(set(newest.parts) | set(changed)) if newest else changed
        if newest is not None and sum(size.get(p, 0) for p in merged) <= LAYER_LIMIT:
            newest.parts = {p: current.get(p, GONE) for p in merged}
        elif sum(size.get(p, 0) for p in changed) <= LAYER_LIMIT:
            newest = Layer(int(previous.get("next", "1")) if same else 1,
                           {p: current.get(p, GONE) for p in changed})
            layers.append(newest)
        else:
            whole |= touched
            newest = None
        plan.index_layer = newest
    if len(layers) > MAX_LAYERS:
        whole |= {shard[p] for layer in layers for p in layer.parts}
        plan.index_layer = None
    # Parts of the shards indexed whole are served by them again: out of every layer.
    for layer in layers:
        layer.parts = {p: d for p, d in layer.parts.items() if shard[p] not in whole}
    plan.layers = [layer for layer in layers if layer.parts]
    if plan.index_layer is not None and plan.index_layer not in plan.layers:
        plan.index_layer = None
    if plan.index_layer is not None:
        plan.layer_pages = [e.split("=")[0] for p in sorted(plan.index_layer.parts)
                            for e in parts.get(p, ())]
    plan.empty_layers = {layer.number for layer in plan.layers
                         if not any(p in current for p in layer.parts)}
    plan.whole = sorted(whole | {s for s in shards if s not in used
                                 and s in previous.get("used", "").split()})
    plan.bundles = [bundle_dir(s) for s in used]
    kept = {p: d for p, d in base.items() if shard[p] not in whole and p in current}
    kept.update({p: current[p] for p in current if shard[p] in whole})
    numbers = [layer.number for layer in plan.layers]
    plan.state = {"shards": layout, "used": " ".join(used), "layers": " ".join(map(str, numbers)),
                  "next": str(max(numbers + [int(previous.get("next", "1")) - 1 if same else 0]) + 1),
                  **{f"p:{p}": d for p, d in sorted(kept.items())},
                  **{f"l:{layer.number}:{p}": d for layer in plan.layers
                     for p, d in sorted(layer.parts.items())}}
    return plan


def run_plan(out: Path, plan: SearchPlan, jobs: int) -> tuple[int, bool]:
    """Index what the plan says; return the pages indexed and whether anything was."""
    indexed, worked = 0, False
    if plan.whole:
        counts = index_site(out, plan.whole, layout=plan.shards, jobs=jobs)
        indexed, worked = sum(counts.values()), True
    if plan.index_layer is not None:
        # A layer of removed parts only has no bundle: it just hides their older copies.
        indexed += index_pages(out, plan.layer_pages, plan.index_layer.bundle)
        worked = worked or bool(plan.layer_pages)
    keep = {layer.bundle for layer in plan.layers if layer.number not in plan.empty_layers}
    for folder in out.glob(f"{LAYER_PREFIX}*"):
        if folder.name not in keep and folder.name[len(LAYER_PREFIX):].isdigit():
            shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(plan.describe(), indent=1, sort_keys=True) + "\n"
    described = out / LAYERS_NAME
    if not described.is_file() or described.read_text(encoding="utf-8") != text:
        write_atomic(described, text)
    return indexed, worked


def start_search(out: Path, old: Manifest, manifest: Manifest, report: BuildReport, jobs: int,
                 say: Progress) -> "concurrent.futures.Future[None]":
    """Index the changed search bundles in a background thread; return its future."""
    previous = old.search if isinstance(old.search, dict) else {}
    plan = plan_search(out, previous, manifest.pages, report.articles)
    manifest.search = plan.state

    def work() -> None:
        what = [f"{len(plan.whole)} of {len(plan.shards)} Pagefind bundle(s)"] if plan.whole else []
        if plan.index_layer is not None and plan.layer_pages:
            what.append(f"{len(plan.layer_pages)} changed page(s) into {plan.index_layer.bundle}")
        if what:
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
