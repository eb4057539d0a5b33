"""Inline escaping: article text shows literally once Markdown is rendered."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.render.html import markdown_to_html
from kb.render.inline import escape, inline, paragraph, reflow, table_cell


def shown(source: str) -> str:
    """Return the visible text of rendered Markdown (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markdown_to_html(source))).strip()


def test_placeholders_in_angle_brackets_show_literally() -> None:
    assert shown(paragraph("Send to <local_domain.ext> now")) == "Send to <local_domain.ext> now"


def test_the_ole_attachment_marker_shows_literally_and_needs_no_escape() -> None:
    source = paragraph("OLE Attachment Replaced with <<.>>")
    assert source == "OLE Attachment Replaced with <<.>>"
    assert shown(source) == "OLE Attachment Replaced with <<.>>"


def test_wildcards_and_underscores_inside_words_stay_unescaped() -> None:
    assert escape("EDB*.LOG in local_domain") == "EDB*.LOG in local_domain"


def test_asterisks_and_underscores_that_could_open_emphasis_are_escaped() -> None:
    source = paragraph("*bold* and _under_ and **strong**")
    assert "<em>" not in markdown_to_html(source) and "<strong>" not in markdown_to_html(source)
    assert shown(source) == "*bold* and _under_ and **strong**"


def test_a_raw_script_tag_in_article_text_never_becomes_markup() -> None:
    rendered = markdown_to_html(paragraph("<script>alert(1)</script> <b>x</b>"))
    assert "<script" not in rendered and "<b>" not in rendered
    assert "&lt;script&gt;" in rendered


def test_a_markdown_link_written_in_article_text_is_not_a_link() -> None:
    rendered = markdown_to_html(paragraph("[click](javascript:alert(1)) ![img](x.png)"))
    assert "<a" not in rendered and "<img" not in rendered


def test_windows_paths_keep_their_backslashes() -> None:
    source = paragraph(r"Copy \\server\share\ to C:\EXCHSRVR\MDBDATA\ now")
    assert shown(source) == r"Copy \\server\share\ to C:\EXCHSRVR\MDBDATA\ now"


def test_a_paragraph_that_starts_like_a_list_or_heading_stays_a_paragraph() -> None:
    for text in ("1. Not a step", "# not a heading", "- not a bullet", "> not a quote", "***"):
        rendered = markdown_to_html(paragraph(text))
        assert rendered.startswith("<p>"), (text, rendered)
        assert shown(paragraph(text)) == text


def test_html_entities_in_article_text_are_not_decoded() -> None:
    assert shown(paragraph("Use &amp; or &#169; literally")) == "Use &amp; or &#169; literally"


def test_article_numbers_become_links_through_the_link_function() -> None:
    assert inline("See Q191914 for details.", lambda qid: f"../{qid}/") == "See [Q191914](../{}/) for details.".format("Q191914")


def test_article_numbers_stay_plain_text_when_the_link_function_declines() -> None:
    assert inline("See Q191914.", lambda qid: None) == "See Q191914."


def test_article_numbers_inside_urls_and_words_are_not_linked() -> None:
    text = "http://support.microsoft.com/?id=Q191914 and XQ123456"
    assert "](" not in inline(text)


def test_a_bare_url_becomes_an_autolink_without_its_trailing_full_stop() -> None:
    source = inline("Visit http://www.microsoft.com/exchange/.")
    assert source == "Visit <http://www.microsoft.com/exchange/>."


def test_pipes_in_a_table_cell_are_escaped() -> None:
    rendered = markdown_to_html("| a | b |\n| --- | --- |\n| x | " + table_cell("one | two") + " |")
    assert "one | two" in rendered and rendered.count("<td>") == 2


def test_reflow_joins_hard_wrapped_lines_into_one() -> None:
    assert reflow("one\n   two  \nthree") == "one two three"


TEXT = st.text(
    alphabet=st.sampled_from(list("ab Q1234567890<>&*_`[]()\\#-+.!|~=:;/'\"éx\t")),
    min_size=1,
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_any_text_renders_back_to_itself(text: str) -> None:
    expected = re.sub(r"\s+", " ", reflow(text)).strip()
    got = re.sub(r"\s+", " ", shown(paragraph(text, link=None))).strip()
    assert got == expected
