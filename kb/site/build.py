"""Build the static site: article pages, index pages, static assets and the Pagefind bundle.

Incremental: a record whose bytes are unchanged is not loaded again (its index summary comes
from the manifest), a page whose inputs are unchanged is not rendered again, and files are
written atomically. Pages render across worker processes on a full build
(kb/site/page_writer.py).
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from kb.coverage import site_counts
from kb.exceptions import KbError
from kb.ids import UnsafePathError, inside, is_article_id
from kb.resources import data_path
from kb.site.indexes import Page, article_path, plan_index_pages
from kb.site.manifest import MANIFEST_NAME, Manifest, Record, digest_files, digest_text
from kb.files import write_atomic
from kb.site.records import odd_records, record_files, scan_records
from kb.site.search_plan import bundles_for, start_search
from kb.site.config import SiteConfig, load_site_config
from kb.site.page_writer import PARALLEL_THRESHOLD, Progress, render_articles, render_indexes
from kb.site.pages import configure, static_dir, template_dir
from kb.site.verification import badge_for, entry_digest, load_results


@dataclass
class BuildReport:
    """What a build did: counts, timings and the records that could not be built."""

    out: Path
    articles: int = 0
    rendered_articles: int = 0
    rendered_indexes: int = 0
    index_pages: int = 0
    removed: int = 0
    search_indexed: bool = False
    search_pages: int = 0
    search_seconds: float = 0.0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    #: Entries named like records that are not regular files (a FIFO, a dangling link, a loop).
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {"articles": self.articles, "errors": self.errors, "warnings": self.warnings,
                "index_pages": self.index_pages,
                "out": str(self.out), "removed": self.removed,
                "rendered_articles": self.rendered_articles,
                "rendered_indexes": self.rendered_indexes, "search_indexed": self.search_indexed,
                "search_pages": self.search_pages,
                "search_seconds": round(self.search_seconds, 3), "seconds": round(self.seconds, 3)}


def code_digest() -> str:
    """Return the digest of everything that shapes a page besides its record (templates, code)."""
    files = sorted(template_dir().glob("*.j2")) + sorted(static_dir().glob("*"))
    # The code a page is made with: the site, the renderers its body shares, the release
    # lattice of its status table, and the record model.
    for package in ("site", "render", "releases"):
        files += sorted(data_path(package).glob("*.py"))
    files.append(data_path("model.py"))
    # The proof figures and the per-article coverage facts of the summaries.
    files += [data_path("coverage.py"), data_path("coverage.yaml")]
    # How a Markdown article becomes a record, and the "edited since import" check.
    files += [data_path("markdown_source.py"), data_path("front_matter.py"), data_path("article_lints.py")]
    catalogue = data_path("releases", "catalogue.yaml")
    if catalogue.is_file():
        files.append(catalogue)
    return digest_files(files)


# --- the build ---------------------------------------------------------------------------

@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the bookkeeping of a build.

    The manifest holds hundreds of thousands of small containers at 57,000 records; with the
    collector on, loading it and planning the index pages spend more time in collections than
    in the work. The bookkeeping makes no reference cycles worth collecting early.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _article_key(code: str, sha: str, verify_digest: str, refs: list[str], ids: frozenset[str]) -> str:
    """Return the digest of an article page's inputs (reference links depend on the KB)."""
    present = "".join("1" if ref in ids else "0" for ref in refs)
    return digest_text(code, sha, verify_digest, ",".join(refs), present)


def _verify_digests(verify: dict[str, dict[str, Any]]) -> Callable[[str], str]:
    """Return a function giving an article's verify-entry digest (each entry hashed once)."""
    missing = entry_digest(None)
    digests = {article_id: entry_digest(entry) for article_id, entry in verify.items()}
    return lambda article_id: digests.get(article_id, missing)


def _badges(verify: dict[str, dict[str, Any]]) -> Callable[[dict[str, Any]], str]:
    """Return a function giving an article's verification badge from its summary."""
    def badge(summary: dict[str, Any]) -> str:
        entry = verify.get(summary["id"]) or {}
        return badge_for(summary["has_repro"], entry.get("results") or [])

    return badge


