"""Build the static site: article pages, index pages, static assets and the Pagefind bundle.

Incremental: a record whose bytes are unchanged is not loaded again (its index summary comes
from the manifest), a page whose inputs are unchanged is not rendered again, and files are
written atomically. Article pages render across worker processes on a full build.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from jinja2 import TemplateError

from kb.exceptions import KbError, NotFoundError
from kb.resources import data_path
from kb.site.indexes import Page, article_path, plan_index_pages
from kb.site.manifest import MANIFEST_NAME, Manifest, digest_files, digest_text
from kb.files import write_atomic
from kb.site.search_plan import bundles_for, is_article_page, start_search
from kb.site.pages import SITE_TITLE, render_page, static_dir, template_dir
from kb.site.verification import badge_for, entry_digest, load_results
from kb.site.view import article_context

Progress = Callable[[str], None]

#: Below this many pages to render, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200


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

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {"articles": self.articles, "errors": self.errors, "index_pages": self.index_pages,
                "out": str(self.out), "removed": self.removed,
                "rendered_articles": self.rendered_articles,
                "rendered_indexes": self.rendered_indexes, "search_indexed": self.search_indexed,
                "search_pages": self.search_pages,
                "search_seconds": round(self.search_seconds, 3), "seconds": round(self.seconds, 3)}


def record_files(folder: Path) -> list[Path]:
    """Return the article records of ``folder`` (``Q*.yaml``), sorted by name."""
    if not folder.is_dir():
        raise NotFoundError(f"{folder}: no such articles folder")
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def code_digest() -> str:
    """Return the digest of everything that shapes a page besides its record (templates, code)."""
    site = data_path("site")
    files = sorted(template_dir().glob("*.j2")) + sorted(static_dir().glob("*"))
    files += sorted(site.glob("*.py"))
    catalogue = data_path("releases", "catalogue.yaml")
    if catalogue.is_file():
        files.append(catalogue)
    return digest_files(files)


# --- article rendering (runs in worker processes on full builds) -------------------------

_STATE: dict[str, Any] = {}


def _init_worker(out: str, ids: frozenset[str], verify: dict[str, dict[str, Any]]) -> None:
    """Give a worker the facts every article page needs."""
    _STATE.update(out=Path(out), ids=ids, verify=verify)


def _load(path: Path) -> Any:
    """Load one record with the store's loader."""
    from kb.store import load_article

    return load_article(path)


def _render_article(path_text: str) -> tuple[str, dict[str, Any] | None, str | None]:
    """Load, render and write one article page; return (path, summary, error)."""
    path = Path(path_text)
    ids: frozenset[str] = _STATE["ids"]
    try:
        article = _load(path)
        entry = _STATE["verify"].get(article.id)

        def link(ref_id: str) -> str | None:
            return f"../{ref_id}/index.html" if ref_id in ids else None

        context = article_context(article, entry, link)
        page = article_path(article.id)
        html = render_page("article.html.j2", page, context)
        write_atomic(_STATE["out"] / page, html)
        return path_text, context["summary"], None
    except KbError as error:
        return path_text, None, str(error)
    except (OSError, ValueError, TypeError, AttributeError, KeyError, TemplateError) as error:
        return path_text, None, f"{path}: cannot build the page: {type(error).__name__}: {error}"


