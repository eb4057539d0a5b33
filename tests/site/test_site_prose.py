"""Article prose renders exactly as markdown-it with paragraphs and lists would render it.

kb/site/prose.py renders paragraphs and flat lists with its own line machine (markdown-it costs
ten times as much on them) and hands any other shape to markdown-it; either way the HTML must
be the one the configured parser gives.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from kb.site import prose
from kb.site.prose import prose_html

#: The parser the site documents for classic prose: paragraphs and lists, nothing else.
REFERENCE = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(["list"])

#: Characters that reach every branch: blank-line whitespace, list markers, HTML specials,
#: whitespace markdown-it does not call blank, and the two characters it normalises.
ALPHABET = st.sampled_from([" ", " ", "\t", "\n", "\n", "a", "b", "1", "0", ".", ")", "-", "*", "+",
                            "&", "<", ">", '"', "'", "\u00a0", "\x0b", "\x1c", "\u2028", "\r", "\0", "#", "`"])

#: Whole lines of the shapes KB prose has, and the edges of the list rule around them: items
#: of each marker kind and width, continuation lines indented less, as much and more than an
#: item's content, empty and wide items, nested and indented markers, look-alikes.
LINES = st.sampled_from([
    "", "", "  ", "text", "more text", "  lazy", "   three", "    four", "      six", "a & <b>",
    "- dash", "* star", "+ plus", "1. one", "2. two", "1) paren", "3) three", "10. ten", "01. zero one",
    "0. zero", "123456789. nine", "-  two spaces", "-    four", "-     five", "-", "1.", "- ",
    "- - nested", "1. - nested", " - one in", "   1. three in", "    - four in", "1.5 GB", "-dash",
    "\u00a0- nbsp", "-\u00a0nbsp", "1.\u00a0x", "x\u00a0", "\u2028", "# hash", "- a\u2028",
])


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_prose_renders_as_the_configured_markdown_it_renders_it(text: str) -> None:
    assert prose_html(text) == REFERENCE.render(text)


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINES, max_size=14))
def test_any_arrangement_of_list_and_paragraph_lines_renders_as_markdown_it_renders_it(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert prose_html(text) == REFERENCE.render(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(["a", "b", " ", "&", "<", "'", '"', "\t", "\u00a0"]),
                        max_size=30), max_size=8))
def test_plain_paragraph_lines_render_as_the_configured_markdown_it_renders_them(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert prose_html(text) == REFERENCE.render(text)


def test_wrapped_paragraphs_keep_their_line_breaks_and_are_escaped() -> None:
    text = "  If you send mail to <joe@example.com> & wait,\n   the IMS logs \"4120\".\n\n \t \nSecond 'one'."
    assert prose_html(text) == ("<p>If you send mail to &lt;joe@example.com&gt; &amp; wait,\n"
                                "   the IMS logs &quot;4120&quot;.</p>\n<p>Second 'one'.</p>\n")


def test_numbered_steps_still_become_a_list() -> None:
    assert prose_html("To fix it:\n\n1. Click Start.\n2. Click Run.") == REFERENCE.render(
        "To fix it:\n\n1. Click Start.\n2. Click Run.")
    assert "<ol>" in prose_html("1. Click Start.\n2. Click Run.")


@pytest.mark.parametrize("text", [
    "To fix it:\n\n1. Click Start, point to\n   Programs.\n2. Click Run.",
    "The following files are modified:\n\n- Edbbcli.dll 5.5.2651.44\n- Ese.dll 5.5.2651.81\n\nDone.",
    "3. Save the Hosts file.",
    "1. Cut and paste\n   the file.\n\n2. Install it.\n\n   Then close all dialog boxes.\n\nYou should now see it.",
])
def test_the_lists_kb_articles_have_render_without_markdown_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = REFERENCE.render(text)

    def refuse() -> MarkdownIt:
        raise AssertionError("markdown-it was asked to render a plain list")

    monkeypatch.setattr(prose, "_markdown", refuse)
    assert prose_html(text) == expected
