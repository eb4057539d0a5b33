"""Turn an Article into what the site shows: the page context and the small index summary.

The summary is a JSON-ready dict kept in the build manifest, so index pages can be rebuilt
without loading unchanged records again (design for the 57,000-article archive).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import Any, Callable

from kb.article_lints import edited_since_import
from kb.coverage import facts_of
from kb.exceptions import KbError
from kb.site.body import render_sections
from kb.site.proof import proof_of
from kb.site.verification import NO_REPRO, badge_for

#: Status kinds in the order the site lists them (status engineer's contract).
STATUS_KINDS: tuple[str, ...] = (
    "fixed", "fixed-latest-sp", "hotfix", "confirmed", "researching", "by-design", "feature", "none",
)


def _names(value: Any) -> list[str]:
    """Return a status field (str, list or None) as a list of names."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


@cache
def _catalogue() -> Any:
    """Return the release catalogue, or None while it cannot be loaded."""
    try:
        from kb.releases import load_catalogue

        return load_catalogue()
    except (ImportError, KbError, OSError):
        return None


def preload() -> None:
    """Load what every article page needs (the catalogue, the body parser) in this process.

    A build calls it before forking its render workers, so each inherits them instead of
    loading its own copy (a catalogue load alone costs 0.2 s).
    """
    from kb.site.body import preload as preload_body

    _catalogue()
    preload_body()


def status_table(status: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Return the release table: per product line, rows of (release, state label)."""
    if not status:
        return []
    catalogue = _catalogue()
    try:
        from kb.releases import lattice

        lines = lattice(status, catalogue) if catalogue is not None else None
    except (ImportError, KbError, KeyError, ValueError):
        lines = None
    if lines is None:
        # Without a catalogue, show what the status block names, unordered by catalogue.
        rows = [{"release": r, "state": "affected", "label": "affected"}
                for r in _names(status.get("affected"))]
        rows += [{"release": r, "state": "fixed", "label": "first fixed"}
                 for r in _names(status.get("fixed"))]
        return [{"line": "Releases", "rows": rows}] if rows else []
    table: list[dict[str, Any]] = []
    for line, entries in lines.items():
        rows, seen_fixed = [], False
        for entry in entries:
            label: str = entry.state
            if entry.state == "fixed":
                label = "fixed" if seen_fixed else "first fixed"
                seen_fixed = True
            rows.append({"release": entry.release, "state": entry.state, "label": label})
        table.append({"line": line, "rows": rows})
    return table


def _applies_to(items: list[Any] | None) -> list[SimpleNamespace]:
    """Return the applies-to tree as plain records."""
    return [
        SimpleNamespace(text=item.text.strip(), product=item.product, versions=list(item.versions),
                        children=_applies_to(item.children))
        for item in items or []
    ]


def _products(article: Any) -> list[str]:
    """Return the products an article applies to (applies-to products, else PRODUCT)."""
    names: list[str] = []

    def walk(items: list[Any] | None) -> None:
        for item in items or []:
            if item.product and item.product not in names:
                names.append(item.product)
            walk(item.children)

    walk(article.applies_to)
    return names or ([article.product] if article.product else [])


def _releases(article: Any) -> list[str]:
    """Return the releases an article names: canonical ones from the status, else applies-to."""
    status = article.status or {}
    names = _names(status.get("affected")) + _names(status.get("fixed"))
    if not names:
        catalogue = _catalogue()
        for item in article.applies_to or []:
            for version in item.versions:
                name = f"{item.product} {version}".strip()
                try:
                    found = catalogue.find(name) if catalogue is not None else None
                except KbError:
                    found = None
                names.append(found.name if found is not None else name)
    return sorted(dict.fromkeys(n for n in names if n))


def release_states(table: list[dict[str, Any]]) -> dict[str, str]:
    """Return the releases the article names as "affected" or "first fixed" (the ones its
    release pages list; later fixed releases follow from the catalogue and would only grow
    the manifest at archive scale)."""
    return {row["release"]: row["label"] for line in table for row in line["rows"]
            if row["label"] in ("affected", "first fixed")}


def has_script(article: Any) -> bool:
    """Return True when the article links a repro script (not a not-reproducible judgement)."""
    return isinstance(article.repro, dict) and bool(article.repro.get("script"))


def summarize(article: Any, table: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return the small JSON-ready summary the index pages and the manifest use.

    ``states`` (the release lattice's judged releases) lets release and product lists say
    affected or fixed per article; ``coverage`` (only for candidates and repro-linked
    articles) feeds the "N of M candidate articles proven" figures.
    """
    status = article.status or {}
    facts = facts_of(article)
    return {
        "id": article.id,
        "title": getattr(article, "full_title", article.title),
        "date": article.date.isoformat() if article.date else "",
        "category": article.category or "",
        "prefix": article.title_prefix or "",
        "products": _products(article),
        "releases": _releases(article),
        "kind": status.get("kind") or "none",
        "keywords": sorted(dict.fromkeys(article.keywords or [])),
        "refs": sorted({ref.id for ref in article.references or []}),
        "has_repro": has_script(article),
        "event_ids": sorted({e.event_id for e in article.event_log or [] if e.event_id is not None}),
        "states": release_states(status_table(article.status) if table is None else table),
        "coverage": [facts.candidate, facts.repro] if facts.candidate or facts.repro else None,
    }


def article_context(
    article: Any, verify_entry: dict[str, Any] | None, link: Callable[[str], str | None]
) -> dict[str, Any]:
    """Return the template context of one article page.

    Its records are attribute objects, not dicts (``vars(context["summary"])`` is the summary
    dict): Jinja reads ``summary.id`` of a dict only after a failed getattr, an exception per
    lookup that cost an eighth of the page template's time.
    """
    table = status_table(article.status)
    summary = summarize(article, table)
    results = list((verify_entry or {}).get("results") or [])
    badge = badge_for(summary["has_repro"], results)
    repro = article.repro if isinstance(article.repro, dict) else {}
    return {
        "article": article,
        "summary": SimpleNamespace(**summary),
        "number": article.id.lstrip("Qq"),
        "applies_to": _applies_to(article.applies_to),
        "sections": render_sections(article, link),
        "status": article.status or {},
        "proof": proof_of(article.status, repro, results, table),
        "verification": SimpleNamespace(
            badge=badge, results=results, script=repro.get("script"),
            not_reproducible=repro.get("why") if repro.get("status") == "not-reproducible" else None),
        "has_verification": badge != NO_REPRO,
        "footer": list(article.footer or []),
        "edited": edited_since_import(article),
    }
