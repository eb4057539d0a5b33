"""Lints that know where an article came from: a .md article's status, and edited classic imports.

* A Markdown article's front matter ``status:`` must name catalogue releases, in lattice order
  (no release affected at or after the release that first fixed its line): one located error
  per problem. When its ``## Status`` section states something else, a warning says so.
* An imported record whose text no longer renders to its source's hash was edited since the
  import: an info (editing is allowed, the classic round trip is just no longer promised); and
  when its STATUS text and ``status:`` block then disagree, the same warning as above.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterator

from kb.diagnostics import Diagnostic


def _names(value: Any) -> list[str]:
    """Return a status field (str, list or None) as a list of names."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _facts(status: dict[str, Any]) -> str:
    """Return a status block's affected and fixed releases as one readable phrase."""
    affected = ", ".join(_names(status.get("affected"))) or "none named"
    fixed = ", ".join(_names(status.get("fixed"))) or "none named"
    return f"affected: {affected}; fixed: {fixed}"


def stated_facts(status: dict[str, Any], sentences_only: bool = False) -> dict[str, Any]:
    """Return the affected and fixed releases of a status block (``sentences_only``: STATUS sentences').

    The extractor also counts the applies-to items as affected; a Markdown article's front
    matter is compared with what its ``## Status`` sentences say, not with its applies-to list.
    """
    if not sentences_only:
        return {"affected": _names(status.get("affected")), "fixed": _names(status.get("fixed")),
                "evidence": status.get("evidence") or []}
    evidence = [e for e in status.get("evidence") or [] if "text" in e and e.get("release")]
    return {"affected": sorted({e["release"] for e in evidence if e.get("fact") == "affected"}),
            "fixed": sorted({e["release"] for e in evidence if e.get("fact") == "fixed"}), "evidence": evidence}


def disagreement(claimed: dict[str, Any], stated: dict[str, Any]) -> bool:
    """Tell whether a status block contradicts what the STATUS text states.

    Only facts the text states are compared: a STATUS section that names no fixed release does
    not contradict a block that names one.
    """
    stated_affected = set(_names(stated.get("affected")))
    stated_fixed = set(_names(stated.get("fixed")))
    if stated_affected and stated_affected != set(_names(claimed.get("affected"))):
        return True
    return bool(stated_fixed) and stated_fixed != set(_names(claimed.get("fixed")))


def _status_line(stated: dict[str, Any]) -> int | None:
    """Return the line of the first STATUS sentence the extracted status rests on."""
    lines = [e.get("line") for e in stated.get("evidence") or [] if isinstance(e.get("line"), int)]
    return min(lines) if lines else None


def _disagrees(ctx: Any, claimed: dict[str, Any], stated: dict[str, Any], label: str) -> Iterator[Diagnostic]:
    """Yield the warning that ``claimed`` (a status block) contradicts ``stated`` (the STATUS text)."""
    if disagreement(claimed, stated):
        line = _status_line(stated)
        where = f"the Status section (line {line})" if line else "the Status section"
        yield ctx.error(("status",), f"{label} says {_facts(claimed)}, but {where} says {_facts(stated)}; "
                        "expected them to agree (edit one of them)", "status-disagrees", "warning")


def _article(ctx: Any) -> Any:
    """Return the Article of a schema-valid record, or None when another lint reports why it cannot be built."""
    from kb.store import article_of

    try:
        return article_of(ctx.record)
    except (ValueError, TypeError, KeyError):  # an impossible date: lint_date_is_real says so
        return None


# --------------------------------------------------------------------------------------------
# Markdown articles


def lint_markdown_status(ctx: Any) -> Iterator[Diagnostic]:
    """Check a .md article's status: catalogue names, lattice order, and agreement with ## Status."""
    if not ctx.is_markdown:
        return
    from kb.status.lint import lint_status_record

    front = getattr(ctx.locator, "front", None)
    block = front.values.get("status") if front is not None else None
    if not isinstance(block, dict):
        # No front matter status: it was read from ## Status like classic text; lint it so.
        yield from lint_status_record(ctx)
        return
    from kb.markdown_source import extracted_status, status_names

    names = status_names(block, ctx.record.get("product"))
    for name in names:
        if name.release is None:
            yield ctx.error(name.where, f"release {name.text!r} is not in the release catalogue "
                            "(kb/releases/catalogue.yaml), expected a name such as 'Exchange Server 5.5 SP4'",
                            "status-release")
    fixed = [n for n in names if n.fact == "fixed" and n.release is not None]
    for name in names:
        if name.fact != "affected" or name.release is None:
            continue
        earlier = [f for f in fixed if f.release.line == name.release.line and f.release.order <= name.release.order]
        if earlier:
            first = min(earlier, key=lambda f: f.release.order)
            yield ctx.error(name.where, f"{name.text!r} is affected, but {first.text!r} (line "
                            f"{ctx.locator.line(first.where)}) already fixed {name.release.line}; expected every "
                            "affected release before the first fixed one", "status-lattice")
    if any(n.release is None for n in names) or not ctx.record.get("status"):
        return
    article = _article(ctx)
    if article is None or article.section("STATUS") is None:
        return
    stated = stated_facts(extracted_status(article), sentences_only=True)
    yield from _disagrees(ctx, ctx.record["status"], stated, "front matter status")


def lint_skeleton_hints(ctx: Any) -> Iterator[Diagnostic]:
    """Warn where a .md article still holds a hint ``kb new`` wrote for the writer to replace."""
    if not ctx.is_markdown:
        return
    from kb.new_article import SKELETON_HINTS

    for s_index, section in enumerate(ctx.record["sections"]):
        for b_index, block in enumerate(section["blocks"]):
            if block["text"].strip() in SKELETON_HINTS:
                heading = section["heading"] or "the introduction"
                yield ctx.error(("sections", s_index, "blocks", b_index), f"{heading} still holds the placeholder "
                                "text of `kb new`; expected the article's own text", "skeleton-hint", "warning")


# --------------------------------------------------------------------------------------------
# Edited classic imports


def edited_since_import(article: Any) -> bool:
    """Tell whether an imported article's text no longer renders to its source's hash."""
    if getattr(article, "origin", "classic") != "classic" or not article.source.sha256:
        return False
    from kb.text import write

    try:
        data = write(article)
    except Exception:  # noqa: BLE001 - a record the writer cannot render is certainly edited
        return True
    return hashlib.sha256(data).hexdigest() != article.source.sha256


def lint_edited_import(ctx: Any) -> Iterator[Diagnostic]:
    """Say (info) when an import was edited; then warn where its STATUS text and status: disagree."""
    if ctx.is_markdown or not (ctx.record.get("source") or {}).get("sha256"):
        return
    article = _article(ctx)
    if article is None or not edited_since_import(article):
        return
    yield ctx.error(("source", "sha256"), f"the record's text no longer renders to {article.source.file} "
                    f"(sha256 {article.source.sha256[:12]}...): edited since import, so its classic round trip "
                    "is no longer promised", "edited", "info")
    status = ctx.record.get("status")
    if isinstance(status, dict) and article.section("STATUS") is not None:
        from kb.status import extract_status

        yield from _disagrees(ctx, status, stated_facts(extract_status(article)), "the status: block")
