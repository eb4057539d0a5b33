"""Sentence splitting of STATUS text: wrapped lines, abbreviations, glued sentences, source lines."""

from __future__ import annotations

from kb.model import Block, Section
from kb.status.sentences import split_section, split_text


def test_a_sentence_wrapped_across_lines_is_joined_and_keeps_its_first_line() -> None:
    sentences = split_text("This problem was first corrected in Exchange Server\n5.5 Service\nPack 4.", 70)
    assert [(s.text, s.line) for s in sentences] == [
        ("This problem was first corrected in Exchange Server 5.5 Service Pack 4.", 70)
    ]


def test_us_abbreviation_does_not_end_a_sentence() -> None:
    text = "This problem was corrected in Microsoft Exchange Server 4.0 U.S.\nService Pack 2. For information on it."
    sentences = split_text(text, 10)
    assert [s.text for s in sentences] == [
        "This problem was corrected in Microsoft Exchange Server 4.0 U.S. Service Pack 2.",
        "For information on it.",
    ]
    assert [s.line for s in sentences] == [10, 11]


def test_a_version_number_at_a_line_end_ends_the_sentence_before_a_capital() -> None:
    sentences = split_text("a problem in Exchange Server version 5.5. This problem was first corrected in SP4.")
    assert len(sentences) == 2 and sentences[0].text.endswith("version 5.5.")


def test_sentences_glued_without_a_space_are_separated() -> None:
    sentences = split_text("a problem in Exchange Server versions 5.5.This\nproblem was first corrected in SP2.", 5)
    assert [(s.text, s.line) for s in sentences] == [
        ("a problem in Exchange Server versions 5.5.", 5),
        ("This problem was first corrected in SP2.", 5),
    ]


def test_a_sentence_never_crosses_an_empty_line_between_blocks() -> None:
    section = Section("STATUS", 66, [Block("paragraph", 69, "Label without stop:"), Block("paragraph", 71, "Next one.")])
    assert [(s.text, s.line) for s in split_section(section)] == [("Label without stop:", 69), ("Next one.", 71)]


def test_only_the_requested_block_kinds_are_split() -> None:
    section = Section("RESOLUTION", 1, [Block("literal", 3, "   Admin.exe 5.5.2653.23"), Block("paragraph", 5, "Text.")])
    assert [s.text for s in split_section(section, ("paragraph",))] == ["Text."]
