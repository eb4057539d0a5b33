"""Article prose renders exactly as markdown-it with paragraphs and lists would render it.

kb/site/body.py renders plain paragraphs itself (markdown-it costs ten times as much on them)
and hands anything that may hold a list to markdown-it; either way the HTML must be the one the
configured parser gives.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from kb.site.body import prose_html

#: The parser the site documents for classic prose: paragraphs and lists, nothing else.
REFERENCE = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(["list"])

#: Characters that reach every branch: blank-line whitespace, list markers, HTML specials,
#: whitespace markdown-it does not call blank, and the two characters it normalises.
ALPHABET = st.sampled_from([" ", " ", "\t", "\n", "\n", "a", "b", "1", "0", ".", ")", "-", "*", "+",
                            "&", "<", ">", '"', "'", "\u00a0", "\x0b", "\u2028", "\r", "\0", "#", "`"])


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_prose_renders_as_the_configured_markdown_it_renders_it(text: str) -> None:
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