def _sha(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class _Records:
    """The records of a build: those whose page is current, and those to render."""

    kept: dict[str, Record] = field(default_factory=dict)
    #: File name -> (mtime, size, sha) of each record whose page must be rendered.
    pending: dict[str, tuple[int, int, str]] = field(default_factory=dict)


def _sort_records(folder: Path, scanned: list[tuple[str, int, int]], out: Path, old: Manifest,
                  code: str, verify_digest: Callable[[str], str], ids: frozenset[str]) -> _Records:
    """Keep each record whose bytes, page inputs and page file are unchanged; queue the rest."""
    result = _Records()
    site = str(out)
    for name, mtime, size in scanned:
        prev = old.records.get(name)
        same_stat = prev is not None and prev.mtime == mtime and prev.size == size
        sha = prev.sha if same_stat and prev is not None else _sha(folder / name)
        if prev is not None and prev.sha == sha and is_article_id(prev.summary.get("id")):
            summary = prev.summary
            key = _article_key(code, sha, verify_digest(summary["id"]), summary["refs"], ids)
            # os.access on a plain string: the cheapest check that a page was not deleted.
            if key == prev.key and os.access(f"{site}/{summary['id']}/index.html", os.F_OK):
                result.kept[name] = prev if same_stat else prev._replace(mtime=mtime, size=size)
                continue
        result.pending[name] = (mtime, size, sha)
    return result


def not_found_page(config: SiteConfig) -> Page:
    """Return the 404 page: served at any missing address, so its links start at the site's
    root path (the base URL's, else the server's)."""
    from urllib.parse import urlsplit

    root = urlsplit(config.base_url).path or "/" if config.base_url else "/"
    return Page("404.html", "404.html.j2", {"title": "Page not found", "heading": "Page not found",
                                             "site_root": root}, root=root)


def _gone_articles(old: Manifest, records: dict[str, Record]) -> list[str]:
    """Return the article pages of the last build that no record produces any more.

    An id in the old manifest that is not an article id (a manifest from before the id rule,
    or edited by hand) names no page of ours: it is never turned into a path to delete.
    """
    candidates = {r.summary["id"] for name, r in old.records.items() if records.get(name) is not r}
    if candidates:
        candidates -= {r.summary["id"] for r in records.values()}
    return sorted(article_path(article_id) for article_id in candidates if is_article_id(article_id))


def _remove_page(out: Path, page: str) -> None:
    """Delete a page no longer produced, and its folder when it becomes empty (never outside ``out``)."""
    try:
        target = inside(out, page)
    except UnsafePathError:
        return  # a path from a damaged manifest: nothing of ours lives outside the site
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != out and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _copy_static(out: Path) -> None:
    """Copy the static assets into ``<out>/static/`` (atomically per file)."""
    for source in sorted(static_dir().iterdir()):
        if source.is_file():
            target = out / "static" / source.name
            data = source.read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                write_atomic(target, data)


def build_site(
    articles_dir: Path,
    out: Path,
    *,
    verify_results: Path | None = None,
    search: bool = True,
    jobs: int | None = None,
    title: str | None = None,
    config: SiteConfig | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build (or bring up to date) the static site of ``articles_dir`` in ``out``.

    ``config`` defaults to the knowledge base's (``kb.yaml`` or ``[tool.kb]`` beside
    ``articles_dir``); ``title`` overrides its title.
    """
    started = time.perf_counter()
    config = config or load_site_config(Path(articles_dir).resolve().parent)
    if title:
        config = SiteConfig(title=title, base_url=config.base_url, description=config.description,
                            source=config.source)
    configure(config)
    say = progress or (lambda message: None)
    jobs = jobs or min(2, os.cpu_count() or 1)
    out.mkdir(parents=True, exist_ok=True)
    report = BuildReport(out=out)

    # 1. Which records changed? Unchanged bytes keep their summary from the manifest.
    with _gc_paused():
        scanned = scan_records(articles_dir)
        report.warnings = odd_records(articles_dir)
        ids = frozenset(name[:name.rindex(".")] for name, _, _ in scanned)
        verify = load_results(verify_results) if verify_results else {}
        verify_digest = _verify_digests(verify)
        old = Manifest.load(out)
        manifest = Manifest(code=digest_text(code_digest(), config.digest()))
        found = _sort_records(articles_dir, scanned, out, old, manifest.code, verify_digest, ids)
    records = found.kept
    say(f"records: {len(records) + len(found.pending)} found, {len(found.pending)} to render")

    # 2. Render the article pages that need it.
    to_render = [str(articles_dir / name) for name in found.pending]
    for path_text, summary, error in render_articles(to_render, out, ids, verify, jobs, say):
        name = Path(path_text).name
        if error is not None:
            report.errors.append(error)
            # Keep the last good page of a record that no longer loads: nothing is lost.
            if name in old.records:
                records[name] = old.records[name]
            continue
        assert summary is not None
        mtime, size, sha = found.pending[name]
        key = _article_key(manifest.code, sha, verify_digest(summary["id"]), summary["refs"], ids)
        records[name] = Record(mtime, size, sha, key, summary)
        report.rendered_articles += 1
    manifest.records = records
    report.articles = len(records)

    # 3. Remove article pages no longer produced; plan the index pages from the summaries
    # (verification state joins the verify results).
    with _gc_paused():
        for page in _gone_articles(old, records):
            _remove_page(out, page)
            report.removed += 1
        summaries = [record.summary for record in records.values()]
        bundles = bundles_for({n: {"summary": r.summary} for n, r in records.items()}) if search else []
        figures = site_counts(((s["id"], *s["coverage"]) for s in summaries if s.get("coverage")), verify)
        pages: list[Page] = plan_index_pages(summaries, _badges(verify), config.title, bundles, figures)
    pages.append(not_found_page(config))
    report.index_pages = len(pages)
    report.rendered_indexes = render_indexes(out, pages, old, manifest, jobs)
    say(f"pages: {report.rendered_articles} articles and {report.rendered_indexes} index pages rendered")

    # 4. Index the search bundle in a background thread while the rest is tidied up. Pagefind
    # starts once every page is written: started beside the index pages (or, per shard, beside
    # the article pages), it and the renders slowed each other as much as they overlapped on
    # two cores (6,900 articles, medians of five runs within 0.1 s), and in series the index
    # pages render on both cores.
    with _gc_paused():
        search_job = start_search(out, old, manifest, report, jobs, say) if search else None

    # 5. Remove the index pages no longer produced, copy the assets, wait for the search bundle.
    for page in sorted(set(old.index_pages) - set(manifest.index_pages)):
        _remove_page(out, page)
        report.removed += 1
    _copy_static(out)
    if search_job is not None:
        try:
            search_job.result()
        except KbError:
            manifest.search = {}  # index every shard again next time
            manifest.save(out, old)
            raise
    with _gc_paused():
        manifest.save(out, old)
    if report.rendered_articles >= PARALLEL_THRESHOLD:
        # Merge the render workers' cache logs into one pack (kb.record_cache).
        from kb import record_cache

        root = record_cache.root_of(articles_dir / "x.yaml")
        if root is not None:
            record_cache.compact(root)
    report.seconds = time.perf_counter() - started
    return report


__all__ = ["BuildReport", "MANIFEST_NAME", "build_site", "record_files", "scan_records"]
