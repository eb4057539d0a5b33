"""Measure status extraction over a corpus: kinds, text/keyword agreement, concrete fixed releases."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from kb.diagnostics import Diagnostic
from kb.exceptions import KbError, NotFoundError

TEXT_SUFFIXES = (".txt",)
RECORD_SUFFIXES = (".yaml", ".yml", ".md")  # kb.store.ARTICLE_SUFFIXES: records and Markdown articles
_PARALLEL_FROM = 200  # below this a process pool costs more than it saves


@dataclass
class ArticleFigures:
    """What one article contributes to the statistics."""

    path: str
    id: str | None = None
    kind: str | None = None
    fixed_source: str | None = None
    comparable: bool = False
    agrees: bool = False
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    eligible: bool = False
    concrete: bool = False
    unknown: int = 0
    error: str | None = None
    error_line: int | None = None


def find_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Return the .TXT and .yaml files named or found (recursively) under ``paths``, sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + RECORD_SUFFIXES
            )
        elif path.is_file():
            found.append(path)
        else:
            raise NotFoundError(f"{path}: no such file or folder (expected .TXT/.yaml files or folders of them)")
    return sorted(set(found))


def _load(path: Path) -> Any:
    """Return the Article of a classic text file or a YAML record."""
    if path.suffix.lower() in RECORD_SUFFIXES:
        from kb.store import load_article

        return load_article(path)
    from kb.text import parse

    return parse(path.read_bytes(), str(path))


def _service_packs_named(article: Any) -> set[str]:
    """Return the service-pack releases any STATUS sentence names (for the concrete-fixed figure)."""
    from kb.releases import load_catalogue
    from kb.status.extract import _context
    from kb.status.mentions import scan
    from kb.status.sentences import split_section

    section = article.section("STATUS")
    if section is None:
        return set()
    catalogue = load_catalogue()
    context = _context(article, catalogue)
    named: set[str] = set()
    for sentence in split_section(section):
        named.update(m.release for m in scan(sentence.text, catalogue, context) if m.release and m.has_sp)
    return named


def measure_file(path: Path) -> ArticleFigures:
    """Return one article's figures; a bad file becomes an error entry, never an exception."""
    from kb.status import extract_status
    from kb.status.lint import compare

    figures = ArticleFigures(path=str(path))
    try:
        article = _load(path)
        status = extract_status(article)
    except KbError as error:
        figures.error = getattr(error, "message", str(error))
        figures.error_line = getattr(error, "line", None)
        return figures
    except (OSError, UnicodeError) as error:
        figures.error = f"cannot read: {error}"
        return figures
    figures.id = article.id
    figures.kind = status["kind"]
    figures.fixed_source = status.get("fixed_source")
    comparison = compare(status)
    figures.comparable = comparison.comparable
    figures.agrees = comparison.agrees
    figures.conflicts = [
        {"token": entry["token"], "keyword_release": entry["release"], "keyword_line": entry.get("line"),
         "text_release": evidence.get("release"), "text_line": evidence.get("line")}
        for entry, evidence in comparison.conflicts
    ]
    keyword_releases = {
        k["release"] for k in status.get("keywords", []) if k["release"] and k["meaning"] in ("fixed", "pre")
    }
    figures.eligible = bool(_service_packs_named(article) & keyword_releases)
    figures.concrete = status.get("fixed") is not None
    figures.unknown = len(status.get("unknown", []))
    return figures


def _measure_all(files: list[Path], progress: Callable[[int, int], None] | None, jobs: int | None) -> Iterator[ArticleFigures]:
    """Yield figures for every file, in a process pool for big inputs, reporting progress."""
    total = len(files)
    if total < _PARALLEL_FROM or jobs == 1:
        results: Iterable[ArticleFigures] = map(measure_file, files)
        pool = None
    else:
        pool = get_context("fork" if os.name == "posix" else "spawn").Pool(jobs or os.cpu_count() or 1)
        results = pool.imap(measure_file, files, chunksize=64)
    try:
        for done, figures in enumerate(results, 1):
            if progress is not None and (done % 500 == 0 or done == total):
                progress(done, total)
            yield figures
    finally:
        if pool is not None:
            pool.close()
            pool.join()


def _rate(part: int, whole: int) -> float | None:
    """Return part/whole rounded to 4 places, or None when whole is 0."""
    return round(part / whole, 4) if whole else None


def collect_stats(
    paths: Iterable[str | os.PathLike[str]],
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Return the statistics document for ``paths`` and a diagnostic per unreadable file."""
    files = find_inputs(paths)
    kinds: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    comparable = agree = strict = eligible = concrete = with_unknown = 0
    disagreements: list[dict[str, Any]] = []
    missing: list[str] = []
    diagnostics: list[Diagnostic] = []
    articles = 0
    for figures in _measure_all(files, progress, jobs):
        if figures.error is not None:
            diagnostics.append(Diagnostic(figures.path, figures.error_line, figures.error))
            continue
        articles += 1
        kinds[figures.kind or "none"] += 1
        if figures.fixed_source:
            sources[figures.fixed_source] += 1
        if figures.comparable:
            comparable += 1
            agree += figures.agrees
            strict += not figures.conflicts
            disagreements.extend(
                {"id": figures.id, "path": figures.path, "agrees": figures.agrees, **c} for c in figures.conflicts
            )
        if figures.eligible:
            eligible += 1
            if figures.concrete:
                concrete += 1
            else:
                missing.append(figures.id or figures.path)
        with_unknown += figures.unknown > 0
    document = {
        "articles": articles,
        "errors": len(diagnostics),
        "kinds": dict(sorted(kinds.items())),
        "fixed_source": dict(sorted(sources.items())),
        "agreement": {
            "description": "articles whose STATUS names a first-fixed release and that carry a fix keyword "
                           "(spN, preSPN or release) of the same product line; agree = on every such line a "
                           "keyword names the STATUS release; strict = no keyword names another release",
            "comparable": comparable,
            "agree": agree,
            "rate": _rate(agree, comparable),
            "strict_agree": strict,
            "strict_rate": _rate(strict, comparable),
            "disagreements": sorted(disagreements, key=lambda d: (d["id"] or "", d["token"])),
        },
        "concrete_fixed": {
            "description": "articles whose STATUS names a service pack and that carry the fix keyword "
                           "(spN or preSPN) of that service pack; concrete = status.fixed is not null",
            "eligible": eligible,
            "concrete": concrete,
            "rate": _rate(concrete, eligible),
            "missing": sorted(missing),
        },
        "articles_with_unknown_releases": with_unknown,
    }
    return document, diagnostics
