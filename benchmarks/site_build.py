"""Benchmark the static site: kb site build over ../shared/corpus, side by side with Hugo + Pagefind.

Imports the corpus (6,900 articles) into a temporary knowledge base with ``kb import --jobs 2``,
then measures (medians over --repeat runs):

* ``kb site build`` from scratch with Pagefind: seconds, article pages per second, site size,
  Pagefind bundle size, largest page;
* a rebuild after changing one article (a different one each run);
* search latency: ``kb search`` (the process, as a user runs it, and the library call; see
  benchmarks/search_latency.py for the full query set) and the browser (Playwright + chromium):
  typing a query until the results show, and opening ``/search/?q=...`` in a fresh browser
  context (cold: no cache) until the first results show and until the exact count shows;
* the peer, when ``hugo`` is on PATH: the same articles as Markdown (``kb render --format md``)
  in a minimal Hugo site, then Pagefind over Hugo's output; and the ratio of the two.

``--scale N`` grows the knowledge base to N articles before building, by copying the imported
records under new ids (Q1xxxxxx, Q2xxxxxx, ...), to measure at the size of the whole archive
(about 57,000 articles) which we do not have.

The report also gives the CPU time (user + system, the build and its Pagefind processes) and the
peak memory of the largest process, since wall times on a shared machine include waiting for a core.

Usage: python benchmarks/site_build.py [--repeat 3] [--rebuilds N] [--keep DIR] [--no-peer] [--no-browser]
       [--scale N] [--cold-cache]
       python benchmarks/site_build.py --cold-only SITE_DIR [--repeat 5]   (only the cold opens of a built
       site's search page: no import, no build)
Targets (issue 12): 6,900 articles: kb ≤ 1.0 × (Hugo + Pagefind) in the same run; 57,000 articles
(--scale 57000 --no-peer): build ≤ 3 min and ≤ 700 MB, browser search cold ≤ 1 s; site < 150 MB
(6,900) and one-article rebuild < 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT.parent / "shared" / "corpus"
QUERIES = ["trailing space NDR", "Q254893", "4120", "public folder replication", "IMS DNS"]
#: Runs a command and prints, last on stderr, the peak memory of its largest process (kB, Linux).
PEAK_WRAPPER = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                "sys.exit(done.returncode)")
#: Opened cold (a fresh browser context) as /search/?q=...: a phrase, an id, a common word.
COLD_QUERIES = ["trailing space NDR", "Q254893", "printer driver", "IMS DNS", "the"]
#: Records, in the page, when the result list first has an entry (ms from the navigation start).
SHOWN_AT = ("new MutationObserver(() => { const list = document.getElementById('results'); "
            "if (list && list.firstChild && !window.__kbFirstShown) window.__kbFirstShown = performance.now(); })"
            ".observe(document, {subtree: true, childList: true});")
#: Whether the result list shows an entry (Playwright's "visible": a box with a size, not hidden).
FIRST_VISIBLE = ("() => { const li = document.querySelector('#results li'); if (!li) return false; "
                 "const box = li.getBoundingClientRect(); "
                 "return box.width > 0 && box.height > 0 && getComputedStyle(li).visibility !== 'hidden'; }")


def say(message: str) -> None:
    """Print progress on stderr."""
    print(f"[site_build] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], cwd: Path | None = None) -> float:
    """Run a command quietly; return its wall time in seconds (raise when it fails)."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ...: exit {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def tree_bytes(folder: Path) -> int:
    """Return the total size of the files under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def mb(n: float) -> str:
    """Format bytes as MB."""
    return f"{n / 1e6:.1f} MB"


def scale_up(articles: Path, target: int) -> int:
    """Copy records under new ids until ``articles`` holds ``target`` records; return the count."""
    records = sorted(articles.glob("Q*.yaml"))
    count, copy = len(records), 1
    while count < target and copy < 10:
        for record in records:
            if count >= target:
                break
            new_id = f"Q{copy}{record.stem[1:]:0>6}"
            text = re.sub(r"^id: Q\d+$", f"id: {new_id}", record.read_text(encoding="utf-8"),
                          count=1, flags=re.MULTILINE)
            (articles / f"{new_id}.yaml").write_text(text, encoding="utf-8")
            count += 1
        copy += 1
    return count


def kb_build(root: Path, repeat: int, between: Callable[[], None] | None = None,
             cold_cache: bool = False) -> dict[str, float]:
    """Build the site from scratch ``repeat`` times (calling ``between`` after each, so the peer
    runs interleaved under the same machine load); return median figures.

    "From scratch" is an empty output folder; the record cache (``.kb/cache``, parsed records)
    is kept from run to run unless ``cold_cache``, which clears it before each run.
    """
    from kb import record_cache

    times, search_times, cpu = [], [], []
    peak = 0
    for n in range(repeat):
        out = root / "site"
        shutil.rmtree(out, ignore_errors=True)
        if cold_cache:
            record_cache.clear(root)
        say(f"kb site build, run {n + 1}/{repeat}")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        # Through a small wrapper that reports the largest process of the build's own tree (the
        # build or one of its Pagefinds), not of every child of this script (the Hugo peer).
        done = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, sys.executable, "-m", "kb", "site",
                               "build", str(root / "articles"), "--out", str(out), "--json"],
                              capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        peak = max(peak, int(done.stderr.strip().splitlines()[-1]) * 1024 if done.returncode == 0 else 0)
        if done.returncode != 0:
            raise SystemExit(f"kb site build failed: {done.stderr[-2000:]}")
        search_times.append(json.loads(done.stdout)["search_seconds"])
        say(f"kb site build: {times[-1]:.1f} s (Pagefind {search_times[-1]:.1f} s)")
        if between is not None:
            between()
    out = root / "site"
    pages = [p for p in out.rglob("*.html")]
    return {
        "seconds": statistics.median(times), "pagefind_seconds": statistics.median(search_times),
        "runs": times, "cpu": statistics.median(cpu), "peak_bytes": peak,
        "articles": len(list(out.glob("Q*/index.html"))), "pages": len(pages),
        "bytes": tree_bytes(out),
        "pagefind_bytes": sum(tree_bytes(d) for d in out.glob("pagefind*") if d.is_dir()),
        "largest_page": max(p.stat().st_size for p in pages),
    }


def kb_rebuild(root: Path, repeat: int) -> float:
    """Change one article (a different one per run) and time the incremental rebuild."""
    records = sorted((root / "articles").glob("Q*.yaml"))
    times = []
    for n in range(repeat):
        start = (n + 1) * len(records) // (repeat + 1)
        # A plain one-line title (no quotes, no ": ") stays valid YAML with a word put in front.
        record, text = next((r, t) for r in records[start:] + records[:start]
                            for t in [r.read_text(encoding="utf-8")]
                            if re.search(r"^title: [A-Za-z][^:'\"#\n]*$", t, re.MULTILINE))
        record.write_text(text.replace("title: ", f"title: Changed {n} ", 1), encoding="utf-8")
        times.append(run([sys.executable, "-m", "kb", "site", "build", str(root / "articles"),
                          "--out", str(root / "site")]))
        say(f"rebuild after changing {record.stem}: {times[-1]:.2f} s")
    return statistics.median(times)


def terminal_search(root: Path) -> dict[str, float]:
    """Time kb index, kb search (process) and the library search call (warm index)."""
    index = run([sys.executable, "-m", "kb", "index"], cwd=root)
    process = [run([sys.executable, "-m", "kb", "search", q, "--json"], cwd=root) for q in QUERIES]
    from kb.site.fts import search

    calls = []
    for query in QUERIES:
        started = time.perf_counter()
        search(root, query)
        calls.append(time.perf_counter() - started)
    first = search(root, "trailing space NDR", limit=3)
    return {"index": index, "process": statistics.median(process), "call": statistics.median(calls),
            "first_for_trailing_space_ndr": first[0].id if first else "-"}


def browser_search(site: Path) -> dict[str, Any] | None:
    """Time queries typed into the search page until their results show (chromium)."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return None
    from playwright.sync_api import sync_playwright

    from kb.site.serve import serve_in_thread

    server, _ = serve_in_thread(site, 0)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    cold, warm = [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium),
                                         args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            for rounds in (cold, warm):
                page = browser.new_page()
                page.goto(base + "search/index.html")
                page.wait_for_selector("body[data-search-ready]", timeout=30000)
                for query in QUERIES:
                    started = time.perf_counter()
                    page.fill("#search-q", query)
                    page.press("#search-q", "Enter")
                    page.wait_for_function(
                        "q => new URLSearchParams(location.search).get('q') === q && "
                        "/found/.test(document.getElementById('search-status').textContent)",
                        arg=query, timeout=30000)
                    rounds.append(time.perf_counter() - started)
                if rounds is cold:
                    page.close()
            opened = opened_cold(browser, base)
            browser.close()
    finally:
        server.shutdown()
    return {"cold": statistics.median(cold), "warm": statistics.median(warm), "opened": opened}


