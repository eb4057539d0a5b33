"""Native Markdown articles: ``articles/QNNNNNN.md`` (YAML front matter + body) -> article record.

The ``.md`` file is the one source of truth; its record is derived here (and cached by content
hash by kb.record_cache under ``<kb root>/.kb/cache/``), never written beside it. Every line in the record
is a line of the ``.md`` file, and ``MarkdownLocator`` maps a record field back to the line and
column of the front matter key or body block it came from, so diagnostics point into the file.

Front matter (the style of Microsoft's current support articles)::

    ---
    id: Q900001
    title: IMS does not generate the NDR
    product: Exchange Server 5.5
    applies_to: [Microsoft Exchange Server 5.5]
    keywords: [kbbug, kbfix]
    date: 2026-12-04
    status: {affected: [Exchange Server 5.5 SP3], fixed: Exchange Server 5.5 SP4}
    repro: {script: repro/Q900001.py}
    ---

The body's ``## Symptoms``, ``## Cause``, ... headings make the sections; each top-level
Markdown block (paragraph, list, table, fence, block quote, sub-heading) is one ``markdown``
block of raw source. Without ``status:`` the status is extracted from ``## Status`` by the same
extractor as classic text (kb.status).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable

from markdown_it import MarkdownIt

from kb.exceptions import KbError
from kb.front_matter import FrontMatter, split_front_matter

#: Front matter keys, in the order ``kb new`` writes them.
FRONT_MATTER_KEYS: tuple[str, ...] = (
    "id", "title", "description", "product", "applies_to", "keywords", "date", "category", "status", "repro",
)  # fmt: skip
#: Keys of a front matter ``status:`` block (the rest of a status block is derived).
STATUS_KEYS: tuple[str, ...] = ("kind", "affected", "fixed", "hotfix", "condition")
#: Where a link to another article points: ``Q254893``, ``Q254893.md``, ``./Q254893.md#cause``.
ARTICLE_LINK_RE = re.compile(r"^(?:\./)?(Q[0-9]{5,7})(?:\.md|\.yaml)?/?(#[^\s]*)?$", re.I)
_REFERENCE_ID_RE = re.compile(r"^Q[0-9]{5,6}$")


@cache
def parser() -> MarkdownIt:
    """Return the one CommonMark parser of article bodies: tables on, raw HTML off."""
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


# --------------------------------------------------------------------------------------------
# Body


def _blank(line: str) -> bool:
    """Tell whether a body line is empty or whitespace."""
    return not line.strip()


def _sections(body: list[str], first_line: int) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """Return the record sections of a body, its ``# title`` (or None) and that title's line."""
    tokens = parser().parse("\n".join(body))
    sections: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    title: str | None = None
    title_line: int | None = None
    previous_end = 0
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        while end > start + 1 and _blank(body[end - 1]):
            end -= 1
        blank_before = sum(1 for n in range(previous_end, start) if _blank(body[n]))
        previous_end = end
        if token.type == "heading_open" and token.tag == "h2":
            current = {"heading": tokens[index + 1].content.strip() or "(untitled)", "line": first_line + start,
                       "blank_before": blank_before, "blocks": []}
            sections.append(current)
            continue
        if token.type == "heading_open" and token.tag == "h1" and title is None and not sections and current is None:
            title, title_line = tokens[index + 1].content.strip(), first_line + start
            continue
        if current is None:
            current = {"heading": None, "line": first_line + start, "blank_before": 0, "blocks": []}
            sections.append(current)
        text = "\n".join(body[start:end]).rstrip()
        current["blocks"].append({"kind": "markdown", "line": first_line + start, "blank_before": blank_before,
                                  "text": text or body[start]})
    for section in sections:
        if section["heading"] is None or section["blank_before"] == 1:
            section.pop("blank_before")
        for block in section["blocks"]:
            if block["blank_before"] == 1:
                block.pop("blank_before")
    return sections, title, title_line


