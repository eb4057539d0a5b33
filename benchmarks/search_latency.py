"""Benchmark `kb search` and `kb index` as a user runs them: whole processes, a fixed query set.

Imports ../shared/corpus into a work folder (``kb import --jobs 2``), optionally grows it to
``--scale N`` articles by copying records under new ids (as benchmarks/site_build.py does, to
measure at the size of the whole archive, about 57,000 articles, which we do not have), runs
``kb index`` ``--repeat`` times, then every query of ``QUERIES`` ``--repeat`` times as a
separate ``python -m kb search QUERY --json`` process. Prints, per query, the median and worst
wall time and the median CPU time (user + system of the process: on a shared machine the wall
time includes waiting for a core), the overall median and worst, and the first hits.

``kb index`` is timed twice per repeat: cold (the record cache ``.kb/cache`` removed first, so
every record is parsed) and warm (the cache as the previous run left it, as after a site
build). Both print median wall and CPU time (user + system of kb index and its workers).

Usage: python benchmarks/search_latency.py [--repeat 5] [--scale 57000] [--keep DIR] [--no-search]
Targets (issue 12, 57k articles): median <= 0.15 s, worst <= 0.5 s; kb index <= 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT.parent / "shared" / "corpus"
sys.path.insert(0, str(PROJECT / "benchmarks"))

from site_build import scale_up  # noqa: E402  (a sibling script, not a package)

#: Common words ("the", "how to"), phrases, article ids with and without Q, an event id, rare
#: words, a word in no article, and a filtered query.
QUERIES: list[list[str]] = [
    ["the"], ["printer driver"], ["Q254893"], ["254893"], ["4120"], ["trailing space NDR"],
    ["public folder replication"], ["IMS DNS"], ["uuencode"], ["how to"], ["error"],
    ["Dr. Watson"], ["ETRN"], ["zzzznotfound"], ["NDR", "--kind", "fixed"],
]
#: Exit statuses of a search that ran: 0 found, 1 nothing matches (as grep).
NO_MATCH_OK = (0, 1)


def say(message: str) -> None:
    """Print progress on stderr."""
    print(f"[search_latency] {message}", file=sys.stderr, flush=True)


def timed(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """Run a command; return its wall time, its CPU time (user + sys) and its stdout (exit status in ``ok``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, help="grow the knowledge base to this many articles")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--no-index", action="store_true", help="reuse the index already in --keep")
    parser.add_argument("--no-search", action="store_true", help="time kb index only")
    parser.add_argument("--jobs", type=int, help="kb index --jobs N (default: all cores)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kb-search-bench-"))
    root = work / "kb"
    env_cmd = [sys.executable, "-m", "kb"]
    try:
        if not (root / "articles").is_dir():
            if not CORPUS.is_dir():
                raise SystemExit(f"{CORPUS}: corpus not found")
            say("importing ../shared/corpus (kb import --jobs 2)")
            timed([*env_cmd, "import", str(CORPUS / "exchange"), str(CORPUS / "sample"),
                   "--out", str(root / "articles"), "--jobs", "2"], PROJECT)
        if args.scale:
            say(f"scaled to {scale_up(root / 'articles', args.scale)} articles")
        articles = sum(1 for name in os.listdir(root / "articles") if name.endswith(".yaml"))
        index_runs: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        for n in range(0 if args.no_index else args.repeat):
            for kind in ("cold", "warm"):
                if kind == "cold":
                    shutil.rmtree(root / ".kb" / "cache", ignore_errors=True)
                wall, cpu, _ = timed([*env_cmd, "index", *jobs], root)
                index_runs[kind].append((wall, cpu))
                say(f"kb index {kind}, run {n + 1}/{args.repeat}: {wall:.1f} s (CPU {cpu:.1f} s)")
        rows = []
        walls: list[float] = []
        if not args.no_search:
            timed([*env_cmd, "search", "warm-up"], root, NO_MATCH_OK)  # the page cache, not the index
        for query in [] if args.no_search else QUERIES:
            runs = [timed([*env_cmd, "search", *query, "--json"], root, NO_MATCH_OK) for _ in range(args.repeat)]
            found = json.loads(runs[-1][2])
            rows.append((" ".join(query), statistics.median(r[0] for r in runs), max(r[0] for r in runs),
                         statistics.median(r[1] for r in runs), found["count"],
                         [hit["id"] for hit in found["results"][:3]]))
            walls += [r[0] for r in runs]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    if rows:
        print(f"kb search over {articles} articles, {len(QUERIES)} queries x {args.repeat} processes "
              f"({os.cpu_count()} cores)")
        print(f"  {'query':28} {'median':>8} {'worst':>8} {'CPU':>8}  hits  first")
        for text, median, worst, cpu, count, first in rows:
            print(f"  {text:28} {median * 1000:6.0f} ms {worst * 1000:6.0f} ms {cpu * 1000:6.0f} ms  "
                  f"{count:4}  {' '.join(first)}")
        print(f"  all queries: median {statistics.median(walls) * 1000:.0f} ms, worst {max(walls) * 1000:.0f} ms "
              f"(targets: median <= 150 ms, worst <= 500 ms)")
    for kind, runs in index_runs.items():
        if runs:
            print(f"kb index {kind} ({'no record cache' if kind == 'cold' else 'record cache present'}), "
                  f"{articles} articles: median {statistics.median(w for w, _ in runs):.1f} s wall, "
                  f"CPU {statistics.median(c for _, c in runs):.1f} s, of {len(runs)} "
                  f"({', '.join(f'{w:.1f}/{c:.1f}' for w, c in runs)} wall/CPU; target <= 30 s wall)")


if __name__ == "__main__":
    main()