def opened_cold(browser: Any, base: str, repeat: int = 1) -> dict[str, dict[str, list[float]]]:
    """Open /search/?q=... for each cold query in a fresh context, ``repeat`` times; return, per
    query, the seconds until the first results show, until the exact count shows (the status
    line's ``data-count``, set before the ranked merge) and until the ranked results are final
    (the status says "found")."""
    from urllib.parse import quote

    times: dict[str, dict[str, list[float]]] = {}
    for query in COLD_QUERIES:
        for _ in range(repeat):
            context = browser.new_context()
            # The moment the page shows its first result, by the page's own clock (from the start
            # of the navigation): what the reader sees, without Playwright's round trips.
            context.add_init_script(SHOWN_AT)
            page = context.new_page()
            started = time.perf_counter()
            # Not waiting for the load event: the results may show before it.
            page.goto(base + "search/index.html?q=" + quote(query), wait_until="commit")
            # Checked in the page on every frame (wait_for_function polls with requestAnimationFrame):
            # wait_for_selector polls from Playwright's side, after 0, 20, 50, 100, 100 ms and then
            # every 500 ms, which rounded a result shown at 0.96 s up to 1.44 s.
            page.wait_for_function(FIRST_VISIBLE, timeout=60000)
            first = time.perf_counter() - started
            shown = page.evaluate("window.__kbFirstShown") / 1000
            page.wait_for_function("() => document.getElementById('search-status')?.dataset.count !== undefined",
                                   timeout=120000)
            counted = time.perf_counter() - started
            page.wait_for_function("() => /found/.test(document.getElementById('search-status').textContent)",
                                   timeout=120000)
            final = time.perf_counter() - started
            entry = times.setdefault(query, {"shown": [], "first": [], "counted": [], "final": []})
            entry["shown"].append(shown)
            entry["first"].append(first)
            entry["counted"].append(counted)
            entry["final"].append(final)
            say(f"opened /search/?q={query}: first results {shown * 1000:.0f} ms in the page, {first * 1000:.0f} ms "
                f"seen by Playwright, exact count "
                f"{counted * 1000:.0f} ms, ranked {final * 1000:.0f} ms")
            context.close()
    return times


