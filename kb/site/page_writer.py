"""Render and write the site's pages: article pages (each loaded, rendered and written) and
index pages, in forked worker processes when there are many.

A worker inherits what every page needs from the parent (the page facts, the record cache's
index, the catalogue and the compiled article template) and gets only a path per page.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from jinja2 import TemplateError

from kb.exceptions import KbError
from kb.files import write_atomic
from kb.ids import UnsafePathError, inside
from kb.site.indexes import Page, article_path
from kb.site.manifest import Manifest, digest_text
from kb.site.pages import environment, render_page
from kb.site.view import article_context

Progress = Callable[[str], None]

#: Below this many pages to render, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200

#: What every article page needs (the site folder, the article ids, the verify results): set in
#: each worker, or in this process on a small build.
_STATE: dict[str, Any] = {}


def _init_worker(out: str, ids: frozenset[str], verify: dict[str, dict[str, Any]]) -> None:
    """Give a worker the facts every article page needs."""
    _STATE.update(out=Path(out), ids=ids, verify=verify)


def _load(path: Path) -> Any:
    """Load one record; the JSON Schema pass runs only for a record whose page fails to build.

    That pass costs a tenth of a page's build, and ``kb validate`` (in ``kb check``) is the
    command that checks records; a broken record still gets its located schema message.
    """
    from kb.render.batch import load

    return load(path)


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
        write_atomic(inside(_STATE["out"], page), html)
        if getattr(article, "is_markdown", False):
            _copy_images(article, path.parent, page)
        return path_text, vars(context["summary"]), None
    except KbError as error:
        return path_text, None, str(error)
    except (OSError, ValueError, TypeError, AttributeError, KeyError, TemplateError) as error:
        return path_text, None, _schema_message(path) or (
            f"{path}: cannot build the page: {type(error).__name__}: {error}")


def _copy_images(article: Any, folder: Path, page: str) -> None:
    """Copy the images a Markdown article shows from beside it to beside its page (same relative path)."""
    from kb.render.markdown_body import images

    root = folder.resolve()
    for src in images(article):
        source = (folder / src).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            continue  # a missing image stays a broken link; nothing outside articles/ is published
        try:
            target = inside(_STATE["out"], (Path(page).parent / src).as_posix())
        except UnsafePathError:
            continue
        data = source.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            write_atomic(target, data)


def _schema_message(path: Path) -> str | None:
    """Return the located schema error of a record whose page failed to build, if it has one."""
    from kb.render.batch import schema_check

    try:
        schema_check(path)
    except KbError as error:
        return str(error)
    return None


def render_articles(paths: list[str], out: Path, ids: frozenset[str], verify: dict[str, dict[str, Any]],
                    jobs: int, progress: Progress) -> list[tuple[str, dict[str, Any] | None, str | None]]:
    """Render article pages, in ``jobs`` forked processes when there are many (they inherit
    the page facts set here)."""
    from kb.record_cache import in_workers

    _init_worker(str(out), ids, verify)
    parallel = jobs > 1 and len(paths) >= PARALLEL_THRESHOLD
    if parallel:
        _open_record_cache(paths)
        _preload(paths[0])
    # Chunks of 128 pages: the parent's share of the IPC (it competes with the workers for the
    # cores) fell by a third from chunks of 32, and the last chunk is still only ~0.1 s.
    rendered = in_workers(_render_article, paths, jobs, chunksize=128) if parallel else map(_render_article, paths)
    results = []
    step = max(1, len(paths) // 10)
    for n, result in enumerate(rendered, 1):
        results.append(result)
        if len(paths) >= PARALLEL_THRESHOLD and n % step == 0:
            progress(f"articles: {n}/{len(paths)} rendered")
    return results


def _preload(sample: str) -> None:
    """Load what every page render needs in the parent, so the forked workers share it.

    Rendering one page (not written) imports and builds whatever a page uses on first need:
    each worker did that itself, 35 ms of lazy imports alone.
    """
    from kb.site.view import preload

    preload()
    environment().get_template("article.html.j2")
    try:
        article = _load(Path(sample))
        render_page("article.html.j2", article_path(article.id), article_context(article, None, lambda _: None))
    except (KbError, OSError, ValueError, TypeError, AttributeError, KeyError, TemplateError):
        pass  # a record that cannot be rendered is reported by the worker that renders it


def _open_record_cache(paths: list[str]) -> None:
    """Open the record cache in the parent before forking, so workers inherit its index."""
    from kb import record_cache

    root = record_cache.root_of(paths[0]) if paths else None
    if root is not None:
        record_cache.open_for(root)


#: The index pages a forked worker renders, by path (set in the parent just before the fork).
_INDEX_PAGES: dict[str, Page] = {}


def _write_index_page(path: str) -> str:
    """Render and write one index page of ``_INDEX_PAGES``; return its path."""
    page = _INDEX_PAGES[path]
    write_atomic(inside(_STATE["out"], page.path), render_page(page.template, page.path, page.context, page.root))
    return path


def render_indexes(out: Path, pages: list[Page], old: Manifest, manifest: Manifest, jobs: int) -> int:
    """Render the index pages whose inputs changed or whose file is missing (in ``jobs``
    forked processes when there are many); return how many."""
    site = str(out)
    todo: list[str] = []
    for page in pages:
        key = digest_text(manifest.code, page.digest())
        manifest.index_pages[page.path] = key
        if old.index_pages.get(page.path) == key and os.access(f"{site}/{page.path}", os.F_OK):
            continue
        _INDEX_PAGES[page.path] = page
        todo.append(page.path)
    _STATE["out"] = out
    try:
        if jobs > 1 and len(todo) >= PARALLEL_THRESHOLD:
            from kb.record_cache import in_workers

            for _ in in_workers(_write_index_page, todo, jobs, chunksize=8):
                pass
        else:
            for path in todo:
                _write_index_page(path)
    finally:
        _INDEX_PAGES.clear()
    return len(todo)
