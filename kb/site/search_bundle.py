"""Drive Pagefind (PyPI ``pagefind[bin]``, its bundled binary) to write the browser search bundle.

Only article pages carry ``data-pagefind-body``; filters and metadata come from
``data-pagefind-filter``/``-meta`` attributes in the article template.

The bundle is sharded by the last digits of the article id on a site of ``SHARD_THRESHOLD``
articles or more: Pagefind indexes on one core (shards run side by side) and keeps a shard's
whole index in memory, about 130 kB a page, so no shard holds more than ``SHARD_PAGES`` pages:
the last digit modulo 2, 5 or 10, and on a larger site also the second last digit modulo 2, 5
or 10 (20, 50 or 100 shards). The first shard is Pagefind's default bundle at
``<out>/pagefind/``; shard K is at ``<out>/pagefind-K/`` and the search page searches each bundle
on its own (kb/site/static/search.js). Pagefind has no incremental mode: on a sharded site a
small rebuild only indexes the changed pages into a small layer bundle, ``<out>/pagefind-dN/``
(see kb/site/search_plan.py). Each bundle is written to a temporary folder and swapped in, so a
failed run leaves the previous bundle in place.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from kb.exceptions import KbError

DIGITS: tuple[str, ...] = tuple("0123456789")
#: The folder name prefix of the layers: bundles of pages changed since their shard was
#: last indexed whole (``pagefind-d1``, ``pagefind-d2``, ...).
LAYER_PREFIX = "pagefind-d"
#: Below this many articles one bundle is fast enough, and Pagefind's ranking and its
#: all-words matching are only comparable across shards when each holds hundreds of pages.
SHARD_THRESHOLD = 2000
#: Most pages a shard should hold: one Pagefind process over 5,700 pages peaks at 750 MB.
SHARD_PAGES = 4000


class SearchIndexError(KbError):
    """Pagefind could not index the site."""


def shards_for(articles: int) -> tuple[str, ...]:
    """Return the shards of a site with this many articles (their keys, in bundle order).

    One bundle below ``SHARD_THRESHOLD`` articles; above, the fewest of 2, 5, 10, 20, 50 or 100
    shards that keep each under ``SHARD_PAGES`` pages. Pagefind indexes on one core: two or
    more shards keep both cores busy.
    """
    if articles < SHARD_THRESHOLD:
        return ("0",)
    count = next((n for n in (2, 5, 10, 20, 50) if articles <= n * SHARD_PAGES), 100)
    if count <= 10:
        return tuple(str(n) for n in range(count))
    return tuple(f"{rest}{last}" for rest in range(count // 10) for last in DIGITS)


def shard_of(article_id: str, shards: tuple[str, ...]) -> str:
    """Return the shard of an article id (or of a part, its last three digits)."""
    count = len(shards)
    last, second = article_id[-1:], article_id[-2:-1]
    if count == 1 or last not in DIGITS:
        return shards[0]
    if count <= 10:
        return str(int(last) % count)
    return f"{int(second) % (count // 10) if second in DIGITS else 0}{last}"


def suffixes(shard: str, shards: tuple[str, ...]) -> list[str]:
    """Return the id endings that fall in a shard ("" for the one shard of a small site)."""
    count = len(shards)
    if count == 1:
        return [""]
    if count <= 10:
        return [d for d in DIGITS if int(d) % count == int(shard)]
    rest, last = int(shard[:-1]), shard[-1]
    return [f"{second}{last}" for second in range(10) if second % (count // 10) == rest]


def bundle_dir(shard: str) -> str:
    """Return the folder (under the site) of one shard's bundle."""
    return "pagefind" if not shard.strip("0") else f"pagefind-{shard}"


def _glob(shard: str, shards: tuple[str, ...]) -> str:
    """Return the Pagefind glob of a shard's article pages."""
    endings = suffixes(shard, shards)
    if endings == [""]:
        return "Q*/index.html"
    if len(endings) == 1:
        return f"Q*{endings[0]}/index.html"
    if len(endings[0]) == 1:
        return f"Q*[{''.join(endings)}]/index.html"
    return f"Q*[{''.join(e[0] for e in endings)}]{shard[-1]}/index.html"


def _pagefind() -> list[str]:
    """Return the command that runs Pagefind's binary: the one its Python package would run.

    The binary itself, not ``python -m pagefind`` (a Python start-up of 0.13 s per bundle
    before it execs the same binary), and not the Python API, whose service client answers
    one request per 100 ms and whose close can cut a write short.
    """
    try:
        from pagefind.service import get_executable
    except ImportError:
        return [sys.executable, "-m", "pagefind"]  # it reports what is missing
    binary = get_executable()
    return [str(binary)] if binary is not None else [sys.executable, "-m", "pagefind"]


