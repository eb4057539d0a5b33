"""Render an Article as idiomatic CommonMark (+ pipe tables) that reads like a written article.

Mapping (one rule per block kind, in ``BLOCK_RENDERERS``):
title -> ``#`` heading; header fields and applies-to -> a short metadata list; section
headings -> ``##`` (the standard all-caps names title-cased, others as written); sub-headings ->
``###``; paragraphs -> one re-flowed line; lists -> Markdown lists; literal blocks and ASCII
tables -> fenced code; each event-log entry -> a Field | Value table; article references and
inline ``Qnnnnnn`` -> links; downloads -> a list of links; STATUS -> its text plus the affected
and fixed releases of the ``status`` block; footer keywords and query words last.  A line of an
event-log, references or downloads block that its entries do not show stays as text in place.
"""

from __future__ import annotations

import re
import textwrap
from typing import Callable, Iterable, TypeVar

from kb.model import EVENT_LOG_FIELDS, AppliesTo, Article, Block, Download, EventLogEntry, Section
from kb.render import coverage, listing
from kb.render.listing import Chunk, Item
from kb.render.inline import Linker, default_link, escape, escape_line_start, inline, paragraph, reflow, table_cell

# The standard headings (kb-format.md §2.4: 99.6% of all headings) shown in title case; any
# other heading keeps its own spelling, since all-caps acronyms cannot be told from words.
STANDARD_HEADINGS: dict[str, str] = {
    "SUMMARY": "Summary",
    "SYMPTOMS": "Symptoms",
    "SYMPTOM": "Symptom",
    "CAUSE": "Cause",
    "RESOLUTION": "Resolution",
    "WORKAROUND": "Workaround",
    "STATUS": "Status",
    "MORE INFORMATION": "More Information",
    "REFERENCES": "References",
    "INTRODUCTION": "Introduction",
    "CONTENTS": "Contents",
}

_REFERENCE = re.compile(r"^\s*(Q[0-9]{5,6})\s+(\S.*)$")
# A run of three spaces inside a line: text laid out in columns.
_COLUMNS = re.compile(r"\S {3,}\S")
T = TypeVar("T")

#: Block kinds shown as fenced code; consecutive ones form one code block.
_CODE_KINDS = frozenset({"literal", "table"})
#: Block kinds that may sit indented under a list item.
NESTABLE = frozenset({"literal", "paragraph", "table", "list"})


def heading_text(heading: str) -> str:
    """Return a section heading as shown: standard names title-cased, others as written."""
    return STANDARD_HEADINGS.get(heading.strip().upper(), heading.strip())