def _render_all(paths: list[str], out: Path, ids: frozenset[str],
                verify: dict[str, dict[str, Any]], jobs: int, progress: Progress) -> list[tuple[str, dict[str, Any] | None, str | None]]:
    """Render article pages, in ``jobs`` processes when there are many."""
    results = []
    step = max(1, len(paths) // 10)
    if jobs > 1 and len(paths) >= PARALLEL_THRESHOLD:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(jobs, initializer=_init_worker, initargs=(str(out), ids, verify)) as pool:
            for n, result in enumerate(pool.imap(_render_article, paths, chunksize=32), 1):
                results.append(result)
                if n % step == 0:
                    progress(f"articles: {n}/{len(paths)} rendered")
    else:
        _init_worker(str(out), ids, verify)
        for n, path in enumerate(paths, 1):
            results.append(_render_article(path))
            if n % step == 0 and len(paths) >= PARALLEL_THRESHOLD:
                progress(f"articles: {n}/{len(paths)} rendered")
    return results


# --- the build ---------------------------------------------------------------------------

def _signature(path: Path) -> tuple[int, int]:
    """Return a record's stat signature (mtime in ns, size)."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _article_key(code: str, sha: str, verify_digest: str, refs: list[str], ids: frozenset[str]) -> str:
    """Return the digest of an article page's inputs (reference links depend on the KB)."""
    present = "".join("1" if ref in ids else "0" for ref in refs)
    return digest_text(code, sha, verify_digest, ",".join(refs), present)


def _remove_page(out: Path, page: str) -> None:
    """Delete a page no longer produced, and its folder when it becomes empty."""
    target = out / page
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
    title: str = SITE_TITLE,
    progress: Progress | None = None,
) -> BuildReport:
    """Build (or bring up to date) the static site of ``articles_dir`` in ``out``."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    jobs = jobs or min(2, os.cpu_count() or 1)
    out.mkdir(parents=True, exist_ok=True)
    report = BuildReport(out=out)

    files = record_files(articles_dir)
    verify = load_results(verify_results) if verify_results else {}
    ids = frozenset(p.stem for p in files)
    old = Manifest.load(out)
    code = code_digest()
    manifest = Manifest(code=code)

    # 1. Which records changed? Unchanged bytes keep their summary from the manifest.
    to_render: list[str] = []
    records: dict[str, dict[str, Any]] = {}
    for path in files:
        key = path.name
        mtime, size = _signature(path)
        prev = old.records.get(key)
        if prev and prev.get("mtime") == mtime and prev.get("size") == size:
            sha = prev["sha"]
        else:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = {"mtime": mtime, "size": size, "sha": sha}
        if prev and prev.get("sha") == sha and prev.get("summary"):
            entry["summary"] = prev["summary"]
            summary = prev["summary"]
            page_key = _article_key(code, sha, entry_digest(verify.get(summary["id"])),
                                    summary["refs"], ids)
            page = article_path(summary["id"])
            if old.pages.get(page) == page_key and (out / page).is_file():
                manifest.pages[page] = page_key
                records[key] = entry
                continue
        records[key] = entry
        to_render.append(str(path))
    say(f"records: {len(files)} found, {len(to_render)} to render")

    # 2. Render the article pages that need it.
    for path_text, summary, error in _render_all(to_render, out, ids, verify, jobs, say):
        name = Path(path_text).name
        if error is not None:
            report.errors.append(error)
            # Keep the last good page of a record that no longer loads: nothing is lost.
            prev = old.records.get(name)
            if prev and prev.get("summary"):
                records[name] = prev
                page = article_path(prev["summary"]["id"])
                if page in old.pages:
                    manifest.pages[page] = old.pages[page]
            else:
                records.pop(name, None)
            continue
        assert summary is not None
        records[name]["summary"] = summary
        page = article_path(summary["id"])
        manifest.pages[page] = _article_key(code, records[name]["sha"],
                                            entry_digest(verify.get(summary["id"])),
                                            summary["refs"], ids)
        report.rendered_articles += 1
    manifest.records = records
    report.articles = len(records)

    # 3. Remove article pages no longer produced, then index the search bundle in a background
    # thread while the index pages render: Pagefind only reads article pages.
    for page in sorted(p for p in set(old.pages) - set(manifest.pages) if is_article_page(p)):
        _remove_page(out, page)
        report.removed += 1
    search_job = start_search(out, old, manifest, report, jobs, say) if search else None

    # 4. Index pages from the summaries (verification state joins the verify results).
    summaries = []
    for entry in records.values():
        summary = dict(entry["summary"])
        results = (verify.get(summary["id"]) or {}).get("results") or []
        summary["verification"] = badge_for(summary["has_repro"], results)
        summaries.append(summary)
    pages: list[Page] = plan_index_pages(summaries, title, bundles_for(records) if search else [])
    report.index_pages = len(pages)
    for index_page in pages:
        key = digest_text(code, index_page.digest())
        manifest.pages[index_page.path] = key
        if old.pages.get(index_page.path) == key and (out / index_page.path).is_file():
            continue
        write_atomic(out / index_page.path,
                     render_page(index_page.template, index_page.path, index_page.context))
        report.rendered_indexes += 1
    say(f"pages: {report.rendered_articles} articles and {report.rendered_indexes} index pages rendered")

    # 5. Remove the index pages no longer produced, copy the assets, wait for the search bundle.
    for page in sorted(set(old.pages) - set(manifest.pages)):
        _remove_page(out, page)
        report.removed += 1
    _copy_static(out)
    if search_job is not None:
        try:
            search_job.result()
        except KbError:
            manifest.search = {}  # index every shard again next time
            manifest.save(out)
            raise
    manifest.save(out)
    report.seconds = time.perf_counter() - started
    return report


__all__ = ["BuildReport", "MANIFEST_NAME", "build_site", "record_files"]
