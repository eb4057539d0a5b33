"""Measure status extraction over a corpus: kinds, text/keyword agreement, concrete fixed releases."""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from kb.diagnostics import Diagnostic
from kb.exceptions import KbError

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
    misses: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    error_line: int | None = None


def find_inputs(paths: Iterable[str | os.PathLike[str]], folder: Path | None = None) -> list[Path]:
    """Return the .TXT and .yaml files the names stand for (files, folders, ids in ``folder``), sorted."""
    from kb.resolve import ANY, article_paths
    from kb.resources import project_root

    articles = folder if folder is not None else project_root() / "articles"
    return sorted(set(article_paths([str(p) for p in paths], articles, ANY)))


def _load(path: Path) -> Any:
    """Return the Article of a classic text file or a YAML record."""
    from kb.resolve import ARTICLE_FORMATS

    if ARTICLE_FORMATS.get(path.suffix.lower()) == "record":
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
    figures.misses = [{"text": u["text"], "line": u.get("line")} for u in status.get("unknown", []) if _names_a_version(u["text"])]
    figures.misses += _stale(article.status, status)
    return figures


def _releases(status: dict[str, Any] | None) -> set[str]:
    """Return the affected and fixed releases of a status block."""
    fixed = (status or {}).get("fixed")
    return set((status or {}).get("affected") or []) | ({fixed} if isinstance(fixed, str) else set(fixed or []))


def _stale(stored: dict[str, Any] | None, fresh: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the releases STATUS names that a record's stored status block lacks (an older import)."""
    if stored is None:
        return []  # a classic text, or a record without a status block: nothing stored to miss
    lines = {e.get("release"): e.get("line") for e in fresh.get("evidence", []) if e.get("release")}
    return [{"text": name, "line": lines.get(name)} for name in sorted(_releases(fresh) - _releases(stored))]


_VERSION_NUMBER = re.compile(r"\d")


def _names_a_version(text: str) -> bool:
    """Return True when an unread STATUS name carries a version ("Windows NT Server version 3.50")."""
    return _VERSION_NUMBER.search(text) is not None


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
            if progress is not None and (done % 100 == 0 or done == total):
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
    folder: Path | None = None,
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Return the statistics document for ``paths`` (ids looked up in ``folder``) and a diagnostic per unreadable file."""
    files = find_inputs(paths, folder)
    kinds: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    comparable = agree = strict = eligible = concrete = with_unknown = 0
    misses: list[dict[str, Any]] = []
    missed_articles = 0
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
        missed_articles += bool(figures.misses)
        misses.extend({"id": figures.id, "path": figures.path, **miss} for miss in figures.misses)
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
        "misses": {
            "description": "articles whose STATUS (or the applies-to block it points to) names a versioned "
                           "release that their status block does not carry: the extractor or the release "
                           "catalogue could not read it, or a record's stored status block (an older "
                           "import) lacks a release STATUS names; the figures above do not count it",
            "articles": missed_articles,
            "rate": _rate(missed_articles, articles),
            "items": sorted(misses, key=lambda m: (m["id"] or "", m["line"] or 0, m["text"])),
        },
    }
    return document, diagnostics
