"""Parsing classic KB files: header, applies-to, sections, tail parts, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.exceptions import ParseError
from kb.text import parse, write


def _parse(folder: Path, name: str):
    return parse((folder / name).read_bytes(), str(folder / name))


def test_q254893_header_fields_are_read(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    assert (article.id, article.date, article.category) == ("Q254893", dt.date(2001, 6, 1), "exchange")
    assert article.title_prefix == "XFOR"
    assert article.title == "Internet Mail Service Does Not Generate the NDR"
    assert (article.product, article.prod_ver, article.oper_sys) == ("Microsoft Exchange", "winnt:5.5 SP3", "")
    assert article.keywords == ["exc55sp3", "kbExchange550preSP4fix", "kbExchange550sp4Fix", "kbgraphxlinkcritical"]


def test_q254893_sections_and_annotations_are_located(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    assert [(s.heading, s.line) for s in article.sections] == [("SYMPTOMS", 16), ("RESOLUTION", 39), ("STATUS", 66)]
    assert [(r.id, r.line) for r in article.references] == [("Q191914", 46), ("Q119591", 60)]
    entry = article.event_log[0]
    assert (entry.line, entry.type, entry.source, entry.event_id, entry.computer) == (
        26, "Error", "MSExchangeIMC", 4120, "BACON610"
    )
    assert [(d.arch, d.file) for d in article.downloads] == [("x86", "Q248838engi.exe"), ("Alpha", "Q248838enga.exe")]
    assert article.query_words == ""
    assert [f.key for f in article.footer] == ["Keywords", "Technology", "Version", "Issue type", "Solution Type"]
    assert (article.notice.kind, article.notice.year) == ("ms-kb-legal", 2001)
    assert article.section("status").blocks[0].text.startswith("Microsoft has confirmed")


def test_q254893_applies_to_item_has_product_and_version(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    (item,) = article.applies_to
    assert (item.line, item.product, item.versions, item.trailing_space) == (12, "Microsoft Exchange Server", ["5.5 SP3"], True)


def test_q254893_source_records_encoding_endings_and_checksum(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    assert (article.source.file, article.source.encoding, article.source.line_endings) == ("Q254893.TXT", "cp1252", "CRLF")
    assert len(article.source.sha256) == 64


@pytest.mark.parametrize(
    "name",
    ["Q900101.TXT", "Q900102.TXT", "Q900103.TXT", "Q900104.TXT", "Q900105.TXT", "Q900106.TXT", "Q900107.TXT", "Q900108.TXT"],
)
def test_every_synthetic_variant_writes_back_byte_for_byte(text_fixtures: Path, name: str) -> None:
    data = (text_fixtures / name).read_bytes()
    assert write(parse(data, name)) == data


def test_an_article_without_headings_or_applies_to_has_one_untitled_section(text_fixtures: Path) -> None:
    article = _parse(text_fixtures, "Q900101.TXT")
    assert article.applies_to is None
    assert [s.heading for s in article.sections] == [None]
    assert [b.kind for b in article.sections[0].blocks] == ["paragraph", "literal"]
    assert article.query_words is None


def test_a_legacy_preamble_is_kept_and_nested_applies_to_items_become_children(text_fixtures: Path) -> None:
    article = _parse(text_fixtures, "Q900102.TXT")
    assert article.layout.preamble == ["3.10 4.00 | 3.50 3.51", "WINDOWS   | WINDOWS NT", "", "kbprg kbref"]
    parent = article.applies_to[1]
    assert parent.text.endswith("on platform(s):")
    assert [c.product for c in parent.children] == ["Microsoft Windows NT Workstation", "Microsoft Windows NT Server"]
    assert parent.children[1].trailing_space is False
    assert article.applies_to[2].versions == ["5.0", "5.5"]
    assert article.query_words == "preamble test"


def test_a_dash_underlined_line_is_a_subheading_block(text_fixtures: Path) -> None:
    article = _parse(text_fixtures, "Q900102.TXT")
    kinds = [(b.kind, b.text.split("\n")[0]) for b in article.section("MORE INFORMATION").blocks]
    assert kinds == [("subheading", "Steps to Reproduce Behavior"), ("list", "1. Do this.")]


def test_a_70_equals_rule_inside_the_body_is_not_taken_for_the_footer(text_fixtures: Path) -> None:
    article = _parse(text_fixtures, "Q900103.TXT")
    assert [s.heading for s in article.sections] == ["SYMPTOMS", "STATUS"]
    assert article.sections[0].blocks[0].text.startswith("=" * 70)
    assert article.sections[0].blank_before == 2
    assert article.layout.aqw_blanks_after == 0
    assert article.footer[0].value == "kbtest kbbug "


def test_an_unknown_trailer_is_kept_as_raw_lines(text_fixtures: Path) -> None:
    article = _parse(text_fixtures, "Q900104.TXT")
    assert article.notice is None
    assert "THIS IS NOT THE USUAL NOTICE." in article.layout.trailer_lines
    assert article.layout.aqw_blanks_after == 2


def test_non_ascii_and_control_bytes_survive(text_fixtures: Path) -> None:
    article = _parse(text_fixtures, "Q900105.TXT")
    text = article.sections[0].blocks[0].text
    assert "\u201cKey Not Found\u201d" in text and "\x81bermittelt" in text
    assert "Table\tWith\tTabs\t" in text and "\xa0\xa0\xa0" in text and "\x1a" in text and "\x7f" in text
    assert article.title == "Bytes \u2019 and Others"


def test_an_lf_file_without_top_rule_footer_or_trailer_parses(text_fixtures: Path) -> None:
    article = _parse(text_fixtures, "Q900107.TXT")
    assert article.source.line_endings == "LF"
    assert (article.layout.top_rule, article.footer, article.notice) == (False, None, None)
    assert [s.heading for s in article.sections] == [None, "SUMMARY"]


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("empty.TXT", 1, "empty file"),
        ("binary.TXT", 1, "NUL byte"),
        ("truncated.TXT", 3, "truncated header"),
        ("notkb.TXT", 1, "not a classic KB article: line 1 is 'Dear diary,'"),
        ("utf16.TXT", 1, "unknown encoding: UTF-16"),
        ("baddate.TXT", 1, "invalid date '31-FEB-2001'"),
        ("mixed.TXT", 8, "mixed line endings"),
    ],
)
def test_bad_input_raises_a_located_parse_error(text_fixtures: Path, name: str, line: int, message: str) -> None:
    path = text_fixtures / "bad" / name
    with pytest.raises(ParseError) as caught:
        parse(path.read_bytes(), str(path))
    assert caught.value.line == line
    assert message in caught.value.message
    assert caught.value.format().startswith(f"{path}:{line}: ")


def test_binary_bytes_without_nul_are_rejected_as_binary() -> None:
    data = bytes(b for b in range(1, 32) if b not in (9, 10, 13)) * 40
    with pytest.raises(ParseError, match="binary file"):
        parse(data, "x.TXT")


PIECES = [
    "", "=" * 70, "=" * 77, "-" * 79, "The information in this article applies to:", " - Item ", "Additional query words: x",
    "Keywords          : kb ", "SUMMARY", "=======", "   Q123456 Title", "   Event ID: 5", "\t", " ", "\x81\x1a\x7f",
    "Copyright Microsoft Corporation 2001.", "ARTICLE-ID: Q123456", "   x86: DownloadDownload a.exe now", "---",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_mangled_article_either_round_trips_or_is_refused(q254893_txt: Path, data: st.DataObject) -> None:
    lines = q254893_txt.read_bytes().decode("cp1252").split("\r\n")
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        piece = data.draw(st.sampled_from(PIECES))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "insert":
            lines.insert(index, piece)
        else:
            lines[index] = piece
    raw = "\r\n".join(lines).encode("latin-1")
    try:
        article = parse(raw, "mangled.TXT")
    except ParseError:
        return
    assert write(article) == raw


def test_an_irregular_applies_to_block_keeps_its_raw_lines_and_still_lists_items(text_fixtures: Path) -> None:
    article = _parse(text_fixtures, "Q900108.TXT")
    assert article.layout.applies_to_rule == 68
    assert "as they apply to:" in article.layout.applies_to_lines
    assert [i.product for i in article.applies_to] == ["Microsoft Windows NT Server", "Microsoft Exchange Server"]
    assert article.footer == [] and article.keywords == [] and article.oper_sys == "WINDOWS"


@pytest.mark.parametrize(
    ("text", "product", "versions"),
    [
        ("Microsoft Exchange Server, versions 5.0, 5.5", "Microsoft Exchange Server", ["5.0", "5.5"]),
        ("Microsoft Windows NT Workstation versions 3.5, 3.51 and 4.0", "Microsoft Windows NT Workstation", ["3.5", "3.51", "4.0"]),
        ("Microsoft Exchange Server, version 5.5 Service Packs 1, 2", "Microsoft Exchange Server",
         ["5.5 Service Pack 1", "5.5 Service Pack 2"]),
        ("Microsoft Internet Explorer versions 3.01, 3.02 for Windows 95", "Microsoft Internet Explorer for Windows 95",
         ["3.01", "3.02"]),
        ("Microsoft Outlook 97, version 8.03, on platform(s):", "Microsoft Outlook 97", ["8.03"]),
        ("the operating system: Microsoft Windows NT", "Microsoft Windows NT", []),
        ("The Microsoft Foundation Classes (MFC), used with:", "The Microsoft Foundation Classes (MFC)", []),
    ],
)  # fmt: skip
def test_applies_to_wordings_split_into_product_and_versions(text: str, product: str, versions: list[str]) -> None:
    from kb.text.parts import read_applies_to

    (item,) = read_applies_to([f" - {text} "], 12)
    assert (item.product, item.versions, item.text) == (product, versions, text)