def cold_only(site: Path, repeat: int) -> None:
    """Measure only the cold opens of the search page of an already built site, and print them."""
    chromium = Path("/usr/bin/chromium")
    if not (site / "search" / "index.html").is_file():
        raise SystemExit(f"{site}: no built site with a search page here")
    if not chromium.exists():
        raise SystemExit(f"{chromium}: not installed")
    from playwright.sync_api import sync_playwright

    from kb.site.serve import serve_in_thread

    server, _ = serve_in_thread(site, 0)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium),
                                         args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            times = opened_cold(browser, f"http://127.0.0.1:{server.server_address[1]}/", repeat)
            browser.close()
    finally:
        server.shutdown()
    articles = len(list(site.glob("Q*/index.html")))
    print(f"search page opened cold ({articles} articles, {repeat} fresh browser context(s) per query, "
          f"{os.cpu_count()} cores; kb site serve)")
    print_cold(times)


def spread(values: list[float]) -> str:
    """Format the median of ``values`` in ms, with their range when there are several."""
    low, mid, high = min(values) * 1000, statistics.median(values) * 1000, max(values) * 1000
    return f"{mid:5.0f} ms" + (f" ({low:.0f}-{high:.0f})" if len(values) > 1 else "")


def print_cold(times: dict[str, dict[str, list[float]]]) -> None:
    """Print the cold-open figures per query, then the medians over all queries."""
    print("  (first shown: by the page's clock from the start of navigation; the others from page.goto, "
          "checked in the page on every frame)")
    for query, entry in times.items():
        print(f"  opened cold ?q={query:<20} first shown {spread(entry['shown'])}, first results "
              f"{spread(entry['first'])}, exact count {spread(entry['counted'])}, ranked {spread(entry['final'])}")
    for key, label in (("shown", "first shown"), ("first", "first results"), ("counted", "exact count"),
                       ("final", "ranked")):
        medians = [statistics.median(entry[key]) for entry in times.values()]
        print(f"  opened cold, median        {label:<14} {statistics.median(medians) * 1000:.0f} ms"
              + (" (target <= 1000 ms)" if key in ("shown", "first") else ""))