#: The element of an article page that holds everything Pagefind reads (data-pagefind-body,
#: its filters and metas; article.html.j2). As the root, Pagefind skips the site's navigation
#: and head: the same fragments, index and filters (compared file by file at 3,413 pages), for
#: 9 % less of its CPU time.
ROOT_SELECTOR = "article"


def _command(out: Path, glob: str, staging: Path) -> list[str]:
    """Return the Pagefind command that indexes ``glob`` under ``out`` into ``staging``."""
    return [*_pagefind(), "--site", str(out), "--glob", glob, "--root-selector", ROOT_SELECTOR,
            "--output-path", str(staging), "--force-language", "en", "--keep-index-url", "--silent"]


def page_count(bundle: Path) -> int | None:
    """Return how many pages a bundle holds, or None when it is missing or torn."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
        return sum(int(lang.get("page_count", 0)) for lang in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _run_all(commands: dict[str, list[str]], jobs: int) -> dict[str, str]:
    """Run the commands, ``jobs`` at a time; return the error output of those that failed."""
    pending = list(commands.items())
    running: list[tuple[str, subprocess.Popen[str]]] = []
    failed: dict[str, str] = {}
    while pending or running:
        while pending and len(running) < jobs:
            shard, cmd = pending.pop(0)
            running.append((shard, subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                                    stderr=subprocess.STDOUT, text=True)))
        shard, proc = running.pop(0)
        output, _ = proc.communicate()
        if proc.returncode != 0:
            failed[shard] = output.strip()[-500:] or f"exit status {proc.returncode}"
    return failed


def index_site(out: Path, shards: list[str] | None = None, *, layout: tuple[str, ...] = ("0",),
               jobs: int = 1) -> dict[str, int]:
    """(Re)index the given shards (all of ``layout`` by default) of the site at ``out``; pages per shard."""
    out = out.resolve()
    wanted = list(shards if shards is not None else layout)
    # The bundles of another layout (an earlier, smaller or larger build) are stale.
    current = {bundle_dir(shard) for shard in layout}
    for folder in out.glob("pagefind-*"):
        name = folder.name
        if name not in current and not name[len(LAYER_PREFIX):].isdigit() and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
    # Pagefind refuses a glob that matches nothing: an empty shard has no bundle at all.
    present = {shard_of(p.name, layout) for p in out.iterdir()
               if p.name[:1] == "Q" and (p / "index.html").is_file()}
    for shard in [s for s in wanted if s not in present]:
        shutil.rmtree(out / bundle_dir(shard), ignore_errors=True)
    wanted = [s for s in wanted if s in present]
    staging = {shard: out / f".{bundle_dir(shard)}-new" for shard in wanted}
    for folder in staging.values():
        shutil.rmtree(folder, ignore_errors=True)
    commands = {shard: _command(out, _glob(shard, layout), staging[shard]) for shard in wanted}
    failed = _run_all(commands, jobs)
    counts: dict[str, int] = {}
    for shard in wanted:
        count = None if shard in failed else page_count(staging[shard])
        if count is None:
            for folder in staging.values():
                shutil.rmtree(folder, ignore_errors=True)
            reason = failed.get(shard, "it wrote no readable pagefind-entry.json")
            raise SearchIndexError(f"{out}: Pagefind failed on {bundle_dir(shard)}: {reason}")
        counts[shard] = count
    for shard in wanted:
        _swap_in(out, bundle_dir(shard))
    return counts


def _swap_in(out: Path, name: str) -> None:
    """Replace the bundle ``name`` with its freshly written ``.name-new`` folder."""
    final, new, old = out / name, out / f".{name}-new", out / f".{name}-old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def index_pages(out: Path, pages: list[str], name: str) -> int:
    """Index only ``pages`` (article page paths under ``out``) as the bundle ``name``; return its size.

    Pagefind indexes a folder, not a list: the pages are hard-linked into a scratch site of
    their own, whose URLs are the same as the real site's. No pages, no bundle.
    """
    out = out.resolve()
    if not pages:
        shutil.rmtree(out / name, ignore_errors=True)
        return 0
    source, staging = out / f".{name}-src", out / f".{name}-new"
    for folder in (source, staging):
        shutil.rmtree(folder, ignore_errors=True)
    try:
        for page in pages:
            (source / page).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(out / page, source / page)
            except OSError:
                shutil.copyfile(out / page, source / page)
        failed = _run_all({name: _command(source, "Q*/index.html", staging)}, 1)
        count = None if failed else page_count(staging)
        if count is None:
            shutil.rmtree(staging, ignore_errors=True)
            reason = failed.get(name, "it wrote no readable pagefind-entry.json")
            raise SearchIndexError(f"{out}: Pagefind failed on {name}: {reason}")
        _swap_in(out, name)
        return count
    finally:
        shutil.rmtree(source, ignore_errors=True)
