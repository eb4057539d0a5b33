"""Every variant of the kb-format census, as small synthetic articles.

The census (docs kb-format.md) measured the whole archive of 56,989 articles; the shared corpus
holds 6,900 of them. Each test here builds an article that shows one variant (most are rare or
absent from the shared files) and checks that it parses, validates against the schema, writes
back byte for byte, reloads from YAML to the same bytes, and gives the right structured fields.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.exceptions import ParseError
from kb.model import AppliesTo, Article
from kb.schema import record_diagnostics
from kb.store import article_of, dumps, loads, record_of
from kb.text import parse, write
from kb.text.codec import encode
from kb.text.parts import LEGAL_NOTICE

CRLF = "\r\n"
APPLIES_SENTENCE = "The information in this article applies to:"
ITEMS = [" - Microsoft Windows NT Server version 4.0 "]
FOOTER = [
    "Keywords          : kbinfo kbnetwork ",
    "Technology        : kbWinNTsearch kbWinNTSsearch",
    "Version           : winnt:4.0",
    "Issue type        : kbinfo",
]
BODY = ["SUMMARY", "=======", "", "A synthetic article."]


def article(
    body: Sequence[str] | str = BODY,
    *,
    document: str = "DOCUMENT:Q990001  01-JUN-2001  [winnt]",
    title: str = "INFO: A Synthetic Census Article",
    product: str = "Microsoft Windows NT",
    prod_ver: str = "winnt:4.0",
    oper_sys: str = "",
    keywords: str = "kbinfo kbnetwork",
    top_rule: bool = True,
    preamble: Sequence[str] = (),
    items: Sequence[str] | None = tuple(ITEMS),
    rule: int = 79,
    after_block: int = 1,
    aqw: str | None = "Additional query words:",
    aqw_blanks: int = 1,
    footer: Sequence[str] | None = tuple(FOOTER),
    year: int = 2001,
    trailer: bool = True,
) -> bytes:
    """Return the bytes of a synthetic article in the common shape, with the given parts changed."""
    lines = [
        document,
        "TITLE   :" + title,
        "PRODUCT :" + product,
        "PROD/VER:" + prod_ver,
        "OPER/SYS:" + oper_sys,
        "KEYWORDS:" + keywords,
        "",
    ]
    if top_rule:
        lines.append("=" * 70)
    lines.extend(preamble)
    if items is not None:
        lines.extend(["-" * rule, APPLIES_SENTENCE, "", *items, "-" * rule])
    lines.extend([""] * after_block)
    lines.extend(body.split("\n") if isinstance(body, str) else body)
    if aqw is not None:
        lines.append(aqw)
        lines.extend([""] * aqw_blanks)
    if footer is not None:
        lines.extend(["=" * 70, *footer])
    if trailer:
        lines.extend(["", "=" * 77, "", *LEGAL_NOTICE, "", f"Copyright Microsoft Corporation {year}."])
    return encode(CRLF.join(lines))


def check(data: bytes, name: str = "Q990001.TXT") -> Article:
    """Parse ``data``; assert it validates, writes back and reloads byte for byte; return it."""
    parsed = parse(data, name)
    assert write(parsed) == data
    record = record_of(parsed)
    assert [d.format() for d in record_diagnostics(record, name.replace(".TXT", ".yaml"))] == []
    reloaded = loads(dumps(record), "record.yaml")
    assert reloaded == record
    assert write(article_of(reloaded)) == data
    return parsed


def body_of(*paragraphs: str) -> list[str]:
    """Return body lines: the paragraphs (LF-separated lines) separated by empty lines."""
    lines: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if index:
            lines.append("")
        lines.extend(paragraph.split("\n"))
    return lines


def flat(items: list[AppliesTo] | None) -> list[tuple[int, str, list[str]]]:
    """Return (depth, product, versions) for every applies-to item, depth first."""
    out: list[tuple[int, str, list[str]]] = []

    def walk(nodes: list[AppliesTo], depth: int) -> None:
        for node in nodes:
            out.append((depth, node.product, node.versions))
            walk(node.children, depth + 1)

    walk(items or [], 0)
    return out


# -- §0 / §7: the common shape ------------------------------------------------------------------


def test_the_common_shape_reads_every_part() -> None:
    got = check(article())
    assert (got.id, got.date, got.category) == ("Q990001", dt.date(2001, 6, 1), "winnt")
    assert (got.title_prefix, got.title) == ("INFO", "A Synthetic Census Article")
    assert [s.heading for s in got.sections] == ["SUMMARY"]
    assert got.query_words == ""
    assert [f.key for f in got.footer or []] == ["Keywords", "Technology", "Version", "Issue type"]
    assert got.notice is not None and (got.notice.kind, got.notice.year) == ("ms-kb-legal", 2001)
    assert got.layout.trailer_lines is None and got.layout.footer_lines is None


# -- §1: header ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "prefix", "title"),
    [
        ("XFOR: Internet Mail Service Does Not Generate the NDR", "XFOR", "Internet Mail Service Does Not Generate the NDR"),
        ("HOWTO: Configure a Thing", "HOWTO", "Configure a Thing"),
        ("WD2000: Macro Fails", "WD2000", "Macro Fails"),
        ("ACC97: Query Is Slow", "ACC97", "Query Is Slow"),
        ("FIX: BUG: Two Prefixes", "FIX", "BUG: Two Prefixes"),
        ("No Prefix At All Here", None, "No Prefix At All Here"),
        ("Mac: Mixed Case Prefix", None, "Mac: Mixed Case Prefix"),
        ("XADM:No Space After The Colon", None, "XADM:No Space After The Colon"),
        ("XADM:  Two Spaces After The Colon", None, "XADM:  Two Spaces After The Colon"),
        ("Q&A: Questions and Answers", None, "Q&A: Questions and Answers"),
        ("PRB: A Title Truncated At Exactly Sixty-Four Characters Of Text", "PRB", "A Title Truncated At Exactly Sixty-Four Characters Of Text"),
    ],
)
def test_a_title_prefix_is_split_only_when_it_is_an_upper_case_tag(raw: str, prefix: str | None, title: str) -> None:
    got = check(article(title=raw))
    assert (got.title_prefix, got.title, got.full_title) == (prefix, title, raw)


def test_a_title_with_curly_quotes_and_a_del_byte_survives() -> None:
    data = article(title="PRB: Doesn\u2019t Open \u201cFile\u201d\x7f")
    assert b"Doesn\x92t Open \x93File\x94\x7f" in data
    got = check(data)
    assert got.title == "Doesn\u2019t Open \u201cFile\u201d\x7f"


@pytest.mark.parametrize(
    "prod_ver",
    ["", ":", ":4.0", "95", "4.0", "WINDOWS:3.00 3.10 | 3.50 3.51", "winnt:4.0,5.0 SP1; WINDOWS:95", "x" * 87],
)
def test_every_prod_ver_shape_is_kept_raw(prod_ver: str) -> None:
    assert check(article(prod_ver=prod_ver)).prod_ver == prod_ver


@pytest.mark.parametrize("oper_sys", ["WINDOWS", "winnt", "MS-DOS", "MS-DOS               | WINDOWS"])
def test_the_rare_oper_sys_values_are_kept(oper_sys: str) -> None:
    assert check(article(oper_sys=oper_sys)).oper_sys == oper_sys


def test_keywords_come_from_the_footer_when_the_header_copy_is_glued_or_truncated() -> None:
    header = "kbinfo kbusagekbfaq kbtruncat"
    footer = ["Keywords          : kbinfo kbusage kbfaq kbtruncated ", *FOOTER[1:]]
    got = check(article(keywords=header, footer=footer))
    assert got.keywords == ["kbinfo", "kbusage", "kbfaq", "kbtruncated"]
    assert got.layout.header_keywords == header


def test_keywords_fall_back_to_the_header_when_there_is_no_footer() -> None:
    got = check(article(keywords="kbprg kbref", footer=None))
    assert got.footer is None and got.keywords == ["kbprg", "kbref"]


def test_an_empty_footer_keywords_value_gives_no_keywords() -> None:
    got = check(article(keywords="", footer=["Keywords          : ", *FOOTER[1:]]))
    assert got.keywords == [] and got.footer_value("Keywords") == ""


@pytest.mark.parametrize(
    ("document", "date", "category"),
    [
        ("DOCUMENT:Q99999  03-NOV-1994  [dosword]", dt.date(1994, 11, 3), "dosword"),
        ("DOCUMENT:Q123456  29-FEB-2000  [win16sdk]", dt.date(2000, 2, 29), "win16sdk"),
        ("DOCUMENT:Q330000  18-AUG-2002  [msj]", dt.date(2002, 8, 18), "msj"),
    ],
)
def test_five_and_six_digit_ids_dates_and_categories_are_read(document: str, date: dt.date, category: str) -> None:
    name = document[9:].split()[0] + ".TXT"
    got = check(article(document=document, year=date.year), name)
    assert (got.id, got.date, got.category) == (name[:-4], date, category)


def test_the_odd_product_names_are_kept_verbatim() -> None:
    for product in ("DELETE ME", "Miscrosoft Systems Journal"):
        assert check(article(product=product)).product == product


# -- §2.2: preamble -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "preamble",
    [
        [""],
        ["3.00 3.10", "WINDOWS", "", "kbprg kbref kbdocerr"],
        ["3.10 4.00 | 3.50 3.51", "", "MS-DOS | WINDOWS", "", "kbprg"],
        ["3.50Bug", "WINDOWS   | WINDOWS NT"],
        ["BETA INFORMATION  BETA INFORMATION  BETA INFORMATION", "", "This article discusses a Beta release.", ""],
        ["*" * 40, "* WARNING: Using Registry Editor can  *", "*" * 40, ""],
        ["IMPORTANT: This article contains information about editing the registry.", ""],
    ],
)
def test_a_preamble_before_the_applies_to_block_is_kept_and_the_block_still_read(preamble: list[str]) -> None:
    got = check(article(preamble=preamble))
    assert got.layout.preamble == preamble
    assert flat(got.applies_to) == [(0, "Microsoft Windows NT Server", ["4.0"])]
    assert [s.heading for s in got.sections] == ["SUMMARY"]


# -- §2.3: applies-to block ---------------------------------------------------------------------


def test_an_article_without_the_applies_to_sentence_has_applies_to_null() -> None:
    got = check(article(items=None))
    assert got.applies_to is None and got.layout.preamble is None
    assert [s.heading for s in got.sections] == ["SUMMARY"]


def test_the_applies_to_sentence_as_body_text_is_not_a_block() -> None:
    body = body_of("The information in this article applies to the following:", " - Microsoft Word 97")
    got = check(article(body, items=None))
    assert got.applies_to is None
    assert got.sections[0].blocks[0].text == "The information in this article applies to the following:"


def test_a_lone_dash_rule_without_the_sentence_stays_in_the_body() -> None:
    got = check(article(["-" * 69, "", *BODY], items=None))
    assert got.applies_to is None
    assert got.sections[0].heading is None and got.sections[0].blocks[0].kind == "rule"
    assert got.sections[1].heading == "SUMMARY"


@pytest.mark.parametrize("rule", [67, 68, 69, 74, 75, 79])
def test_an_applies_to_rule_of_any_census_length_is_read_and_kept(rule: int) -> None:
    got = check(article(rule=rule))
    assert got.layout.applies_to_rule == rule and got.layout.applies_to_lines is None
    assert flat(got.applies_to) == [(0, "Microsoft Windows NT Server", ["4.0"])]


def test_an_applies_to_block_with_no_items_is_an_empty_list() -> None:
    got = check(article(items=[]))
    assert got.applies_to == [] and got.layout.applies_to_lines is None


def test_an_empty_line_after_the_last_item_keeps_the_raw_block() -> None:
    got = check(article(items=[" - Microsoft Exchange Server, version 5.5 ", ""]))
    assert flat(got.applies_to) == [(0, "Microsoft Exchange Server", ["5.5"])]
    assert got.layout.applies_to_lines is not None


def test_a_free_text_line_in_the_block_is_kept_and_the_items_still_read() -> None:
    items = [" - Microsoft Visual C++, 32-bit Edition, version 6.0 ", "as they apply to:", " - Microsoft Windows NT "]
    got = check(article(items=items))
    assert [p for _, p, _ in flat(got.applies_to)] == ["Microsoft Visual C++, 32-bit Edition", "Microsoft Windows NT"]


def test_items_nest_by_three_spaces_down_to_indent_ten() -> None:
    items = [
        " - The C Run-Time (CRT), used with: ",
        "    - Microsoft Visual C++, 32-bit Edition, versions 5.0, 6.0, on platform(s): ",
        "       - the operating system: Microsoft Windows NT, on platform(s): ",
        "          - the hardware: Intel x86 ",
        " - Microsoft Windows 2000 Server ",
    ]
    got = check(article(items=items))
    assert flat(got.applies_to) == [
        (0, "The C Run-Time (CRT)", []),
        (1, "Microsoft Visual C++, 32-bit Edition", ["5.0", "6.0"]),
        (2, "Microsoft Windows NT", []),
        (3, "Intel x86", []),
        (0, "Microsoft Windows 2000 Server", ["2000"]),
    ]
    assert got.layout.applies_to_lines is None


def test_an_item_longer_than_250_characters_without_a_trailing_space_is_one_item() -> None:
    text = "Microsoft Office 2000 Premium Edition including " + ", ".join(["Word", "Excel", "PowerPoint"] * 15)
    got = check(article(items=[f" - {text}"]))
    (item,) = got.applies_to or []
    assert item.text == text and item.trailing_space is False and len(text) > 250


@pytest.mark.parametrize(
    ("text", "product", "versions"),
    [
        ("Microsoft Exchange Server, version 5.5 SP3", "Microsoft Exchange Server", ["5.5 SP3"]),
        ("Microsoft Windows NT Server version 4.0", "Microsoft Windows NT Server", ["4.0"]),
        ("Microsoft SNA Server SDK 3.1", "Microsoft SNA Server SDK", ["3.1"]),
        ("Microsoft Excel for Windows, versions 5.0, 5.0c, 7.0", "Microsoft Excel for Windows", ["5.0", "5.0c", "7.0"]),
        ("Microsoft Word for Windows versions 6.0, 6.0a and 6.0c", "Microsoft Word for Windows", ["6.0", "6.0a", "6.0c"]),
        ("Microsoft FoxPro for Windows, versions 2.5, 2.6 for Windows 95", "Microsoft FoxPro for Windows for Windows 95", ["2.5", "2.6"]),
        ("Microsoft Exchange Server, version 5.5 Service Packs 1, 2", "Microsoft Exchange Server", ["5.5 Service Pack 1", "5.5 Service Pack 2"]),
        ("Microsoft Windows 2000 Server", "Microsoft Windows 2000 Server", ["2000"]),
        ("Microsoft Word 97 for Windows", "Microsoft Word 97 for Windows", ["97"]),
        ("Microsoft Windows 98 Second Edition", "Microsoft Windows 98 Second Edition", ["98"]),
        ("Microsoft Mail for PC Networks", "Microsoft Mail for PC Networks", []),
        ("Microsoft Bookshelf, 1991, 1992 editions", "Microsoft Bookshelf", ["1991 edition", "1992 edition"]),
        ("Microsoft Encarta Virtual Globe 1998 edition", "Microsoft Encarta Virtual Globe", ["1998 edition"]),
        ("Microsoft Cinemania for Windows versions 1995 edition, 1996 edition", "Microsoft Cinemania for Windows", ["1995 edition", "1996 edition"]),
        (
            "Microsoft Windows NT Server version 4.0, Terminal Server Edition",
            "Microsoft Windows NT Server, Terminal Server Edition",
            ["4.0"],
        ),
        ("Microsoft Exchange Server, versions 4.0, 5.0, Japanese version", "Microsoft Exchange Server, Japanese version", ["4.0", "5.0"]),
        ("Microsoft Exchange 2000 Server SP1", "Microsoft Exchange 2000 Server", ["2000 SP1"]),
        ("Microsoft GW-Basic Interpreter, versions 3.20 and later", "Microsoft GW-Basic Interpreter", ["3.20 and later"]),
        (
            "Microsoft ODBC for Oracle version 2.0, versions Build 2.73.7269, Build 2.73.7283.01",
            "Microsoft ODBC for Oracle",
            ["2.0", "Build 2.73.7269", "Build 2.73.7283.01"],
        ),
        ("the operating system: Microsoft Windows NT, on platform(s):", "Microsoft Windows NT", []),
        ("Microsoft C/C++ Compiler (CL.EXE), included with:", "Microsoft C/C++ Compiler (CL.EXE)", []),
    ],
)
def test_every_item_wording_splits_into_product_and_versions(text: str, product: str, versions: list[str]) -> None:
    got = check(article(items=[f" - {text} "]))
    assert flat(got.applies_to) == [(0, product, versions)]


@pytest.mark.parametrize("blank_lines", [1, 2, 3, 4])
def test_one_to_four_empty_lines_after_the_applies_to_block_round_trip(blank_lines: int) -> None:
    got = check(article(after_block=blank_lines))
    assert got.sections[0].heading == "SUMMARY" and got.sections[0].blank_before == blank_lines


# -- §2.4: headings -----------------------------------------------------------------------------


def test_the_canonical_headings_make_one_section_each_in_order() -> None:
    names = ["SYMPTOMS", "CAUSE", "RESOLUTION", "STATUS", "MORE INFORMATION", "WORKAROUND", "REFERENCES", "SUMMARY"]
    body = body_of(*(f"{name}\n{'=' * len(name)}\n\nText of {name.lower()}." for name in names))
    got = check(article(body))
    assert [s.heading for s in got.sections] == names
    assert got.section("more information") is not None
    assert got.section("status").blocks[0].text == "Text of status."  # type: ignore[union-attr]


def test_unusual_headings_and_a_repeated_heading_are_sections_too() -> None:
    body = body_of(
        "INTRODUCTION\n============\n\nHello.",
        "CONTENTS\n========\n\n1. One",
        "SYMPTOM\n=======\n\nOne symptom.",
        "Part 2: Installing the Server (Windows NT 4.0)\n==============================================\n\nSteps.",
        "STATUS\n======\n\nFirst.",
        "STATUS\n======\n\nSecond.",
    )
    got = check(article(body))
    assert [s.heading for s in got.sections] == [
        "INTRODUCTION", "CONTENTS", "SYMPTOM", "Part 2: Installing the Server (Windows NT 4.0)", "STATUS", "STATUS"
    ]
    assert got.section("STATUS").text == "First."  # type: ignore[union-attr]


def test_a_heading_with_a_trailing_space_and_a_matching_underline_is_a_heading() -> None:
    got = check(article(["CAUSE ", "======", "", "Text."]))
    assert [s.heading for s in got.sections] == ["CAUSE "]
    assert got.section("cause") is not None


def test_an_article_with_no_heading_is_one_untitled_section() -> None:
    body = body_of("Some text with no heading at all.", "   C:\\WINNT\\SYSTEM32\\DRIVERS", "More text.")
    got = check(article(body))
    assert [s.heading for s in got.sections] == [None]
    assert [b.kind for b in got.sections[0].blocks] == ["paragraph", "literal", "paragraph"]


def test_an_article_with_an_empty_body_has_no_sections() -> None:
    got = check(article([], after_block=1))
    assert got.sections == []


@pytest.mark.parametrize(
    "lines",
    [
        ["SYMPTOMS", "=========", "", "Underline one too long."],
        ["      CENTRED TITLE", "      =============", "", "Indented heading."],
        ["REM ====", "=======", "", "REM line."],
        ["SYMPTOMS", "", "A canonical name with no underline."],
        ["=" * 20, "=" * 20, "", "Two rules."],
    ],
)
def test_near_miss_headings_are_not_sections(lines: list[str]) -> None:
    got = check(article(lines))
    assert [s.heading for s in got.sections] == [None]


def test_text_directly_under_an_underline_stays_in_the_section() -> None:
    got = check(article(["SYMPTOMS", "========", "Text right under it.", "", "CAUSE", "=====", "", "Why."]))
    assert [(s.heading, s.blocks[0].text, s.blocks[0].blank_before) for s in got.sections] == [
        ("SYMPTOMS", "Text right under it.", 0), ("CAUSE", "Why.", 1)
    ]


def test_a_heading_right_after_the_applies_to_rule_has_no_empty_line_before_it() -> None:
    got = check(article(after_block=0))
    assert got.sections[0].heading == "SUMMARY" and got.sections[0].blank_before == 0


def test_dash_underlined_subheadings_become_their_own_blocks_even_indented() -> None:
    body = body_of(
        "MORE INFORMATION\n================",
        "Steps to Reproduce Behavior\n---------------------------",
        "1. Start the program.",
        "   Windows NT 4.0\n   --------------\n   Text after an indented sub-heading.",
    )
    got = check(article(body))
    kinds = [(b.kind, b.text.split("\n")[0].strip()) for b in got.sections[0].blocks]
    assert kinds == [
        ("subheading", "Steps to Reproduce Behavior"),
        ("list", "1. Start the program."),
        ("subheading", "Windows NT 4.0"),
        ("literal", "Text after an indented sub-heading."),
    ]


def test_equals_rules_framing_titles_inside_the_body_are_not_the_footer() -> None:
    frame = ["=" * 70, "PART 1: SETUP", "=" * 70]
    body = body_of("SUMMARY\n=======", *["\n".join(frame)] * 3, "End.")
    got = check(article(body))
    assert [s.heading for s in got.sections] == ["SUMMARY"]
    assert [f.key for f in got.footer or []] == ["Keywords", "Technology", "Version", "Issue type"]


def test_free_standing_and_indented_equals_rules_stay_in_the_body() -> None:
    body = body_of("SUMMARY\n=======", "=" * 75, "   " + "=" * 30, "-" * 79, "End.")
    got = check(article(body))
    assert [b.kind for b in got.sections[0].blocks] == ["rule", "rule", "rule", "paragraph"]


# -- §2.5: indented blocks, tables, event logs ----------------------------------------------------


def test_tables_tabs_and_nbsp_padding_are_kept() -> None:
    table = "   +------+------+\n   | Name | Size |\n   +------+------+\n   | a\xa0\xa0\xa0| 1    |\n   +------+------+"
    body = body_of("SUMMARY\n=======", table, "Name\tSize\tDate\nfoo.dll\t12\t1/1/99")
    got = check(article(body))
    assert [b.kind for b in got.sections[0].blocks] == ["table", "paragraph"]
    assert "\xa0" in got.sections[0].blocks[0].text


def test_code_lines_indented_three_six_and_nine_spaces_are_one_literal_block() -> None:
    code = "   Sub Main()\n      If x Then\n         MsgBox \"x\"\n      End If\n   End Sub"
    got = check(article(body_of("SUMMARY\n=======", code)))
    assert [b.kind for b in got.sections[0].blocks] == ["literal"]


def event_article(*blocks: str) -> Article:
    """Return the checked article whose MORE INFORMATION section holds the given blocks."""
    return check(article(body_of("MORE INFORMATION\n================", *blocks)))


FULL_EVENT = """\
   Event Type: Error
   Event Source: MSExchangeIMC
   Event Category: Internal Processing
   Event ID: 4120
   Date: 6/1/2001
   Time: 10:11:12 AM
   User: N/A
   Computer: BACON610
   Description:
   The Internet Mail Service could not generate
   a non-delivery report."""


def _fields(entry: object) -> tuple[object, ...]:
    names = ("type", "source", "category", "event_id", "date", "time", "user", "computer", "description")
    return tuple(getattr(entry, name) for name in names)


def test_the_full_nine_key_event_viewer_layout_is_structured() -> None:
    (entry,) = event_article(FULL_EVENT).event_log
    assert _fields(entry) == (
        "Error", "MSExchangeIMC", "Internal Processing", 4120, "6/1/2001", "10:11:12 AM", "N/A", "BACON610",
        "The Internet Mail Service could not generate a non-delivery report.",
    )


def test_an_event_log_without_date_time_user_and_computer_is_structured() -> None:
    lines = [line for line in FULL_EVENT.split("\n") if not line.strip().startswith(("Date", "Time", "User", "Computer"))]
    (entry,) = event_article("\n".join(lines)).event_log
    assert _fields(entry)[:4] == ("Error", "MSExchangeIMC", "Internal Processing", 4120)
    assert entry.date is None and entry.computer is None and entry.description is not None


def test_an_event_log_without_event_id_or_category_is_structured() -> None:
    text = "   Event Type: Warning\n   Event Source: MSExchangeMTA\n   Description: The MTA is slow."
    (entry,) = event_article(text).event_log
    assert _fields(entry) == ("Warning", "MSExchangeMTA", None, None, None, None, None, None, "The MTA is slow.")


def test_an_event_log_with_a_source_before_the_type_is_structured() -> None:
    text = "   Event Source: MSExchangeIS\n   Event Type: Error\n   Event ID: 1000\n   Description: Failed."
    (entry,) = event_article(text).event_log
    assert _fields(entry)[:4] == ("Error", "MSExchangeIS", None, 1000)
    assert entry.description == "Failed."


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Event ID: 1000", 1000),
        ("Event ID 1000", 1000),
        ("Event ID=1000", 1000),
        ("Event ID:1000", 1000),
        ("Event ID   : 1000", 1000),
        ("EventID: 1000", 1000),
        ("Event Id: 1000", 1000),
        ("Event ID : 1000", 1000),
        ("Event ID:\t1000", 1000),
        ("Event id: 1000", 1000),
        ("EVENT ID: 1000", 1000),
        ("Event ID#: 1000", 1000),
        ("Event ID - 1000", 1000),
        ("Event ID -1000", 1000),
    ],
)
def test_every_event_id_spelling_in_an_article_gives_the_number(line: str, number: int) -> None:
    (entry,) = event_article(f"   {line}\n   Source: MSExchangeSA\n   Description: Text.").event_log
    assert (entry.event_id, entry.source, entry.description) == (number, "MSExchangeSA", "Text.")


def test_the_old_style_event_id_source_and_description_lines_are_structured() -> None:
    text = "Event ID: 2000\nSource: MSExchangeMTA\nDescription: A sockets error 10061 on a connect()\ncall was detected."
    (entry,) = event_article(text).event_log
    assert _fields(entry)[:4] == (None, "MSExchangeMTA", None, 2000)
    assert entry.description == "A sockets error 10061 on a connect() call was detected."


def test_event_id_and_source_on_one_line_with_more_keys_after_it_fill_each_field() -> None:
    text = "   Event ID - 2079, Source: MSExchangeIS Private, Category: Transport,\n   Type: Error"
    (entry,) = event_article(text).event_log
    assert _fields(entry)[:4] == ("Error", "MSExchangeIS Private", "Transport", 2079)


def test_several_event_keys_on_one_line_are_split() -> None:
    text = "   Event ID: 9318\n   Source: MSExchangeMTA\n   Type: Warning Category: Interface"
    (entry,) = event_article(text).event_log
    assert _fields(entry)[:4] == ("Warning", "MSExchangeMTA", "Interface", 9318)


def test_a_source_line_followed_by_an_inline_description_is_split() -> None:
    text = "   Event ID: 151\n   Source: MSExchangeMig Description: Could not migrate MMF file."
    (entry,) = event_article(text).event_log
    assert (entry.source, entry.description) == ("MSExchangeMig", "Could not migrate MMF file.")


def test_an_empty_description_takes_the_indented_block_after_it() -> None:
    text = "   Event ID: 162\n   Source: MSExchangeMig\n   Type: Error\n   Description:"
    got = event_article(text, "   Invalid Home-Server definition in user list\n   file for the user.", "After.")
    (entry,) = got.event_log
    assert entry.description == "Invalid Home-Server definition in user list file for the user."


def test_event_keys_behind_list_bullets_are_structured() -> None:
    text = " - Event ID: 4115\n   Event Type: Error\n   Event Source: MSExchangeIMC\n   Event Category: Internal Processing"
    (entry,) = event_article(text).event_log
    assert _fields(entry)[:4] == ("Error", "MSExchangeIMC", "Internal Processing", 4115)


def test_a_bulleted_prose_mention_of_event_ids_stays_a_list_without_entries() -> None:
    got = event_article(" - Event ID 1097, Event ID 2124, or Event ID 2171 may appear in the\n   application log.")
    assert [b.kind for b in got.sections[0].blocks] == ["list"] and got.event_log == []


def test_keys_separated_by_an_empty_line_from_their_description_block_stay_one_entry() -> None:
    keys = "   Event ID: 5000\n   Source: MSExchangeIS\n   Type: Error\n   Category: General"
    got = event_article(keys, "   Description: Unable to initialize the store.\n   Error 4015.", "Other text.")
    (entry,) = got.event_log
    assert _fields(entry)[:4] == ("Error", "MSExchangeIS", "General", 5000)
    assert entry.description == "Unable to initialize the store. Error 4015."


def test_event_keys_each_followed_by_an_empty_line_stay_one_entry() -> None:
    got = event_article(
        "   Event Type:     Success Audit ",
        "   Event Source:   MSExchangeIS Private ",
        "   Event Category: Logons ",
        "   Event ID:       1009 ",
        "   Description:\n   User logged on.",
    )
    (entry,) = got.event_log
    assert _fields(entry) == ("Success Audit", "MSExchangeIS Private", "Logons", 1009, None, None, None, None, "User logged on.")


def test_two_excerpts_separated_by_an_empty_line_stay_two_entries() -> None:
    one = "   Event ID: 9318\n   Source: MSExchangeMTA\n   Type: Warning"
    two = "   Event ID: 9215\n   Source: MSExchangeMTA\n   Type: Warning"
    three = "   Event Type: Error\n   Event Source: MSExchangeIS"
    got = event_article(one, two, three)
    assert [(e.event_id, e.type, e.source) for e in got.event_log] == [
        (9318, "Warning", "MSExchangeMTA"), (9215, "Warning", "MSExchangeMTA"), (None, "Error", "MSExchangeIS")
    ]


def test_prose_naming_an_event_id_does_not_swallow_the_excerpt_after_it() -> None:
    prose = "The outbound queue alarm logs a 659\nevent ID when a queue reaches the limit, for example:"
    got = event_article(prose, "   Event ID:659\n   Source:MSExchangeMTA\n   Type:Warning", "   Description: Backlogged.")
    (entry,) = got.event_log
    assert (entry.event_id, entry.source, entry.type, entry.description) == (659, "MSExchangeMTA", "Warning", "Backlogged.")
    assert entry.line == got.sections[0].blocks[1].line


def test_an_event_log_block_never_borrows_a_block_from_the_next_section() -> None:
    body = body_of("SYMPTOMS\n========", "   Event ID: 162\n   Source: MSExchangeMig\n   Description:", "CAUSE\n=====", "   Text.")
    (entry,) = check(article(body)).event_log
    assert entry.description == ""


def test_two_event_viewer_excerpts_in_one_block_are_two_entries() -> None:
    one = "   Event Type: Error\n   Event Source: MSExchangeIS\n   Event ID: 1\n   Description: One."
    two = "   Event Type: Warning\n   Event Source: MSExchangeDS\n   Event ID: 2\n   Description: Two."
    got = event_article(one + "\n" + two)
    assert [(e.type, e.source, e.event_id, e.description) for e in got.event_log] == [
        ("Error", "MSExchangeIS", 1, "One."), ("Warning", "MSExchangeDS", 2, "Two.")
    ]


def test_a_lone_event_id_line_is_an_entry_with_only_the_id() -> None:
    (entry,) = event_article("   Event ID 7000").event_log
    assert _fields(entry) == (None, None, None, 7000, None, None, None, None, None)


def test_prose_that_mentions_event_ids_gives_no_entry() -> None:
    got = event_article("Event IDs 4032, 4057, and 4014 appear in the application log.")
    assert got.event_log == []


def test_event_keys_without_a_colon_after_an_event_id_line_fill_their_fields() -> None:
    text = "   Event ID 4132\n   Source MSExchangeIMC\n   Type      Error\n   Category  Internal Processing"
    got = event_article(text, "   Description: The service failed.")
    (entry,) = got.event_log
    assert _fields(entry)[:4] == ("Error", "MSExchangeIMC", "Internal Processing", 4132)
    assert entry.description == "The service failed."


def test_event_keys_written_with_a_dash_instead_of_a_colon_drop_the_dash() -> None:
    text = "   Event ID - 289\n   Source - MSExchangeMTA\n   Description - A connection to 1% could not be opened."
    (entry,) = event_article(text).event_log
    assert (entry.event_id, entry.source, entry.description) == (289, "MSExchangeMTA", "A connection to 1% could not be opened.")


def test_a_description_key_with_only_a_dash_takes_the_lines_below_it() -> None:
    (entry,) = event_article("   Event ID - 4122\n   Description -\n   An error occurred.").event_log
    assert (entry.event_id, entry.description) == (4122, "An error occurred.")


def test_a_colonless_key_never_overwrites_a_field_already_read() -> None:
    (entry,) = event_article("   Event ID: 19\n   Source: W3SVC\n   Source Other").event_log
    assert entry.source == "W3SVC"


def test_prose_after_a_lone_event_id_line_starting_with_a_key_word_is_not_a_key() -> None:
    got = event_article("   Event ID 1000 is logged when the service stops.\n   Type the following command.")
    assert [(e.event_id, e.type) for e in got.event_log] == [(1000, None)]


def test_event_keys_written_with_an_equals_sign_are_structured() -> None:
    text = "   Event ID = 63\n   Source = EDB\n   Category = General\n   Description = Background cleanup skipped pages."
    (entry,) = event_article(text).event_log
    assert _fields(entry)[:4] == (None, "EDB", "General", 63)
    assert entry.description == "Background cleanup skipped pages."


def test_an_equals_sign_source_followed_by_quoted_text_takes_it_as_the_description() -> None:
    text = '   Event ID = 7024, Source = Service Control Manager, "The File Server for\n   Macintosh service terminated."'
    (entry,) = event_article(text).event_log
    assert (entry.event_id, entry.source) == (7024, "Service Control Manager")
    assert entry.description == '"The File Server for Macintosh service terminated."'


def test_event_id_and_source_with_equals_signs_on_one_line_fill_both() -> None:
    (entry,) = event_article("   Event id=5007 Source= MSEXchange SA").event_log
    assert (entry.event_id, entry.source) == (5007, "MSEXchange SA")


def test_an_event_type_key_with_its_value_on_the_next_line_is_read() -> None:
    text = "   Event Type:\n   Error Event Source: ESE97\n   Event Category: Logging/Recovery\n   Event ID: 199"
    (entry,) = event_article(text).event_log
    assert _fields(entry)[:4] == ("Error", "ESE97", "Logging/Recovery", 199)


def test_an_event_id_key_wrapped_after_the_word_event_is_rejoined() -> None:
    text = "   Event Source: MSExchangeIS\n   Event Category: General Event\n   ID: 5000\n   Description: Failed."
    (entry,) = event_article(text).event_log
    assert _fields(entry)[1:4] == ("MSExchangeIS", "General", 5000)
    assert entry.description == "Failed."


def test_a_category_value_ending_in_event_without_an_id_line_after_it_is_kept() -> None:
    (entry,) = event_article("   Event ID: 1\n   Category: General Event\n   Description: Text.").event_log
    assert entry.category == "General Event"


def test_an_event_id_with_a_hash_and_a_symbolic_name_is_read() -> None:
    (entry,) = event_article("   Event ID #2625 - (EVENT_BINDLIB_PDC_SERVER_IS_DOWN)\n   Description: No PDC.").event_log
    assert (entry.event_id, entry.description) == (2625, "No PDC.")


def test_a_numbered_step_that_names_an_event_id_is_not_an_entry() -> None:
    got = event_article("3. Event ID 16385 tells you which folder it is processing and, in case there are\n   errors, which ones.")
    assert got.event_log == []


# -- §2.6: references and URLs ------------------------------------------------------------------


def refs(*blocks: str) -> list[tuple[str, str]]:
    """Return (id, title) of the references of an article whose REFERENCES section holds blocks."""
    got = check(article(body_of("REFERENCES\n==========", *blocks)))
    return [(r.id, r.title) for r in got.references]


def test_reference_lines_with_continuations_and_without_empty_lines_between() -> None:
    block = (
        "   Q191914 XFOR: Internet Mail Service Does Not Generate the Expected NDR\n"
        "   When a Message Is Sent to an Unknown Recipient\n"
        "   Q119591 How to Obtain Microsoft Support Files from Online Services"
    )
    assert refs(block) == [
        ("Q191914", "XFOR: Internet Mail Service Does Not Generate the Expected NDR When a Message Is Sent to an Unknown Recipient"),
        ("Q119591", "How to Obtain Microsoft Support Files from Online Services"),
    ]


@pytest.mark.parametrize(
    "line",
    ["Q12345 Flush-Left Five Digit Reference", "Q12345   Column Spaced Title", "      Q12345 Six Spaces Of Indent"],
)
def test_references_with_other_indents_and_column_spacing_are_read(line: str) -> None:
    assert refs(line) == [("Q12345", line.split("Q12345")[1].strip())]


def test_references_with_a_colon_after_the_id_are_read() -> None:
    block = "   Q126497: Limiting the Number of Recipients of a Message\n   Q135459: XADM: Event Error 251: Fatal Internal MTA Error"
    assert refs(block) == [
        ("Q126497", "Limiting the Number of Recipients of a Message"),
        ("Q135459", "XADM: Event Error 251: Fatal Internal MTA Error"),
    ]


def test_a_bare_indented_article_number_is_a_reference_without_title() -> None:
    assert refs("   Q196626", "   Q193922") == [("Q196626", ""), ("Q193922", "")]


@pytest.mark.parametrize(
    "block",
    [
        "   ARTICLE-ID: Q119591\n   TITLE     : How to Obtain Microsoft Support Files",
        "ARTICLE-ID: Q119591\nTITLE    : How to Obtain Microsoft Support Files",
        "   ARTICLE-ID: Q119591\n   TITLE : How to Obtain Microsoft Support Files",
        "   ARTICLE-ID: Q119591\n   TITLE: How to Obtain Microsoft Support Files",
        "   ARTICLE-ID: Q119591\n   TITLE     : How to Obtain Microsoft\n               Support Files",
    ],
)
def test_old_article_id_and_title_references_are_read_in_every_spelling(block: str) -> None:
    assert refs(block) == [("Q119591", "How to Obtain Microsoft Support Files")]


def test_two_article_id_pairs_in_one_block_are_two_references() -> None:
    block = "   ARTICLE-ID: Q119591\n   TITLE     : One\n\n   ARTICLE-ID: Q120000\n   TITLE     : Two"
    assert refs(block) == [("Q119591", "One"), ("Q120000", "Two")]


def test_inline_mentions_in_prose_are_not_references() -> None:
    prose = "For more information, query on the following word in the Microsoft\nKnowledge Base: Q191914 explains it, see also Q119591."
    assert refs(prose, "   S E R V P A C K") == []


def test_a_prose_line_that_starts_with_an_article_number_is_not_a_reference() -> None:
    prose = "see Microsoft Knowledge Base Article\nQ179548: XADM: How to Update Client Install Share with 5.0 SP1."
    assert refs(prose) == []


# -- downloads ------------------------------------------------------------------------------------


def downloads(*blocks: str) -> list[tuple[str | None, str, str | None]]:
    """Return (arch, file, url) of the downloads of an article whose RESOLUTION holds blocks."""
    got = check(article(body_of("RESOLUTION\n==========", *blocks)))
    return [(d.arch, d.file, d.url) for d in got.downloads]


def test_downloads_with_an_architecture_and_a_url_in_parentheses() -> None:
    block = (
        "   x86: DownloadDownload Q248838engi.exe now\n"
        "   (http://download.microsoft.com/download/exch55/Patch/5.5/NT4/EN-US/Q248838engi.exe)\n"
        "   Alpha: DownloadDownload Q248838enga.exe now\n"
        "   (ftp://ftp.microsoft.com/bussys/exchange/Q248838enga.exe)"
    )
    assert downloads(block) == [
        ("x86", "Q248838engi.exe", "http://download.microsoft.com/download/exch55/Patch/5.5/NT4/EN-US/Q248838engi.exe"),
        ("Alpha", "Q248838enga.exe", "ftp://ftp.microsoft.com/bussys/exchange/Q248838enga.exe"),
    ]


def test_a_download_without_url_or_architecture_is_read() -> None:
    assert downloads("   DownloadDownload Sp2_400i.exe now", "Text.") == [(None, "Sp2_400i.exe", None)]


def test_a_download_with_an_https_url_without_parentheses() -> None:
    block = "   DownloadDownload Setup.exe now\n   https://download.microsoft.com/Setup.exe"
    assert downloads(block) == [(None, "Setup.exe", "https://download.microsoft.com/Setup.exe")]


def test_a_package_download_and_a_filename_download_name_the_file() -> None:
    block = (
        "   English: DownloadDownload the Q312273 package now\n"
        "   (http://www.microsoft.com/downloads/release.asp?ReleaseID=38967)\n"
        "   DownloadDownload Filename Sp2_40wi.exe now\n"
        "   (http://download.microsoft.com/Sp2_40wi.exe)"
    )
    assert downloads(block) == [
        ("English", "Q312273", "http://www.microsoft.com/downloads/release.asp?ReleaseID=38967"),
        (None, "Sp2_40wi.exe", "http://download.microsoft.com/Sp2_40wi.exe"),
    ]


def test_a_language_on_the_line_before_a_download_is_its_label() -> None:
    block = "   French:\n   DownloadDownload Q304062frni386.exe now\n\n   German:\n   DownloadDownload Q304062geri386.exe now"
    assert downloads(block) == [("French", "Q304062frni386.exe", None), ("German", "Q304062geri386.exe", None)]


# -- §2.7: Additional query words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("Additional query words:", ""),
        ("Additional query words: XFOR IMS NDR", "XFOR IMS NDR"),
        ("Additional query words: trailing ", "trailing "),
        ("Additional query words:nospace", "nospace"),
        ("Additional query words: " + "word " * 120 + "end", "word " * 120 + "end"),
    ],
)
def test_every_additional_query_words_value_is_read(line: str, value: str) -> None:
    got = check(article(aqw=line))
    assert got.query_words == value


@pytest.mark.parametrize("blanks", [0, 1, 2])
def test_additional_query_words_followed_by_zero_to_two_empty_lines(blanks: int) -> None:
    got = check(article(aqw="Additional query words: x", aqw_blanks=blanks))
    assert (got.query_words, got.layout.aqw_blanks_after) == ("x", blanks)


def test_no_additional_query_words_and_the_body_runs_into_the_footer_rule() -> None:
    got = check(article(aqw=None))
    assert got.query_words is None
    assert got.sections[-1].blocks[-1].text == "A synthetic article."
    assert got.footer is not None


def test_an_extra_query_words_line_inside_the_body_is_body_text() -> None:
    body = body_of("SUMMARY\n=======", "Text.", "Additional query words: inner", "KBCategory: kbusage\nKBSubcategory: odbc")
    got = check(article(body, aqw="Additional query words: outer"))
    assert got.query_words == "outer"
    assert any(b.text == "Additional query words: inner" for b in got.sections[0].blocks)


# -- §2.8: footer ---------------------------------------------------------------------------------


def test_every_footer_key_in_its_order_is_read() -> None:
    footer = [
        "Keywords          : kbbug kbfix kbExchange550sp4Fix ",
        "Component         : ims",
        "Technology        : kbExchangeSearch kbExchange550",
        "Version           : winnt:5.5 SP3",
        "Platform          : winnt",
        "Hardware          : ALPHA x86",
        "Issue type        : kbbug",
        "Solution Type     : kbfix kbpending kbnofix",
    ]
    got = check(article(footer=footer))
    assert [(f.key, f.value) for f in got.footer or []] == [
        ("Keywords", "kbbug kbfix kbExchange550sp4Fix "),
        ("Component", "ims"),
        ("Technology", "kbExchangeSearch kbExchange550"),
        ("Version", "winnt:5.5 SP3"),
        ("Platform", "winnt"),
        ("Hardware", "ALPHA x86"),
        ("Issue type", "kbbug"),
        ("Solution Type", "kbfix kbpending kbnofix"),
    ]
    assert [f.line for f in got.footer or []] == list(range(got.footer[0].line, got.footer[0].line + 8))  # type: ignore[index]
    assert got.layout.footer_lines is None


@pytest.mark.parametrize(
    "keywords",
    ["Keywords          : kbbug kbfix", "Keywords          :  kbbug kbfix ", "Keywords          : " + "kbchackingthereally" * 5],
)
def test_footer_keywords_written_every_census_way_round_trip(keywords: str) -> None:
    got = check(article(footer=[keywords, *FOOTER[1:]]))
    assert got.keywords == keywords.split(": ", 1)[1].split()


def test_a_footer_with_only_keywords_and_one_with_no_fields() -> None:
    assert [f.key for f in check(article(footer=["Keywords          : kbinfo "])).footer or []] == ["Keywords"]
    got = check(article(footer=[]))
    assert got.footer == [] and got.keywords == ["kbinfo", "kbnetwork"]


def test_a_footer_value_longer_than_79_characters_is_one_field() -> None:
    version = "Version           : " + "; ".join(f"winnt:{n}.0" for n in range(30))
    got = check(article(footer=[*FOOTER[:2], version, FOOTER[3]]))
    assert got.footer_value("Version") == version[20:]


def test_an_old_export_without_top_rule_and_footer_parses() -> None:
    got = check(article(top_rule=False, footer=None, document="DOCUMENT:Q99999  03-NOV-1994  [dosword]", year=1994), "Q99999.TXT")
    assert got.layout.top_rule is False and got.footer is None
    assert flat(got.applies_to) == [(0, "Microsoft Windows NT Server", ["4.0"])]
    assert got.query_words == "" and got.notice is not None


def test_a_label_value_line_at_the_end_of_a_body_without_footer_rule_is_body() -> None:
    body = body_of("SUMMARY\n=======", "Note: This is body text.")
    got = check(article(body, aqw=None, footer=None))
    assert got.footer is None
    assert got.sections[0].blocks[-1].text == "Note: This is body text."


# -- §2.9: legal trailer --------------------------------------------------------------------------


@pytest.mark.parametrize("year", [1994, 1995, 1997, 1998, 1999, 2000, 2001, 2002])
def test_the_legal_notice_of_every_year_is_recognised(year: int) -> None:
    got = check(article(document=f"DOCUMENT:Q990001  01-JUN-{year}  [winnt]", year=year))
    assert got.notice is not None and got.notice.year == year and got.layout.trailer_lines is None


def test_a_notice_with_a_changed_word_is_kept_raw_not_recognised() -> None:
    data = article().replace(b"MAY NOT APPLY.", b"MAY NOT APPLY!")
    got = check(data)
    assert got.notice is None and got.layout.trailer_lines is not None


def test_an_article_without_trailer_or_with_a_final_newline_round_trips() -> None:
    assert check(article(trailer=False)).notice is None
    check(article() + b"\r\n")


# -- §3: lines and bytes --------------------------------------------------------------------------


def test_control_bytes_ctrl_z_escape_and_del_survive_in_the_body() -> None:
    body = "SUMMARY\n=======\n\nMessage-ID: <a\x16b\x1ac\x1dd>\n   \x1b&l1O PCL escape\n   dir listing\x7f"
    got = check(article(body))
    assert "\x1a" in got.sections[0].blocks[0].text


def test_the_bytes_undefined_in_cp1252_and_windows_ansi_characters_survive() -> None:
    data = article(["SUMMARY", "=======", "", "PLACEHOLDER"])
    data = data.replace(b"PLACEHOLDER", b"\x81bermittelt \x8d\x8f\x90\x9d \xa7 \xa9 \xae 47\xb0 Z\xfcrich \xb7\xb6")
    got = check(data)
    assert got.sections[0].blocks[0].text.startswith("\x81bermittelt")


def test_big5_byte_pairs_and_a_1671_character_line_survive() -> None:
    data = article(["SUMMARY", "=======", "", "PLACEHOLDER", "", "x" * 1671])
    check(data.replace(b"PLACEHOLDER", bytes([0xA4, 0xA4, 0xA4, 0xE5, 0xB0, 0x54])))


def test_trailing_spaces_and_whitespace_only_lines_are_kept_everywhere() -> None:
    body = ["SUMMARY", "=======", "", "Text with trailing spaces.   ", "   ", "\t", "More.", "", "", "", "", "", "", "", "End."]
    check(article(body, preamble=["3.00 ", ""]))


def test_an_lf_only_article_round_trips_and_records_its_endings() -> None:
    data = article().replace(b"\r\n", b"\n")
    got = check(data)
    assert got.source.line_endings == "LF"


# -- truly broken input: located diagnostics ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"", 1, "empty file"),
        (b"Hello world\r\n", 1, "not a classic KB article"),
        (article(document="DOCUMENT:Q990001 01-JUN-2001 [winnt]"), 1, "malformed DOCUMENT line"),
        (article(document="DOCUMENT:Q990001  31-FEB-2001  [winnt]"), 1, "invalid date"),
        (article(document="DOCUMENT:Q990001  01-JUX-2001  [winnt]"), 1, "invalid date"),
        (article().replace(b"TITLE   :", b"TITLE  :"), 2, "expected a line starting with 'TITLE   :'"),
        (article().replace(b"OPER/SYS:", b"OPER-SYS:"), 5, "expected a line starting with 'OPER/SYS:'"),
        (article().split(b"\r\nKEYWORDS:")[0], 5, "the file ends before the 'KEYWORDS' line"),
        (article().replace(b"kbnetwork\r\n\r\n", b"kbnetwork\r\nextra\r\n", 1), 7, "expected an empty line after KEYWORDS"),
        (article().replace(b"A synthetic", b"A\rsynthetic"), 18, "mixed line endings"),
        (article().replace(b"A synthetic", b"A\x00synthetic"), 18, "NUL byte"),
        (b"\xff\xfe" + "DOCUMENT".encode("utf-16-le"), 1, "UTF-16"),
    ],
)
def test_truly_broken_input_is_a_located_parse_error(data: bytes, line: int, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(data, "Q990001.TXT")
    assert caught.value.line == line and message in caught.value.message
    assert str(caught.value).startswith(f"Q990001.TXT:{line}: ")


# -- the CLI: import, validate, render --format txt ------------------------------------------------

VARIANTS: dict[str, bytes] = {
    "Q990001": article(),
    "Q990002": article(items=None, top_rule=False, footer=None, document="DOCUMENT:Q990002  03-NOV-1994  [dosword]", year=1994),
    "Q990003": article(preamble=["3.00 3.10", "WINDOWS", "", "kbprg"], rule=68, after_block=2, aqw_blanks=0),
    "Q990004": article(body_of("MORE INFORMATION\n================", FULL_EVENT, "   Q191914 XFOR: A Reference\n   Continued")),
    "Q990005": article(["Text \x81\x1a\x7f\xa0 only, no heading."], aqw=None, footer=["Keywords          : "]),
    "Q990006": article(items=[]).replace(b"MAY NOT APPLY.", b"MAY NOT APPLY!"),
}


def test_the_cli_imports_validates_and_renders_every_variant_back_byte_for_byte(tmp_path: Path) -> None:
    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    for name, data in VARIANTS.items():
        (source / f"{name}.TXT").write_bytes(data.replace(b"Q990001", name.encode()) if name != "Q990001" else data)
    (source / "Q990099.TXT").write_bytes(article(document="DOCUMENT:Q990099  30-FEB-2001  [winnt]"))
    runner = CliRunner()

    imported = runner.invoke(cli, ["import", str(source), "--out", str(out)])
    assert imported.exit_code == 1
    problems = [line for line in imported.stderr.splitlines() if line.startswith(str(source))]
    assert problems == [f"{source / 'Q990099.TXT'}:1: invalid date '30-FEB-2001', expected a real DD-MON-YYYY date"]
    assert sorted(p.stem for p in out.iterdir()) == sorted(VARIANTS)

    validated = runner.invoke(cli, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output + validated.stderr

    for name in VARIANTS:
        rendered = runner.invoke(cli, ["render", str(out / f"{name}.yaml"), "--format", "txt"])
        assert rendered.exit_code == 0, rendered.stderr
        assert rendered.stdout_bytes == (source / f"{name}.TXT").read_bytes(), name