HUGO_CONFIG = """baseURL = "http://127.0.0.1/"
title = "kb peer"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = false
"""
HUGO_SINGLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main data-pagefind-body><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>
"""
HUGO_LIST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</body></html>
"""


class HugoPeer:
    """The same articles as Markdown in a minimal Hugo site, indexed by Pagefind."""

    def __init__(self, root: Path, work: Path, hugo: str) -> None:
        self.hugo, self.site = hugo, work / "hugo"
        self.hugo_times: list[float] = []
        self.pagefind_times: list[float] = []
        prepare_hugo(root, work, self.site)

    def run(self) -> None:
        """Build once with Hugo, then run Pagefind over its output."""
        shutil.rmtree(self.site / "public", ignore_errors=True)
        self.hugo_times.append(run([self.hugo, "--quiet", "-s", str(self.site), "-d", str(self.site / "public")]))
        self.pagefind_times.append(run([sys.executable, "-m", "pagefind", "--site", str(self.site / "public")]))
        say(f"hugo {self.hugo_times[-1]:.1f} s + pagefind {self.pagefind_times[-1]:.1f} s")

    def figures(self) -> dict[str, float]:
        """Return the median seconds and the output size."""
        return {"hugo": statistics.median(self.hugo_times),
                "pagefind": statistics.median(self.pagefind_times),
                "bytes": tree_bytes(self.site / "public"),
                "hugo_runs": self.hugo_times, "pagefind_runs": self.pagefind_times}


