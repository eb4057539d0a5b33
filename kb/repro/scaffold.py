"""kb repro init: scaffold ``repro/QNNNNNN.py`` from an article and link it from the record.

The scaffold carries what the article claims (affected and fixed releases from the status
lattice, the SYMPTOMS text) so the author starts from the claim; its ``run()`` raises until the
author writes the flow, so ``kb verify`` reports it as an error rather than a pass.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.exceptions import KbError

TEMPLATE = "repro.py.j2"


class ScaffoldError(KbError):
    """A scaffold that would overwrite an existing script or cannot be written."""


@dataclass
class Scaffold:
    """What ``kb repro init`` wrote."""

    id: str
    script: Path
    record: Path
    affected: list[str]
    fixed: list[str]
    unknown: list[str]
    written: bool = True

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {"affected": self.affected, "fixed": self.fixed, "id": self.id, "record": str(self.record),
                "script": str(self.script), "unknown": self.unknown, "written": self.written}


def _status_of(article: Any) -> dict[str, Any] | None:
    """Return the record's status block, extracting it when the record has none yet."""
    if article.status:
        return article.status
    try:
        from kb.status import extract_status
    except ImportError:
        return None
    return extract_status(article)


def _lattice_names(status: dict[str, Any] | None) -> tuple[list[str], list[str], list[str]]:
    """Return (affected, fixed, unknown) release names of the status lattice, in order."""
    from kb.releases import lattice

    groups: dict[str, list[str]] = {"affected": [], "fixed": [], "unknown": []}
    if status:
        for entries in lattice(status).values():
            for entry in entries:
                groups[entry.state].append(entry.release)
    return groups["affected"], groups["fixed"], groups["unknown"]


def _symptoms(article: Any) -> str:
    """Return the SYMPTOMS section as plain text (empty when the article has none)."""
    section = article.section("SYMPTOMS")
    if section is None:
        return ""
    return "\n\n".join(block.text for block in section.blocks).strip()


def _comment(text: str, width: int = 96) -> list[str]:
    """Return ``text`` as comment-safe lines (wrapped paragraphs, trailing spaces dropped)."""
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        flat = " ".join(paragraph.split())
        lines.extend(textwrap.wrap(flat, width) or [""])
        lines.append("")
    return lines[:-1] if lines else []


def render_scaffold(article: Any, affected: list[str], fixed: list[str], unknown: list[str]) -> str:
    """Return the source of the scaffolded repro script."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from kb.resources import data_path

    env = Environment(loader=FileSystemLoader(str(data_path("repro", "templates"))), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    full = getattr(article, "full_title", None) or article.title
    full = full() if callable(full) else full
    title = " ".join(str(full).split()).replace("\\", "/").replace('"""', "'''")
    return env.get_template(TEMPLATE).render(
        id=article.id, title=title, affected=affected, fixed=fixed, unknown=unknown,
        symptoms=_comment(_symptoms(article)), first_affected=affected[0] if affected else None,
        first_fixed=fixed[0] if fixed else None,
    )


def simulated_lines() -> list[str]:
    """Return the product lines the simulator can run: a release with every component build."""
    from kb.releases import load_catalogue
    from kb.sim.core.builds import COMPONENTS

    return [line.name for line in load_catalogue().lines.values()
            if any(all(c in (release.components or {}) for c in COMPONENTS) for release in line.releases)]


def _refuse_unsimulated(article: Any, record: Path, names: list[str]) -> None:
    """Raise ScaffoldError when none of the article's product lines has a simulator."""
    from kb.releases import load_catalogue
    from kb.status.extract import _context

    catalogue = load_catalogue()
    lines = list(dict.fromkeys([catalogue.releases[name].line for name in names] + _context(article, catalogue)))
    simulated = simulated_lines()
    if not set(lines) & set(simulated):
        about = ", ".join(lines) if lines else "no product line the release catalogue knows"
        raise ScaffoldError(f"{record}: {article.id} is about {about}; a repro needs a simulator of its "
                            f"product line, and kb simulates only {', '.join(simulated)}")


def scaffold_repro(record: Path, root: Path, *, force: bool = False, link_only: bool = False) -> Scaffold:
    """Write ``<root>/repro/<id>.py`` for the article at ``record`` and link it from the record.

    With ``link_only`` an existing script (written by hand) is linked and left as it is.
    """
    from kb.files import write_atomic
    from kb.store import dump_article, load_article

    article = load_article(record)
    relative = Path("repro") / f"{article.id}.py"
    script = root / relative
    if link_only and not script.is_file():
        raise ScaffoldError(f"{script}: no such repro script to link (drop --link to scaffold one)")
    if script.exists() and not (force or link_only):
        raise ScaffoldError(f"{script}: already exists (use --link to link it, --force to overwrite it)")
    affected, fixed, unknown = _lattice_names(_status_of(article))
    _refuse_unsimulated(article, record, affected + fixed + unknown)
    if not link_only:
        write_atomic(script, render_scaffold(article, affected, fixed, unknown).encode("utf-8"))
    repro = dict(article.repro or {})
    if repro.get("status") == "not-reproducible":
        repro = {}  # a script replaces the judgement that the article cannot be reproduced
    repro["script"] = relative.as_posix()
    repro.setdefault("releases", [])
    article.repro = repro
    if article.is_markdown and article.markdown is not None:
        from kb.front_matter import set_front_matter

        # A Markdown article is its own source of truth: only its front matter's repro: changes.
        write_atomic(record, set_front_matter(article.markdown, "repro", repro, str(record)).encode("utf-8"))
    else:
        dump_article(article, record)
    return Scaffold(article.id, script, record, affected, fixed, unknown, written=not link_only)
