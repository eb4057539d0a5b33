"""Annotations read from blocks: event-log entries, references, downloads."""

from __future__ import annotations

import pytest

from kb.model import Block
from kb.text.extract import downloads, event_log, references


def _block(kind: str, *lines: str, line: int = 10) -> Block:
    return Block(kind=kind, line=line, text="\n".join(lines))


def test_the_full_event_viewer_layout_becomes_one_entry() -> None:
    block = _block(
        "event_log",
        "   Event Type: Error", "   Event Source: MSExchangeIMC", "   Event Category: Internal Processing",
        "   Event ID: 4120", "   Date: 1/11/2000", "   Time: 3:17:57 PM", "   User: N/A", "   Computer: BACON610",
        "   Description:", "   In the process of creating a notification", "   of delivery failure.",
    )  # fmt: skip
    (entry,) = event_log([block])
    assert (entry.line, entry.type, entry.source, entry.category, entry.event_id) == (
        10, "Error", "MSExchangeIMC", "Internal Processing", 4120
    )
    assert (entry.date, entry.time, entry.user, entry.computer) == ("1/11/2000", "3:17:57 PM", "N/A", "BACON610")
    assert entry.description == "In the process of creating a notification of delivery failure."


@pytest.mark.parametrize(
    "line",
    ["Event ID: 1025", "Event ID 1025", "Event ID=1025", "Event ID:1025", "Event ID   : 1025", "EventID: 1025",
     "Event Id: 1025", "Event ID : 1025", "Event ID:\t1025", "Event id: 1025", "EVENT ID: 1025", "Event ID#: 1025",
     "Event ID - 1025"],
)  # fmt: skip
def test_every_event_id_spelling_gives_the_number(line: str) -> None:
    (entry,) = event_log([_block("event_log", "   " + line)])
    assert entry.event_id == 1025


def test_event_id_and_source_on_one_line_fill_both() -> None:
    (entry,) = event_log([_block("event_log", "Event ID: 9548 Source: MSExchangeDSAccess")])
    assert (entry.event_id, entry.source) == (9548, "MSExchangeDSAccess")


def test_two_event_ids_in_one_block_are_two_entries() -> None:
    entries = list(event_log([_block("event_log", "Event ID: 1", "Source: A", "Event ID: 2", "Source: B")]))
    assert [(e.line, e.event_id, e.source) for e in entries] == [(10, 1, "A"), (12, 2, "B")]


def test_a_reference_title_continues_on_the_next_indented_line() -> None:
    block = _block("references", "   Q191914 XGEN: How to Obtain the Latest", "   Service Pack", "   Q119591 Second")
    assert [(r.id, r.title, r.line) for r in references([block])] == [
        ("Q191914", "XGEN: How to Obtain the Latest Service Pack", 10),
        ("Q119591", "Second", 12),
    ]


def test_an_article_id_reference_takes_its_title_line() -> None:
    block = _block("references", "ARTICLE-ID: Q123456", "TITLE    : Old Style Title")
    assert [(r.id, r.title, r.line) for r in references([block])] == [("Q123456", "Old Style Title", 10)]


def test_references_are_only_read_from_reference_blocks() -> None:
    assert list(references([_block("literal", "   Q191914 Title")])) == []


def test_a_download_line_takes_the_url_from_the_next_line() -> None:
    block = _block("downloads", "   x86: DownloadDownload Q1engi.exe now", "   (http://example.invalid/r?ID=1)",
                   "   Alpha: DownloadDownload Q1enga.exe now")  # fmt: skip
    assert [(d.line, d.arch, d.file, d.url) for d in downloads([block])] == [
        (10, "x86", "Q1engi.exe", "http://example.invalid/r?ID=1"),
        (12, "Alpha", "Q1enga.exe", None),
    ]


def test_a_mention_of_event_id_without_a_value_is_not_an_entry() -> None:
    assert list(event_log([_block("event_log", "Event ID Description", "-------- -----------")])) == []
