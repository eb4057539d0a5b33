"""The Article record's helpers."""

from __future__ import annotations

import datetime as dt

from kb.model import Article, Block, FooterField, Section


def _article() -> Article:
    return Article(
        id="Q900001", title="Title", title_prefix="XFOR", date=dt.date(2001, 6, 1), category="exchange",
        product="Microsoft Exchange", prod_ver="", oper_sys="",
        sections=[
            Section(heading=None, line=9, blocks=[Block("paragraph", 9, "intro", 0)]),
            Section(heading="STATUS", line=12, blocks=[Block("paragraph", 15, "a"), Block("paragraph", 18, "b", 2)]),
        ],
        footer=[FooterField("Keywords", "kbbug ", 30)],
    )  # fmt: skip


def test_section_finds_a_heading_case_insensitively() -> None:
    article = _article()
    assert article.section("status") is article.sections[1]
    assert article.section("CAUSE") is None


def test_section_text_keeps_the_empty_lines_between_blocks() -> None:
    assert _article().sections[1].text == "a\n\n\nb"


def test_full_title_puts_the_prefix_back() -> None:
    assert _article().full_title == "XFOR: Title"


def test_footer_value_returns_a_raw_value_or_none() -> None:
    assert _article().footer_value("Keywords") == "kbbug "
    assert _article().footer_value("Version") is None
