"""Plan the index pages (all articles, facets, home) from article summaries.

Every list is paginated with a fixed page size, so no page grows with the size of the knowledge
base; a page's context is plain JSON, so the build can hash it and skip unchanged pages.
"""

from __future__ import annotations

import re
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from kb.site.verification import STATES
from kb.site.view import STATUS_KINDS

PAGE_SIZE = 100
VALUES_PAGE_SIZE = 200


@dataclass(frozen=True)
class Facet:
    """One way to group articles: its URL folder, labels and how to read values off a summary."""

    key: str
    title: str
    label: str
    values: Callable[[dict[str, Any]], list[str]]
    order: tuple[str, ...] = ()
    fold_case: bool = False


FACETS: tuple[Facet, ...] = (
    Facet("product", "By product", "Product", lambda s: s["products"]),
    Facet("release", "By release", "Release", lambda s: s["releases"]),
    Facet("category", "By category", "Category", lambda s: [s["category"]] if s["category"] else []),
    Facet("prefix", "By title prefix", "Title prefix", lambda s: [s["prefix"] or "(none)"],
          fold_case=True),
    Facet("status", "By status", "Status kind", lambda s: [s["kind"]], STATUS_KINDS, True),
    Facet("keyword", "By keyword", "Keyword", lambda s: s["keywords"]),
    Facet("verification", "By verification", "Verification", lambda s: [s["verification"]], STATES,
          True),
)


@dataclass
class Page:
    """One output file to render: its path under the site, template and JSON context."""

    path: str
    template: str
    context: dict[str, Any]

    def digest(self) -> str:
        """Return a hash of what the page shows (template name + context)."""
        import json

        text = json.dumps([self.template, self.context], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def article_path(article_id: str) -> str:
    """Return an article page's path inside the site."""
    return f"{article_id}/index.html"


def root_of(path: str) -> str:
    """Return the relative prefix from ``path`` back to the site root ("", "../", ...)."""
    return "../" * path.count("/")


def slugify(value: str, fold_case: bool = False) -> str:
    """Return a URL-safe, stable folder name for a facet value.

    ``fold_case`` is for facets whose values never differ only by case (title prefixes such as
    XFOR); keywords do (kbExchange/kbexchange), so by default case counts as information.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60]
    digest = hashlib.sha1(value.encode()).hexdigest()[:6]
    # A hash suffix wherever cleaning lost information (case, punctuation), so two values never
    # share a folder, even on a case-insensitive file system; plain values keep plain URLs.
    plain = (fold_case or value == value.lower()) and value.lower().replace(" ", "-") == slug
    return slug if slug and plain else f"{slug or 'x'}-{digest}"


def _id_number(article_id: str) -> int:
    """Return the numeric part of an id, for numeric ordering."""
    digits = article_id.lstrip("Qq")
    return int(digits) if digits.isdigit() else 0


def _item(summary: dict[str, Any]) -> dict[str, Any]:
    """Return what a list row shows of an article."""
    return {"id": summary["id"], "title": summary["title"], "date": summary["date"],
            "kind": summary["kind"], "badge": summary["verification"]}


def _paged(folder: str, items: list[Any], size: int) -> Iterable[tuple[str, list[Any], dict[str, Any]]]:
    """Yield (path, slice, pager context) for each page of ``items`` under ``folder``."""
    count = max(1, -(-len(items) // size))
    for number in range(1, count + 1):
        name = "index.html" if number == 1 else f"{number}.html"

        def href(n: int) -> str:
            return "index.html" if n == 1 else f"{n}.html"

        pager = {
            "number": number, "count": count, "total": len(items),
            "prev": href(number - 1) if number > 1 else None,
            "next": href(number + 1) if number < count else None,
            "first": (number - 1) * size + 1,
        }
        yield f"{folder}/{name}", items[(number - 1) * size: number * size], pager


def _ordered(facet: Facet, values: Iterable[str]) -> list[str]:
    """Return facet values in their defined order, then alphabetically (case-insensitive)."""
    known = [v for v in facet.order if v in values]
    rest = sorted((v for v in values if v not in facet.order), key=lambda v: (v.lower(), v))
    return known + rest


def plan_index_pages(summaries: list[dict[str, Any]], title: str, bundles: list[str]) -> list[Page]:
    """Return every index page for the given summaries (each with ``verification`` set)."""
    ordered = sorted(summaries, key=lambda s: (_id_number(s["id"]), s["id"]))
    items = [_item(s) for s in ordered]
    pages: list[Page] = []
    for path, chunk, pager in _paged("articles", items, PAGE_SIZE):
        pages.append(Page(path, "list.html.j2", {
            "title": "All articles", "heading": "All articles", "items": chunk, "pager": pager,
            "crumbs": [], "facet_label": None}))

    facet_counts: dict[str, list[dict[str, Any]]] = {}
    for facet in FACETS:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for summary, item in zip(ordered, items):
            for value in facet.values(summary):
                groups[value].append(item)
        values = _ordered(facet, groups)
        slugs = {value: slugify(value, facet.fold_case) for value in values}
        rows = [{"value": v, "slug": slugs[v], "count": len(groups[v])} for v in values]
        facet_counts[facet.key] = rows
        # The product overview nests each product's releases ("by product and release").
        extra: dict[str, Any] = {}
        if facet.key == "product":
            extra["releases"] = _releases_by_product(ordered)
            extra["release_slugs"] = {r: slugify(r) for rs in extra["releases"].values() for r in rs}
        for path, chunk, pager in _paged(facet.key, rows, VALUES_PAGE_SIZE):
            pages.append(Page(path, "facet.html.j2", {
                "title": facet.title, "heading": facet.title, "facet": facet.key,
                "label": facet.label, "values": chunk, "pager": pager, **extra}))
        for value in values:
            for path, chunk, pager in _paged(f"{facet.key}/{slugs[value]}", groups[value], PAGE_SIZE):
                pages.append(Page(path, "list.html.j2", {
                    "title": f"{facet.label}: {value}", "heading": value, "items": chunk,
                    "pager": pager, "crumbs": [{"href": "../index.html", "text": facet.title}],
                    "facet_label": facet.label}))

    pages.append(Page("index.html", "home.html.j2", {
        "title": title, "heading": title, "total": len(ordered),
        "facets": [{"key": f.key, "title": f.title, "label": f.label,
                    "count": len(facet_counts[f.key]),
                    "top": facet_counts[f.key][:12] if f.order or f.key in ("category", "prefix", "product")
                    else sorted(facet_counts[f.key], key=lambda r: -r["count"])[:12]}
                   for f in FACETS],
        "recent": [_item(s) for s in sorted(summaries, key=lambda s: (s["date"], s["id"]), reverse=True)[:10]],
    }))
    pages.append(Page("search/index.html", "search.html.j2", {"title": "Search", "heading": "Search",
                                                           "bundles": bundles}))
    return pages


def _releases_by_product(summaries: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Return, per product, the releases its articles name that start with the product's family."""
    out: dict[str, set[str]] = defaultdict(set)
    for summary in summaries:
        for product in summary["products"]:
            stem = product.replace("Microsoft ", "").split(",")[0].strip().lower()
            for release in summary["releases"]:
                if release.lower().startswith(stem[:12]):
                    out[product].add(release)
    return {p: sorted(rs) for p, rs in sorted(out.items())}
