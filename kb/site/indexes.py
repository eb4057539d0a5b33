"""Plan the index pages (all articles, facets, home) from article summaries.

Every list is paginated with a fixed page size, so no page grows with the size of the knowledge
base; a page's inputs are plain data with a cheap digest, so the build can skip unchanged pages
without making their contexts.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from kb.ids import UnsafePathError, id_problem
from kb.site.verification import STATES
from kb.site.view import STATUS_KINDS

PAGE_SIZE = 100
VALUES_PAGE_SIZE = 200


#: The fields of an article's row in a list page.
ITEM_FIELDS: tuple[str, ...] = ("id", "title", "date", "kind", "badge")
Item = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Facet:
    """One way to group articles: its URL folder, labels and how to read values off articles.

    ``values`` reads the column of values of all articles at once (their summaries and list
    rows; the row holds the verification badge, which comes from the verify results rather than
    the record): a list of values per article when ``many``, else one value per article, None
    for none. A column at a time keeps the per-article work in C at 57,000 articles.
    """

    key: str
    title: str
    label: str
    values: Callable[[list[dict[str, Any]], list[Item]], list[Any]]
    many: bool = False
    order: tuple[str, ...] = ()
    fold_case: bool = False


FACETS: tuple[Facet, ...] = (
    Facet("product", "By product", "Product", lambda ss, _: [s["products"] for s in ss], True),
    Facet("release", "By release", "Release", lambda ss, _: [s["releases"] for s in ss], True),
    Facet("category", "By category", "Category", lambda ss, _: [s["category"] or None for s in ss]),
    Facet("prefix", "By title prefix", "Title prefix",
          lambda ss, _: [s["prefix"] or "(none)" for s in ss], fold_case=True),
    Facet("status", "By status", "Status kind", lambda ss, _: [s["kind"] for s in ss],
          order=STATUS_KINDS, fold_case=True),
    Facet("keyword", "By keyword", "Keyword", lambda ss, _: [s["keywords"] for s in ss], True),
    Facet("verification", "By verification", "Verification",
          lambda _, items: [item[4] for item in items], order=STATES, fold_case=True),
)


@dataclass
class Page:
    """One output file to render: its path, template, context and the inputs its digest covers.

    A list page keeps its rows as compact tuples with their text (``repr``, made once per
    article): the digest hashes those texts and the small ``params``, and the row dicts the
    template reads are only made when the page is rendered. At 57,000 articles the lists hold
    ~450,000 rows, too many to serialise on every build just to find the few that changed.
    """

    path: str
    template: str
    params: dict[str, Any]
    rows: list[Item] | None = None
    row_texts: list[str] = field(default_factory=list)

    @property
    def context(self) -> dict[str, Any]:
        """Return the template context (the params, and the rows as dicts for a list page)."""
        if self.rows is None:
            return self.params
        return {**self.params, "items": [dict(zip(ITEM_FIELDS, row)) for row in self.rows]}

    def digest(self) -> str:
        """Return a hash of what the page shows (template, params and rows)."""
        # repr is exact and stable for the str/int/None/list/dict values of params and rows.
        text = "\n".join([self.template, repr(self.params), *self.row_texts])
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def article_path(article_id: str) -> str:
    """Return an article page's path inside the site; refuse an id that is not an article id.

    The id becomes a folder and a link (``href="{id}/index.html"``): ``../../OUTSIDE`` or
    ``javascript:...`` must never get that far (kb/ids.py).
    """
    problem = id_problem(article_id)
    if problem is not None:
        raise UnsafePathError(f"refused an article page: {problem}")
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


def _id_order(summary: dict[str, Any]) -> tuple[int, str]:
    """Return the sort key of an article: its id's number, then the id."""
    article_id = summary["id"]
    digits = article_id.lstrip("Qq")
    return int(digits) if digits.isdigit() else 0, article_id


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


def _list_pages(folder: str, params: dict[str, Any], positions: list[int], items: list[Item],
                texts: list[str]) -> Iterable[Page]:
    """Yield the pages listing the articles at ``positions`` (of ``items``) under ``folder``."""
    for path, chunk, pager in _paged(folder, positions, PAGE_SIZE):
        yield Page(path, "list.html.j2", {**params, "pager": pager},
                   rows=list(map(items.__getitem__, chunk)),
                   row_texts=list(map(texts.__getitem__, chunk)))


def plan_index_pages(summaries: list[dict[str, Any]], badge: Callable[[dict[str, Any]], str],
                     title: str, bundles: list[str]) -> list[Page]:
    """Return every index page for the given summaries (``badge`` gives their verification state)."""
    ordered = sorted(summaries, key=_id_order)
    items = [(s["id"], s["title"], s["date"], s["kind"], badge(s)) for s in ordered]
    texts = list(map(repr, items))
    everything = list(range(len(items)))
    pages: list[Page] = list(_list_pages("articles", {
        "title": "All articles", "heading": "All articles", "crumbs": [], "facet_label": None},
        everything, items, texts))

    facet_counts: dict[str, list[dict[str, Any]]] = {}
    for facet in FACETS:
        groups = _grouped(facet, ordered, items)
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
            pages.extend(_list_pages(f"{facet.key}/{slugs[value]}", {
                "title": f"{facet.label}: {value}", "heading": value,
                "crumbs": [{"href": "../index.html", "text": facet.title}],
                "facet_label": facet.label}, groups[value], items, texts))

    recent = heapq.nlargest(10, range(len(ordered)),
                            key=lambda i: (ordered[i]["date"], ordered[i]["id"]))
    pages.append(Page("index.html", "home.html.j2", {
        "title": title, "heading": title, "total": len(ordered),
        "facets": [{"key": f.key, "title": f.title, "label": f.label,
                    "count": len(facet_counts[f.key]),
                    "top": facet_counts[f.key][:12] if f.order or f.key in ("category", "prefix", "product")
                    else sorted(facet_counts[f.key], key=lambda r: -r["count"])[:12]}
                   for f in FACETS],
        "recent": [dict(zip(ITEM_FIELDS, items[i])) for i in recent],
    }))
    pages.append(Page("search/index.html", "search.html.j2", {"title": "Search", "heading": "Search",
                                                           "bundles": bundles}))
    return pages


def _grouped(facet: Facet, ordered: list[dict[str, Any]], items: list[Item]) -> dict[str, list[int]]:
    """Return, per value of ``facet``, the positions (in ``ordered``) of the articles with it."""
    groups: dict[str, list[int]] = defaultdict(list)
    column = facet.values(ordered, items)
    if facet.many:
        for position, values in enumerate(column):
            for value in values:
                groups[value].append(position)
    else:
        for position, value in enumerate(column):
            if value is not None:
                groups[value].append(position)
    return groups


def _releases_by_product(summaries: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Return, per product, the releases its articles name that start with the product's family."""
    # Many articles name the same products and releases: match each distinct combination once.
    combinations = set(zip(map(tuple, [s["products"] for s in summaries]),
                           map(tuple, [s["releases"] for s in summaries])))
    out: dict[str, set[str]] = defaultdict(set)
    for products, releases in combinations:
        for product in products:
            stem = product.replace("Microsoft ", "").split(",")[0].strip().lower()
            for release in releases:
                if release.lower().startswith(stem[:12]):
                    out[product].add(release)
    return {p: sorted(rs) for p, rs in sorted(out.items())}
