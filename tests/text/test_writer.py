"""The writer regenerates parts from the structured fields, so edits show in the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.exceptions import RecordError
from kb.text import parse, write


def test_a_renamed_heading_gets_an_underline_of_its_new_length(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    article.sections[0].heading = "SYMPTOM"
    assert b"\r\nSYMPTOM\r\n=======\r\n" in write(article)


def test_the_legal_notice_is_regenerated_with_the_recorded_year(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    article.notice.year = 2002
    assert write(article).endswith(b"\r\n\r\nCopyright Microsoft Corporation 2002.")


def test_footer_labels_are_padded_to_18_columns(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    article.footer[3].value = "kbprb"
    assert b"\r\nIssue type        : kbprb\r\n" in write(article)


def test_a_character_cp1252_cannot_hold_is_a_located_record_error(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    article.sections[2].blocks[0].text = "fixed in \u0151"
    with pytest.raises(RecordError, match="U\\+0151"):
        write(article)