def fenced(text: str) -> str:
    """Return ``text`` dedented inside a code fence longer than any backtick run in it."""
    body = textwrap.dedent(text.expandtabs(8)).strip("\n")
    body = "\n".join(line.rstrip() for line in body.split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{body}\n{fence}"


def _indent(text: str, width: int) -> str:
    """Indent every non-empty line of ``text`` by ``width`` spaces."""
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def _first_indent(block: Block) -> int:
    """Return the indentation of a block's first line."""
    first = block.lines[0].expandtabs(8)
    return len(first) - len(first.lstrip(" "))


def looks_preformatted(text: str) -> bool:
    """Tell whether flush-left text is laid out in columns or drawn (a listing, a diagram).

    Prose never has a run of three spaces inside a line (two follow a full stop) nor a line
    made mostly of punctuation; directory listings, debugger dumps and ASCII diagrams do.
    """
    for line in text.split("\n"):
        body = line.strip()
        if "\t" in body or _COLUMNS.search(body):
            return True
        if len(body) >= 5 and sum(map(str.isalnum, body)) * 10 < len(body) * 3:
            return True
    return False


def _is_prose(lines: list[str]) -> bool:
    """Tell whether preamble lines are sentences rather than version/platform/keyword lists."""
    words = [word for word in " ".join(lines).split() if not word.lower().startswith("kb")]
    return sum(1 for word in words if word.isalpha() and word.islower()) >= 3


def group_blocks(blocks: list[Block]) -> list[Block]:
    """Merge blocks that Markdown shows as one: a list with what is nested in it, and code.

    The parser cuts the body at empty lines, so a numbered step, the NOTE indented under it and
    the next step arrive as separate blocks, and so do the parts of a code sample or a table
    that has empty lines inside; Markdown needs each of them together.
    """
    grouped: list[Block] = []
    for block in blocks:
        if block.kind == "paragraph" and looks_preformatted(block.text):
            block = Block("literal", block.line, block.text, block.blank_before)
        previous = grouped[-1] if grouped else None
        kind: str | None = None
        if previous is not None and previous.kind == "list" and (
            block.kind == "list" or (block.kind in NESTABLE and _first_indent(block) > _first_indent(previous))
        ):
            kind = "list"
        elif previous is not None and previous.kind in _CODE_KINDS and block.kind in _CODE_KINDS:
            kind = "literal"
        if kind is not None and previous is not None:
            separator = "\n" * (block.blank_before + 1)
            grouped[-1] = Block(kind, previous.line, previous.text + separator + block.text, previous.blank_before)
        else:
            grouped.append(block)
    return grouped


class MarkdownRenderer:
    """Render one article; ``link`` maps an article id to a link target (None: no link).

    ``header=False`` leaves out the title and the metadata list, for a page that shows them
    itself (the site's article template).
    """

    def __init__(self, article: Article, link: Linker | None = default_link, header: bool = True) -> None:
        self.article = article
        self.link = link
        self.header = header

    # --- document -----------------------------------------------------------------------
    def render(self) -> str:
        """Return the whole Markdown document, ending in one newline."""
        parts = [self.title(), self.metadata()] if self.header else []
        parts.extend(self.preamble())
        status_shown = False
        for section in self.article.sections:
            parts.extend(self.section(section))
            if section.heading and section.heading.strip().upper() == "STATUS":
                line = self.status_line()
                if line and not status_shown:
                    parts.append(line)
                    status_shown = True
        if not status_shown and (line := self.status_line()):
            parts.append(line)
        parts.extend(self.footer())
        return "\n\n".join(part for part in parts if part) + "\n"

    def title(self) -> str:
        """Return the ``#`` heading: the article number and its full title."""
        return f"# {self.article.id}: {escape(self.article.full_title)}"

    def metadata(self) -> str:
        """Return the short metadata list: date, product, category, applies-to."""
        article = self.article
        product = escape(article.product)
        if article.prod_ver.strip(" :"):
            product += f" ({escape(article.prod_ver.strip())})"
        items = [
            f"- **Published:** {article.date.isoformat()}",
            f"- **Product:** {product}",
            f"- **Category:** {escape(article.category)}",
        ]
        if article.applies_to:
            items.append("- **Applies to:**")
            items.extend(_indent(block, 2) for block in self._applies(article.applies_to))
        return "\n".join(items)

    def preamble(self) -> list[str]:
        """Return free text above the applies-to block (Beta and registry warnings) as quotes.

        Legacy metadata lines there (``3.10 4.00 | 3.50``, ``WINDOWS``, ``kbprg kbref``,
        kb-format.md §2.2) repeat the header and are left out.
        """
        lines = self.article.layout.preamble or []
        groups: list[list[str]] = [[]]
        for line in lines:
            if line.strip():
                groups[-1].append(line)
            elif groups[-1]:
                groups.append([])
        quoted: list[str] = []
        for group in groups:
            references = [_REFERENCE.match(line) for line in group]
            if group and all(references):
                quoted.extend(self._reference_item(m.group(1), m.group(2)) for m in references if m)
            elif _is_prose(group):
                quoted.append(paragraph("\n".join(group), self.link))
        return ["\n>\n".join(f"> {text}" for text in quoted)] if quoted else []

    def _applies(self, entries: Iterable[AppliesTo]) -> list[str]:
        """Return nested list lines for the applies-to items."""
        lines: list[str] = []
        for entry in entries:
            lines.append(f"- {inline(entry.text.strip(), None)}")
            if entry.children:
                lines.extend(_indent(child, 2) for child in self._applies(entry.children))
        return lines

    def section(self, section: Section) -> list[str]:
        """Return the heading and blocks of one section."""
        parts: list[str] = []
        if section.heading is not None:
            parts.append(f"## {escape(heading_text(section.heading))}")
        for group in group_blocks(section.blocks):
            parts.append(self.block(group))
        return parts

    def status_line(self) -> str:
        """Return the releases line of the ``status`` block, or '' when it names none."""
        status = self.article.status or {}
        affected = status.get("affected") or []
        fixed = status.get("fixed")
        fixed_list = [fixed] if isinstance(fixed, str) else list(fixed or [])
        bits: list[str] = []
        if affected:
            bits.append("**Affected:** " + ", ".join(escape(str(name)) for name in affected))
        if fixed_list:
            bits.append("**Fixed in:** " + ", ".join(escape(str(name)) for name in fixed_list))
        hotfix = status.get("hotfix")
        if hotfix:
            # A pre-SP keyword (kbExchange550preSP4fix) names the service pack the hotfix
            # preceded, or "<line> hotfix" when that service pack never shipped.
            shown = str(hotfix) if str(hotfix).endswith(" hotfix") else f"before {hotfix}"
            bits.append("**Hotfix:** " + escape(shown))
        return " · ".join(bits)

    def footer(self) -> list[str]:
        """Return the closing rule and a list of the keywords and the additional query words."""
        items: list[str] = []
        if self.article.keywords:
            items.append("- **Keywords:** " + escape(" ".join(self.article.keywords)))
        if self.article.query_words and self.article.query_words.strip():
            items.append("- **Additional query words:** " + escape(self.article.query_words.strip()))
        return ["---", "\n".join(items)] if items else []

    # --- blocks -------------------------------------------------------------------------
    def block(self, block: Block) -> str:
        """Return the Markdown of one block, by its kind."""
        renderer = BLOCK_RENDERERS.get(block.kind, MarkdownRenderer.paragraph)
        return renderer(self, block)

    def paragraph(self, block: Block) -> str:
        """Return a paragraph re-flowed into one line (a list if it reads as one)."""
        if listing.is_list(block.text):
            return self.listing(block)
        return paragraph(block.text, self.link)

    def literal(self, block: Block) -> str:
        """Return a literal (indented) block as fenced code."""
        return fenced(block.text)

    def subheading(self, block: Block) -> str:
        """Return a dash-underlined sub-heading as ``###``."""
        text = block.lines[0] if block.lines else ""
        return f"### {escape(text.strip())}"

    def rule(self, block: Block) -> str:
        """Return a free-standing rule as a thematic break."""
        return "---"

    def listing(self, block: Block) -> str:
        """Return a list block as a Markdown list (nested notes and samples kept inside)."""
        return self._nodes(listing.parse(block.lines))

    def _nodes(self, nodes: list[Chunk | Item]) -> str:
        """Render a sequence of parsed chunks and items, grouping items into lists."""
        out = ""
        previous: Chunk | Item | None = None
        for node in nodes:
            if isinstance(node, listing.Item):
                text = self._item(node)
            elif node.code:
                text = fenced("\n".join(node.lines))
            else:
                text = paragraph("\n".join(node.lines), self.link)
            if previous is not None:
                # Items written on consecutive lines stay a tight list, as in the source.
                tight = (isinstance(previous, Item) and isinstance(node, Item)
                         and not previous.blank_after and len(previous.children) == 1)
                out += "\n" if tight else "\n\n"
            out += text
            previous = node
        return out

    def _item(self, item: Item) -> str:
        """Render one list item with its nested blocks indented under its text."""
        marker = item.marker
        # CommonMark has no lettered lists: "a." items become bullets that keep their letter.
        lettered = not item.ordered and marker[0].isalpha() and len(marker) == 2
        prefix = marker[:-1] + "." if item.ordered else "-"
        first, *rest = item.children
        lines = first.lines if isinstance(first, listing.Chunk) else []
        head = inline(reflow("\n".join(lines)), self.link)
        head = f"{escape(marker)} {head}" if lettered else escape_line_start(head)
        text = f"{prefix} {head}"
        if rest:
            text += "\n\n" + _indent(self._nodes(rest), len(prefix) + 1)
        return text

    def event_log(self, block: Block) -> str:
        """Return each event-log entry of the block as a Field | Value table.

        Lines the tables do not show (prose around an excerpt, a message the reader could not
        take apart) stay in place between them, as text (kb.render.coverage).
        """
        entries = self._within(block, self.article.event_log)
        if not entries:
            return fenced(block.text)
        return self._entries(block, entries, coverage.event_words, self._event_table, between="\n\n")

    def _leftover(self, part: coverage.Leftover) -> str:
        """Return lines of a structured block that its entries do not show: prose or code."""
        block = Block("paragraph", part.line, part.text, 0)
        if looks_preformatted(part.text):
            return fenced(part.text)
        return self.paragraph(block)

    def _event_table(self, entry: EventLogEntry) -> str:
        """Return one Field | Value table."""
        rows = ["| Field | Value |", "| --- | --- |"]
        for attribute, label in EVENT_LOG_FIELDS:
            value = getattr(entry, attribute)
            if value is None or str(value).strip() == "":
                continue
            rows.append(f"| {label} | {table_cell(str(value), self.link)} |")
        return "\n".join(rows)

    def references(self, block: Block) -> str:
        """Return article references as a list of links followed by their titles."""
        within = self._within(block, self.article.references)
        if within:
            return self._entries(block, within, coverage.reference_words,
                                 lambda ref: self._reference_item(ref.id, ref.title))
        found = [(m.group(1), m.group(2)) for m in map(_REFERENCE.match, block.lines) if m]
        if not found:
            return paragraph(block.text, self.link)
        return "\n".join(self._reference_item(article_id, title) for article_id, title in found)

    def _entries(self, block: Block, items: list[T], shown: Callable[[T], set[str]], item: Callable[[T], str],
                 between: str = "\n") -> str:
        """Return a block as runs of its entries (joined by ``between``), with the lines they do not show between."""
        parts = []
        for part in coverage.split(block.line, block.lines, items, shown):
            if isinstance(part, coverage.Leftover):
                parts.append(self._leftover(part))
            else:
                parts.append(between.join(item(entry) for entry in part.items))
        return "\n\n".join(parts)

    def _reference_item(self, article_id: str, title: str) -> str:
        """Return one list item: the linked article number, then its title."""
        target = self.link(article_id) if self.link else None
        label = f"[{article_id}]({target})" if target else article_id
        return f"- {label} {inline(reflow(title), self.link)}"

    def downloads(self, block: Block) -> str:
        """Return downloads as a list: architecture, then the file name linked to its URL."""
        found = self._within(block, self.article.downloads)
        if not found:
            return paragraph(block.text, self.link)
        return self._entries(block, found, coverage.download_words, self._download_item)

    def _download_item(self, download: Download) -> str:
        """Return one list item: the architecture, then the file name linked to its URL."""
        label = escape(download.file)
        if download.url:
            # Angle brackets only when the URL has characters a bare destination cannot hold.
            plain = not re.search(r"[\s()<>]", download.url)
            label = f"[{label}]({download.url})" if plain else f"[{label}](<{download.url}>)"
        return f"- {escape(download.arch) + ': ' if download.arch else ''}{label}"

    def _within(self, block: Block, records: list) -> list:
        """Return the records (with a ``line``) that fall inside the block's lines."""
        last = block.line + len(block.lines)
        return [record for record in records if block.line <= record.line < last]


BLOCK_RENDERERS: dict[str, Callable[[MarkdownRenderer, Block], str]] = {
    "paragraph": MarkdownRenderer.paragraph,
    "literal": MarkdownRenderer.literal,
    "table": MarkdownRenderer.literal,
    "list": MarkdownRenderer.listing,
    "event_log": MarkdownRenderer.event_log,
    "references": MarkdownRenderer.references,
    "downloads": MarkdownRenderer.downloads,
    "subheading": MarkdownRenderer.subheading,
    "rule": MarkdownRenderer.rule,
}


def render_markdown(article: Article, link: Linker | None = default_link, header: bool = True) -> str:
    """Return the article as a Markdown document (``header=False``: without title and metadata)."""
    return MarkdownRenderer(article, link, header).render()
