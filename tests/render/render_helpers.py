"""Synthetic articles for renderer tests, built from the public model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kb.model import AppliesTo, Article, Block, Section

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "render"

#: The status block the golden files are rendered with (as the status extractor gives it).
Q254893_STATUS = {
    "kind": "fixed",
    "affected": ["Exchange Server 5.5 SP3"],
    "fixed": "Exchange Server 5.5 SP4",
    "hotfix": "Exchange Server 5.5 SP4",
    "evidence": [],
}


def make_article(*sections: Section, **fields: object) -> Article:
    """Return a minimal article holding ``sections`` (other fields overridable)."""
    values: dict[str, object] = {
        "id": "Q100001",
        "title": "Synthetic Article",
        "title_prefix": "XGEN",
        "date": dt.date(2001, 6, 1),
        "category": "exchange",
        "product": "Microsoft Exchange",
        "prod_ver": "winnt:5.5",
        "oper_sys": "",
        "keywords": ["kbtest"],
        "applies_to": [AppliesTo(line=12, text="Microsoft Exchange Server, version 5.5", product="Microsoft Exchange Server", versions=["5.5"])],
        "sections": list(sections),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def section(heading: str | None, *blocks: tuple[str, str], line: int = 20) -> Section:
    """Return a section of (kind, raw text) blocks numbered from ``line``."""
    made: list[Block] = []
    for kind, text in blocks:
        made.append(Block(kind=kind, line=line, text=text))
        line += text.count("\n") + 2
    return Section(heading=heading, line=line, blocks=made)


def parse_body(*body: str) -> Article:
    """Return a synthetic classic article with ``body`` (lines, "" between blocks), parsed."""
    from kb.text import parse
    from kb.text.codec import encode
    from kb.text.parts import LEGAL_NOTICE

    lines = [
        "DOCUMENT:Q990001  01-JUN-2001  [exchange]",
        "TITLE   :XADM: A Synthetic Article",
        "PRODUCT :Microsoft Exchange",
        "PROD/VER:winnt:5.5",
        "OPER/SYS:",
        "KEYWORDS:kbtest",
        "",
        "=" * 70,
        "-" * 79,
        "The information in this article applies to:",
        "",
        " - Microsoft Exchange Server, version 5.5 ",
        "-" * 79,
        "",
        *body,
        "",
        "Additional query words:",
        "",
        "=" * 70,
        "Keywords          : kbtest ",
        "Version           : winnt:5.5",
        "Issue type        : kbbug",
        "",
        "=" * 77,
        "",
        *LEGAL_NOTICE,
        "",
        "Copyright Microsoft Corporation 2001.",
    ]
    return parse(encode("\r\n".join(lines)), "Q990001.TXT")
