"""New Markdown articles: the ``kb new`` skeleton, and a classic .TXT converted to Markdown.

Both write ``QNNNNNN.md`` (front matter + ``## Symptoms`` ... ``## More information``) atomically
and refuse to overwrite an existing article. A converted article is a Markdown article from then
on: its classic byte-for-byte round trip is no longer promised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from kb.exceptions import KbError, NotFoundError, ReleaseError
from kb.files import write_atomic
from kb.ids import is_article_id
from kb.model import Article


#: The sections of a new article and the hint each starts with (italic: visible until replaced).
SKELETON_SECTIONS: tuple[tuple[str, str], ...] = (
    ("Symptoms", "_Describe what the user or administrator sees: the message, the event, the wrong behaviour._"),
    ("Cause", "_Explain why it happens._"),
    ("Resolution", "_Say how to fix or work around it._"),
    ("Status", ""),
    ("More information", "_Steps to reproduce, and related articles (link them as [Q254893](Q254893.md))._"),
)


STATUS_HINT = "_State which releases have the problem and which release first corrected it._"
#: The placeholder texts of a skeleton (kb validate warns while one is left in an article).
SKELETON_HINTS: frozenset[str] = frozenset(
    [hint for _, hint in SKELETON_SECTIONS if hint]
    + [STATUS_HINT]
)


class ArticleExists(KbError):
    """The article file to write is already there (kb new never overwrites)."""


@dataclass(frozen=True)
class Written:
    """What ``kb new`` wrote."""

    id: str
    path: Path
    converted_from: Path | None = None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {"converted_from": str(self.converted_from) if self.converted_from else None, "id": self.id,
                "path": str(self.path)}


def front_matter(values: dict[str, Any]) -> str:
    """Return ``values`` as a front matter block (``---`` lines around block-style YAML)."""
    text = yaml.safe_dump(values, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
    return f"---\n{text}---\n"


def _canonical(names: list[str], product: str | None) -> list[str]:
    """Return release names as the catalogue spells them; ReleaseError names an unknown one."""
    from kb.releases import load_catalogue

    catalogue = load_catalogue()
    out = []
    for name in names:
        release = catalogue.find(name, product)
        if release is None:
            raise ReleaseError(f"unknown release {name!r}: expected a catalogue release such as "
                               "'Exchange Server 5.5 SP4' (see kb/releases/catalogue.yaml)")
        out.append(release.name)
    return out


def _and(names: list[str]) -> str:
    """Return names joined as prose ("A", "A and B", "A, B and C")."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def status_sentences(affected: list[str], fixed: list[str]) -> str:
    """Return the STATUS sentences the classic extractor reads back as ``affected`` and ``fixed``."""
    if not affected and not fixed:
        return STATUS_HINT
    parts = []
    if affected:
        parts.append(f"Microsoft has confirmed this to be a problem in {_and(affected)}.")
    if fixed:
        parts.append(f"This problem was first corrected in {_and(fixed)}.")
    return " ".join(parts)


def skeleton(article_id: str, title: str, product: str, affected: Sequence[str] = (),
             fixed: Sequence[str] = (), date: dt.date | None = None) -> str:
    """Return the text of a new Markdown article with the usual sections."""
    affected_names = _canonical(list(affected), product)
    fixed_names = _canonical(list(fixed), product)
    values: dict[str, Any] = {"id": article_id, "title": title, "product": product, "applies_to": [product],
                              "keywords": [], "date": date or dt.date.today()}
    if affected_names or fixed_names:
        status: dict[str, Any] = {"affected": affected_names}
        if fixed_names:
            status["fixed"] = fixed_names[0] if len(fixed_names) == 1 else fixed_names
        values["status"] = status
    parts = [front_matter(values)]
    for heading, hint in SKELETON_SECTIONS:
        body = status_sentences(affected_names, fixed_names) if heading == "Status" else hint
        parts.append(f"\n## {heading}\n\n{body}\n")
    return "".join(parts)


def _target(article_id: str, out: Path) -> Path:
    """Return where the article goes, refusing one that exists (in either form)."""
    from kb.store import find_article

    existing = find_article(out, article_id)
    if existing is not None:
        raise ArticleExists(f"{existing}: already exists; kb new never overwrites an article")
    return out / f"{article_id}.md"


def write_new(article_id: str, title: str, product: str, out: Path, affected: Sequence[str] = (),
              fixed: Sequence[str] = (), date: dt.date | None = None) -> Written:
    """Write the skeleton of article ``article_id`` to ``out/ID.md`` (atomically, never overwriting)."""
    if not is_article_id(article_id):
        raise KbError(f"{article_id!r}: expected an article id such as Q900001 (Q and 5-7 digits)")
    if not title.strip():
        raise KbError("--title: expected the article's title")
    text = skeleton(article_id, title.strip(), product.strip(), affected, fixed, date)
    target = _target(article_id, out)
    write_atomic(target, text.encode("utf-8"))
    return Written(article_id, target)


# --------------------------------------------------------------------------------------------
# Classic .TXT -> Markdown


def converted(article: Article) -> str:
    """Return a classic article as a Markdown article: front matter, then its sections."""
    from kb.render.markdown import MarkdownRenderer
    from kb.status import extract_status

    status = extract_status(article)

    class _Body(MarkdownRenderer):
        """The classic Markdown rendering, minus what the front matter now holds."""

        def status_line(self) -> str:
            return ""

        def footer(self) -> list[str]:
            return []

    values: dict[str, Any] = {"id": article.id, "title": article.full_title, "product": article.product}
    items: list[str] = []

    def walk(entries: list[Any] | None) -> None:
        for entry in entries or []:
            items.append(entry.text.strip())
            walk(entry.children)

    walk(article.applies_to)
    if items:
        values["applies_to"] = items
    values.update({"keywords": list(article.keywords), "date": article.date, "category": article.category})
    claim: dict[str, Any] = {}
    if status.get("kind") not in (None, "none"):
        claim["kind"] = status["kind"]
    if status.get("affected"):
        claim["affected"] = list(status["affected"])
    if status.get("fixed"):
        claim["fixed"] = status["fixed"]
    if claim:
        values["status"] = claim
    if article.repro:
        values["repro"] = article.repro
    body = _Body(article, header=False).render()
    original = f"_Original KB number:_ {article.id.lstrip('Q')}\n\n"
    return front_matter(values) + "\n" + original + body


def convert_txt(source: Path, out: Path) -> Written:
    """Convert the classic article ``source`` into ``out/ID.md`` (atomically, never overwriting)."""
    from kb.text import parse

    if not source.is_file():
        raise NotFoundError(f"{source}: no such classic article file")
    article = parse(source.read_bytes(), str(source))
    target = _target(article.id, out)
    write_atomic(target, converted(article).encode("utf-8"))
    return Written(article.id, target, converted_from=source)
