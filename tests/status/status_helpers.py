"""Helpers for the status tests: build small Articles from STATUS fixtures (real quotes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from kb.model import AppliesTo, Article, Block, FooterField, Section

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "status"
STATUS_LINE = 40  # where the STATUS heading sits in a built article
KEYWORDS_LINE = 60


def make_article(status: str | None, applies_to: list[str] | None = None, keywords: str = "",
                 extra_sections: dict[str, str] | None = None) -> Article:
    """Return an Article whose STATUS section is ``status`` (blocks split at empty lines)."""
    items = []
    for offset, text in enumerate(applies_to or []):
        product, _, versions = text.partition(", version")
        items.append(AppliesTo(line=12 + offset, text=text, product=product,
                               versions=[v.strip() for v in versions.lstrip("s").split(",") if v.strip()]))
    sections: list[Section] = []
    line = 20
    for heading, text in (extra_sections or {}).items():
        sections.append(Section(heading, line, _blocks(text, line + 3)))
        line += 10
    if status is not None:
        sections.append(Section("STATUS", STATUS_LINE, _blocks(status, STATUS_LINE + 3)))
    return Article(
        id="Q999999", title="Test article", title_prefix="XFOR", date=dt.date(2001, 6, 1), category="exchange",
        product="Microsoft Exchange", prod_ver="", oper_sys="", keywords=keywords.split(),
        applies_to=items, sections=sections, footer=[FooterField("Keywords", keywords + " ", KEYWORDS_LINE)],
    )


def _blocks(text: str, first_line: int) -> list[Block]:
    """Split text into paragraph blocks at empty lines, numbering lines from ``first_line``."""
    blocks: list[Block] = []
    current: list[str] = []
    start = first_line
    for number, raw in enumerate(text.rstrip("\n").split("\n")):
        if raw.strip():
            if not current:
                start = first_line + number
            current.append(raw)
        elif current:
            blocks.append(Block("paragraph", start, "\n".join(current)))
            current = []
    if current:
        blocks.append(Block("paragraph", start, "\n".join(current)))
    return blocks


def phrasing_cases() -> list[dict[str, Any]]:
    """Return the phrasing-family cases of tests/fixtures/status/phrasings.yaml."""
    return yaml.safe_load((FIXTURES / "phrasings.yaml").read_text(encoding="utf-8"))
