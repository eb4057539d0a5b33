"""Body segmentation and the block recognisers."""

from __future__ import annotations

import pytest

from kb.text.blocks import classify, is_heading, split_body


@pytest.mark.parametrize(
    ("lines", "kind"),
    [
        (["Plain prose that wraps", "onto a second line."], "paragraph"),
        (["   C:\\EXCHSRVR\\BIN", "   net stop msexchangeimc"], "literal"),
        (["1. Click Start.", "2. Click Run."], "list"),
        (["- first", "- second"], "list"),
        (["   Event ID: 4120", "   Source: MSExchangeIMC"], "event_log"),
        (["   Q191914 XGEN: How to Obtain the Latest Exchange Server 5.5 Service Pack"], "references"),
        (["   ARTICLE-ID: Q123456", "   TITLE     : Old style"], "references"),
        (["   x86: DownloadDownload Q248838engi.exe now", "   (http://example.invalid/x)"], "downloads"),
        (["+-----+-----+", "| a   | b   |", "+-----+-----+"], "table"),
        (["=" * 70], "rule"),
        (["Sample Code", "-----------"], "subheading"),
    ],
)
def test_a_block_is_classified_by_the_first_recogniser_that_accepts_it(lines: list[str], kind: str) -> None:
    assert classify(lines) == kind


def test_a_heading_needs_an_underline_of_exactly_its_length() -> None:
    assert is_heading(["STATUS", "======"], 0)
    assert not is_heading(["STATUS", "======="], 0)
    assert not is_heading(["  STATUS", "========"], 0)
    assert not is_heading(["=" * 70, "=" * 70], 0)


def test_blocks_record_the_empty_lines_before_them_and_the_tail() -> None:
    lines = ["", "", "SUMMARY", "=======", "", "One.", "", "", "Two.", "Two b.", ""]
    sections, tail = split_body(lines, 10)
    (section,) = sections
    assert (section.heading, section.line, section.blank_before) == ("SUMMARY", 12, 2)
    assert [(b.line, b.blank_before, b.text) for b in section.blocks] == [(15, 1, "One."), (18, 2, "Two.\nTwo b.")]
    assert tail == 1


def test_text_directly_under_a_heading_is_a_block_with_no_empty_line_before_it() -> None:
    sections, _ = split_body(["CAUSE", "=====", "No gap here."], 1)
    assert [(b.blank_before, b.text) for b in sections[0].blocks] == [(0, "No gap here.")]


def test_a_heading_inside_a_run_of_text_is_not_a_heading() -> None:
    sections, _ = split_body(["Some text", "CAUSE", "====="], 1)
    assert [s.heading for s in sections] == [None]


def test_a_whitespace_only_line_belongs_to_its_block() -> None:
    sections, _ = split_body(["a", "   ", "b"], 1)
    assert [b.text for b in sections[0].blocks] == ["a\n   \nb"]