def prepare_hugo(root: Path, work: Path, site: Path) -> None:
    """Write the minimal Hugo site and its content (kb render --format md; not timed)."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "config.toml").write_text(HUGO_CONFIG)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    markdown = work / "md"
    say("rendering the articles as Markdown for Hugo (kb render --format md)")
    run([sys.executable, "-m", "kb", "render", *map(str, sorted((root / "articles").glob("Q*.yaml"))),
         "--format", "md", "--out", str(markdown), "--jobs", "2"])
    content = site / "content" / "articles"
    content.mkdir(parents=True)
    for md in sorted(markdown.glob("*.md")):
        body = md.read_text(encoding="utf-8")
        title, _, rest = body.partition("\n")
        front = title.lstrip("# ").replace("\\", "\\\\").replace('"', '\\"')
        (content / md.name).write_text(f'---\ntitle: "{front}"\n---\n{rest}', encoding="utf-8")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--scale", type=int, help="grow the knowledge base to this many articles")
    parser.add_argument("--rebuilds", type=int, help="one-article rebuilds to time (default: --repeat)")
    parser.add_argument("--cold-cache", action="store_true",
                        help="clear the record cache before each kb build (every record parsed, as on a fresh clone)")
    parser.add_argument("--cold-only", type=Path, metavar="SITE_DIR",
                        help="only open the search page of this built site cold, --repeat times a query")
    args = parser.parse_args()
    if args.cold_only:
        cold_only(args.cold_only, args.repeat)
        return
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS}: corpus not found")
    work = args.keep or Path(tempfile.mkdtemp(prefix="kb-site-bench-"))
    root = work / "kb"
    try:
        if not (root / "articles").is_dir():
            say("importing ../shared/corpus (kb import --jobs 2)")
            seconds = run([sys.executable, "-m", "kb", "import", str(CORPUS / "exchange"),
                           str(CORPUS / "sample"), "--out", str(root / "articles"), "--jobs", "2"])
            say(f"imported in {seconds:.1f} s")
        if args.scale:
            say(f"scaled to {scale_up(root / 'articles', args.scale)} articles")
        hugo = None if args.no_peer else shutil.which("hugo")
        peer_runner = HugoPeer(root, work, hugo) if hugo else None
        built = kb_build(root, args.repeat, peer_runner.run if peer_runner else None, args.cold_cache)
        peer = peer_runner.figures() if peer_runner else None
        browser = None if args.no_browser else browser_search(root / "site")
        rebuild = kb_rebuild(root, args.rebuilds or args.repeat)
        terminal = terminal_search(root)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    scale = f", scaled up from the corpus with --scale {args.scale}" if args.scale else ""
    cache = ("record cache cleared before each run" if args.cold_cache else
             "record cache kept from run to run: every run but a first after import reads parsed records")
    print(f"kb site build ({built['articles']} articles{scale}, {built['pages']} pages, median of {args.repeat}, "
          f"{os.cpu_count()} cores; {cache})")
    print(f"  full build with Pagefind   {built['seconds']:.1f} s  "
          f"({built['articles'] / built['seconds']:.0f} article pages/s overall; runs "
          f"{', '.join(f'{t:.1f}' for t in built['runs'])})")
    print(f"  CPU time, peak memory      {built['cpu']:.1f} s user + system; largest process "
          f"{mb(built['peak_bytes'])}")
    print(f"  of which Pagefind          {built['pagefind_seconds']:.1f} s")
    print(f"  site size                  {mb(built['bytes'])}  (Pagefind bundle {mb(built['pagefind_bytes'])}, "
          f"largest page {built['largest_page'] / 1e3:.0f} kB)")
    print(f"  rebuild after one change   {rebuild:.2f} s")
    print(f"  kb index                   {terminal['index']:.2f} s")
    print(f"  kb search (process)        {terminal['process'] * 1000:.0f} ms   "
          f"(library call {terminal['call'] * 1000:.1f} ms; first for 'trailing space NDR': "
          f"{terminal['first_for_trailing_space_ndr']})")
    if browser:
        print(f"  browser search             {browser['cold'] * 1000:.0f} ms first queries, "
              f"{browser['warm'] * 1000:.0f} ms warm (typing to results)")
        print_cold(browser["opened"])
    if peer:
        total = peer["hugo"] + peer["pagefind"]
        print(f"peer: hugo {peer['hugo']:.1f} s + pagefind {peer['pagefind']:.1f} s = {total:.1f} s "
              f"({mb(peer['bytes'])})")
        pairs = [k / (h + p) for k, h, p in zip(built["runs"], peer["hugo_runs"], peer["pagefind_runs"])]
        print(f"ratio kb / (hugo + pagefind) = {built['seconds'] / total:.2f} of medians; per interleaved "
              f"run {', '.join(f'{r:.2f}' for r in pairs)} (median {statistics.median(pairs):.2f}; target <= 1.0)")
    if built["articles"] >= 50000:
        print(f"targets at archive scale: build <= 180 s: {'ok' if built['seconds'] <= 180 else 'MISSED'}; "
              f"largest process <= 700 MB: {'ok' if built['peak_bytes'] <= 700e6 else 'MISSED'}; "
              f"rebuild < 5 s: {'ok' if rebuild < 5 else 'MISSED'}")
    else:
        print(f"targets: size < 150 MB: {'ok' if built['bytes'] < 150e6 else 'MISSED'}; "
              f"rebuild < 5 s: {'ok' if rebuild < 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