def _references(body: list[str], first_line: int) -> list[dict[str, Any]]:
    """Return the links of the body that point at other articles (``[Q254893](Q254893.md)``)."""
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for token in parser().parse("\n".join(body)):
        if token.type != "inline" or not token.children or token.map is None:
            continue
        children = token.children
        for n, child in enumerate(children):
            match = ARTICLE_LINK_RE.match(str(child.attrGet("href") or "")) if child.type == "link_open" else None
            if not match:
                continue
            ident = match.group(1).upper()
            label = []
            for inner in children[n + 1:]:
                if inner.type == "link_close":
                    break
                label.append(inner.content)
            key = (ident, first_line + token.map[0])
            if _REFERENCE_ID_RE.match(ident) and key not in seen:
                seen.add(key)
                text = "".join(label).strip()
                found.append({"id": ident, "title": "" if text.upper() == ident else text, "line": key[1]})
    return found


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")
_LINE_MARK = re.compile(r"^\s*(?:>\s*)*(?:\[![A-Za-z]+\]\s*)?(?:[-*+]\s+|\d+[.)]\s+)?")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(?:`{3,}|~{3,})")


def plain_text(markdown: str) -> str:
    """Return Markdown prose as the plain text a status sentence reader expects (marks removed)."""
    lines = []
    for line in markdown.split("\n"):
        if _TABLE_RULE.match(line) or _FENCE.match(line):
            continue
        if line.lstrip().startswith("|"):
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        line = _LINE_MARK.sub("", line)
        lines.append(_MARKS.sub("", _LINK.sub(r"\1", line)))
    return "\n".join(line for line in lines if line.strip()) or markdown


# --------------------------------------------------------------------------------------------
# Status: front matter block or extracted from ## Status


def _names(value: Any) -> list[Any]:
    """Return a status field (str, list or None) as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@dataclass(frozen=True)
class StatusName:
    """One release name of a front matter status block, resolved (or not) against the catalogue."""

    fact: str  # affected | fixed
    index: int | None  # position in a list, None for a scalar value
    text: str
    release: Any  # kb.releases.catalogue.Release | None

    @property
    def where(self) -> tuple[str | int, ...]:
        """Return the front matter path of the name."""
        return ("status", self.fact) if self.index is None else ("status", self.fact, self.index)


def status_names(block: dict[str, Any], product: str | None) -> list[StatusName]:
    """Resolve the affected and fixed names of a front matter status block, in order."""
    from kb.releases import load_catalogue

    catalogue = load_catalogue()
    out = []
    for fact in ("affected", "fixed"):
        value = block.get(fact)
        items = value if isinstance(value, list) else [value] if value is not None else []
        for index, name in enumerate(items):
            if not isinstance(name, str):
                continue
            try:
                release = catalogue.find(name, product if isinstance(product, str) else None)
            except KbError:
                release = None
            out.append(StatusName(fact, index if isinstance(value, list) else None, name, release))
    return out


def status_from_front_matter(block: Any, product: Any, front: FrontMatter) -> Any:
    """Return the full status record of a front matter ``status:`` block (others pass to the schema)."""
    if not isinstance(block, dict):
        return block
    from kb.releases import load_catalogue

    catalogue = load_catalogue()
    names = status_names(block, product)
    affected = [n.release.name for n in names if n.fact == "affected" and n.release is not None]
    fixed = [n.release.name for n in names if n.fact == "fixed" and n.release is not None]
    affected = sorted(dict.fromkeys(affected), key=catalogue.order_key)
    fixed = sorted(dict.fromkeys(fixed), key=catalogue.order_key)
    for key in ("affected", "fixed"):  # a wrong type goes to the schema as written
        if block.get(key) is not None and not isinstance(block[key], (str, list)):
            (affected if key == "affected" else fixed).append(block[key])

    def line(where: tuple[str | int, ...]) -> int:
        position = front.position(where)
        return position[0] if position else front.first_line

    status: dict[str, Any] = {
        "kind": block.get("kind") or ("fixed" if fixed else "confirmed" if affected else "none"),
        "affected": affected,
        "fixed": None if not fixed else fixed[0] if len(fixed) == 1 else fixed,
        "fixed_source": "status" if fixed else None,
        "hotfix": block.get("hotfix"),
        "condition": block.get("condition"),
        "conditions": [],
        "keywords": [],
        "evidence": [{"fact": n.fact, "token": n.text, "release": n.release.name, "line": line(n.where)}
                     for n in names if n.release is not None],
        "unknown": [{"text": n.text, "line": line(n.where)} for n in names if n.release is None],
    }
    status.update({key: value for key, value in block.items() if key not in STATUS_KEYS})
    return status


def extracted_status(article: Any) -> dict[str, Any]:
    """Return the status the ``## Status`` section states, read by the classic text extractor."""
    import copy

    from kb.model import Block
    from kb.status import extract_status

    shadow = copy.copy(article)
    shadow.sections = [copy.copy(section) for section in article.sections]
    for section in shadow.sections:
        section.blocks = [Block("paragraph", b.line, plain_text(b.text), b.blank_before) for b in section.blocks]
    return extract_status(shadow)


# --------------------------------------------------------------------------------------------
# The record and where its fields are


class MarkdownLocator:
    """Map a record field to its line (and column) in the ``.md`` file."""

    def __init__(self, front: FrontMatter, record: dict[str, Any]) -> None:
        self.front = front
        self.record = record

    def position(self, where: Iterable[str | int]) -> tuple[int, int | None]:
        """Return (line, column) of a field: its front matter value, section or block."""
        path = tuple(where)
        head = path[0] if path else None
        if head in self.front.values:
            if head == "status" and len(path) > 1 and path[1] in ("evidence", "unknown"):
                item = self._item(path)
                return (item.get("line") or self.front.first_line, None) if item else (self.front.first_line, None)
            if head == "applies_to" and len(path) > 2:
                path = path[:2]
            found = self.front.position(path)
            if found is not None:
                return found
        if head in ("sections", "references") and len(path) > 1:
            item = self._item(path[:4] if head == "sections" else path[:2])
            if isinstance(item, dict) and isinstance(item.get("line"), int):
                return item["line"], 1
        if head == "status":
            section = next((s for s in self.record.get("sections") or []
                            if isinstance(s, dict) and str(s.get("heading") or "").upper() == "STATUS"), None)
            if section is not None:
                return section["line"], 1
        return 1, None

    def _item(self, path: tuple[str | int, ...]) -> Any:
        """Return the record value at ``path`` (None when absent)."""
        node: Any = self.record
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def line(self, where: Iterable[str | int]) -> int:
        """Return the 1-based line of a field."""
        return self.position(where)[0]

    def column(self, where: Iterable[str | int]) -> int | None:
        """Return the 1-based column of a field (None when it is a whole line)."""
        return self.position(where)[1]


@dataclass
class Derived:
    """A ``.md`` article's record and the locator of its fields."""

    record: dict[str, Any]
    front: FrontMatter
    locator: MarkdownLocator


def _category(values: dict[str, Any]) -> Any:
    """Return the category: front matter ``category``, else the product's first word (exchange)."""
    if "category" in values:
        return values["category"]
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", str(values.get("product") or ""))]
    words = [w for w in words if w != "microsoft"]
    return words[0] if words else "general"


def _applies_to(value: Any, front: FrontMatter) -> Any:
    """Return the applies-to items of front matter ``applies_to`` (a list of product names)."""
    from kb.text.parts import _product_versions

    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[Any] = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            out.append(item)
            continue
        product, versions = _product_versions(item)
        where = ("applies_to", index) if isinstance(value, list) else ("applies_to",)
        position = front.position(where)
        out.append({"line": position[0] if position else front.first_line, "text": item.strip(),
                    "product": product, "versions": versions, "children": []})
    return out


def _date(value: Any) -> Any:
    """Return the front matter date as ISO text (YAML reads an unquoted date as a date)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _keywords(value: Any) -> Any:
    """Return the keywords as a list (``kbbug, kbfix`` as one string is split)."""
    if isinstance(value, str):
        return [word for word in re.split(r"[\s,]+", value) if word]
    return [] if value is None else value


def derive_record(text: str, path: str) -> tuple[dict[str, Any], FrontMatter]:
    """Return the record of a ``.md`` article and its front matter (no schema check)."""
    front = split_front_matter(text, path)
    values = front.values
    body = [line.rstrip("\r") for line in text.split("\n")[front.body_line - 1:]]
    sections, h1, _ = _sections(body, front.body_line)
    record: dict[str, Any] = {"origin": "markdown"}
    for key in ("id", "title"):
        if key in values:
            record[key] = values[key]
    if "title" not in record and h1:
        record["title"] = h1
    if "description" in values:
        record["description"] = values["description"]
    if "date" in values:
        record["date"] = _date(values["date"])
    record["category"] = _category(values)
    if "product" in values:
        record["product"] = values["product"]
    record["keywords"] = _keywords(values.get("keywords"))
    record["applies_to"] = _applies_to(values.get("applies_to"), front)
    record["sections"] = sections
    record["references"] = _references(body, front.body_line)
    record["status"] = None
    record["repro"] = values.get("repro")
    record["source"] = {"file": Path(path).name, "encoding": "utf-8",
                        "line_endings": "CRLF" if "\r\n" in text else "LF",
                        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    for key in values:
        if key not in FRONT_MATTER_KEYS:
            record[key] = values[key]  # the schema names the unknown key at its line
    if "status" in values:
        record["status"] = status_from_front_matter(values["status"], values.get("product"), front)
    else:
        from kb.schema import is_valid
        from kb.store import article_of

        if is_valid(record):
            try:
                article = article_of(record)
            except ValueError:  # an impossible date: the date lint reports it, located
                article = None
            if article is not None:
                record["status"] = extracted_status(article)
    return record, front


# --------------------------------------------------------------------------------------------
# Cache by content hash (kb.record_cache)


def derive(text: str, path: str, data: bytes | None = None) -> Derived:
    """Return the derived record of a ``.md`` article (``text``, from bytes ``data``), cached by content hash."""
    from kb.record_cache import cached

    front = split_front_matter(text, path)
    record = cached(path, text.encode("utf-8") if data is None else data, lambda: derive_record(text, path)[0])
    return Derived(record, front, MarkdownLocator(front, record))
