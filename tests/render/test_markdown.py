"""Markdown rendering: idiomatic structure per block kind, escaping, and the Q254893 golden file."""

from __future__ import annotations

from pathlib import Path

from kb.model import Article, Download, EventLogEntry, Reference
from kb.render.html import markdown_to_html
from kb.render.markdown import render_markdown

from render_helpers import GOLDEN, make_article, section


def body(rendered: str) -> str:
    """Return the HTML of the sections: after the metadata list, before the keywords."""
    return rendered[rendered.index("<h2>") : rendered.rindex("<hr>")]


def test_q254893_renders_exactly_as_the_reviewed_golden_markdown(q254893: Article) -> None:
    expected = (GOLDEN / "Q254893.md").read_text(encoding="utf-8")
    assert render_markdown(q254893) == expected


def test_the_title_carries_the_article_number_and_the_prefixed_title() -> None:
    first = render_markdown(make_article()).splitlines()[0]
    assert first == "# Q100001: XGEN: Synthetic Article"


def test_standard_headings_are_title_cased_and_others_kept_as_written() -> None:
    text = render_markdown(make_article(section("MORE INFORMATION", ("paragraph", "x")), section("IMS Tuning", ("paragraph", "y"))))
    assert "## More Information" in text and "## IMS Tuning" in text


def test_hard_wrapped_paragraph_lines_are_joined_into_one() -> None:
    text = render_markdown(make_article(section("SUMMARY", ("paragraph", "one two\nthree four\nfive"))))
    assert "\none two three four five\n" in text


def test_a_literal_block_becomes_a_dedented_fenced_code_block() -> None:
    text = render_markdown(make_article(section("CAUSE", ("literal", "   eseutil /mh <db> | more\n      indented"))))
    assert "```\neseutil /mh <db> | more\n   indented\n```" in text


def test_a_code_fence_is_longer_than_any_backtick_run_inside_it() -> None:
    text = render_markdown(make_article(section("CAUSE", ("literal", "   a ``` b"))))
    assert "````\na ``` b\n````" in text


def test_numbered_steps_split_by_empty_lines_form_one_list_with_nested_notes() -> None:
    article = make_article(
        section(
            "RESOLUTION",
            ("list", "1. Start the program."),
            ("list", "2. Go to the server object and\n   expand it."),
            ("literal", "   NOTE: If you do not see it,\n   add it."),
            ("list", "3. Click OK."),
        )
    )
    text = render_markdown(article)
    assert "1. Start the program.\n\n2. Go to the server object and expand it.\n\n   NOTE: If you do not see it, add it.\n\n3. Click OK." in text
    rendered = body(markdown_to_html(text))
    assert rendered.count("<ol>") == 1 and rendered.count("<li>") == 3


def test_a_sample_indented_deeper_than_a_step_becomes_code_inside_the_step() -> None:
    article = make_article(section("RESOLUTION", ("list", "1. Type:\n\n      net stop msexchangeimc\n\n2. Done.")))
    rendered = markdown_to_html(render_markdown(article))
    assert "<li>\n<p>Type:</p>\n<pre><code>net stop msexchangeimc\n</code></pre>" in rendered


def test_dash_bullets_become_a_bulleted_list_with_a_nested_numbered_list() -> None:
    article = make_article(section("MORE INFORMATION", ("list", " - First.\n - Second, with steps:\n\n   1. One.\n   2. Two.")))
    rendered = body(markdown_to_html(render_markdown(article)))
    assert rendered.count("<ul>") == 1 and rendered.count("<ol>") == 1
    assert "<li>One.</li>\n<li>Two.</li>" in rendered  # written on consecutive lines: a tight list


def test_each_event_log_entry_becomes_a_field_value_table() -> None:
    entries = [
        EventLogEntry(line=20, type="Error", source="MSExchangeIMC", event_id=4120, description="An | error."),
        EventLogEntry(line=26, type="Warning", source="MSExchangeMTA", event_id=9297),
    ]
    article = make_article(section("SYMPTOMS", ("event_log", "\n".join(["   Event Type: x"] * 10))), event_log=entries)
    text = render_markdown(article)
    assert text.count("| Field | Value |") == 2
    assert "| Event ID | 4120 |" in text and "| Description | An \\| error. |" in text
    assert "| Event Category |" not in text  # absent fields are left out
    assert markdown_to_html(text).count("<table>") == 2


def test_article_references_become_links_with_their_titles() -> None:
    article = make_article(
        section("REFERENCES", ("references", "   Q191914 XGEN: How to Obtain the Latest\n   Service Pack")),
        references=[Reference(id="Q191914", title="XGEN: How to Obtain the Latest Service Pack", line=20)],
    )
    text = render_markdown(article)
    assert "- [Q191914](Q191914.md) XGEN: How to Obtain the Latest Service Pack" in text


def test_the_link_target_is_configurable_for_the_site() -> None:
    article = make_article(
        section("REFERENCES", ("references", "   Q191914 Title")),
        references=[Reference(id="Q191914", title="Title", line=20)],
    )
    assert "[Q191914](../Q191914/)" in render_markdown(article, link=lambda qid: f"../{qid}/")
    assert "- Q191914 Title" in render_markdown(article, link=None)


def test_downloads_become_a_list_of_file_links_by_architecture() -> None:
    article = make_article(
        section("RESOLUTION", ("downloads", "   x86: DownloadDownload a.exe now\n   (http://example.com/a?x=1)")),
        downloads=[Download(line=20, arch="x86", file="a.exe", url="http://example.com/a?x=1")],
    )
    assert "- x86: [a.exe](http://example.com/a?x=1)" in render_markdown(article)


def test_the_status_section_ends_with_the_affected_and_fixed_releases() -> None:
    article = make_article(
        section("STATUS", ("paragraph", "Microsoft has confirmed this.")),
        section("MORE INFORMATION", ("paragraph", "More.")),
        status={"kind": "fixed", "affected": ["Exchange Server 5.5 SP3"], "fixed": ["Exchange Server 5.5 SP4"], "evidence": []},
    )
    text = render_markdown(article)
    status_at = text.index("## Status")
    line = "**Affected:** Exchange Server 5.5 SP3 · **Fixed in:** Exchange Server 5.5 SP4"
    assert status_at < text.index(line) < text.index("## More Information")


def test_a_status_block_that_names_no_release_adds_no_line() -> None:
    article = make_article(section("STATUS", ("paragraph", "By design.")), status={"kind": "by-design", "affected": [], "fixed": None})
    assert "**Affected:**" not in render_markdown(article) and "**Fixed in:**" not in render_markdown(article)


def test_keywords_and_query_words_close_the_article() -> None:
    text = render_markdown(make_article(section("SUMMARY", ("paragraph", "x")), keywords=["kbbug", "kb_fix"], query_words="ndr *.log"))
    assert text.endswith("---\n\n- **Keywords:** kbbug kb_fix\n- **Additional query words:** ndr \\*.log\n")


def test_hostile_text_in_title_headings_and_applies_to_stays_literal() -> None:
    article = make_article(section("<B>Bold</B> *heading*", ("paragraph", "OLE Attachment Replaced with <<.>>")), title="Use <local_domain.ext> [x](y)")
    rendered = markdown_to_html(render_markdown(article))
    assert "<h1>Q100001: XGEN: Use &lt;local_domain.ext&gt; [x](y)</h1>" in rendered
    assert "<h2>&lt;B&gt;Bold&lt;/B&gt; *heading*</h2>" in rendered
    assert "<p>OLE Attachment Replaced with &lt;&lt;.&gt;&gt;</p>" in rendered


def test_an_article_without_headings_renders_its_text() -> None:
    text = render_markdown(make_article(section(None, ("paragraph", "Just text."))))
    assert "\nJust text.\n" in text and "## " not in text


def test_every_rendering_ends_with_exactly_one_newline(tmp_path: Path) -> None:
    text = render_markdown(make_article())
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_a_flush_left_diagram_or_column_listing_stays_preformatted() -> None:
    diagram = "To the Internet        X400 Cloud\n    |                    /\n+ SATURN -------------+"
    text = render_markdown(make_article(section("MORE INFORMATION", ("paragraph", diagram))))
    assert "```\n" + diagram + "\n```" in text


def test_prose_with_two_spaces_after_a_full_stop_is_still_reflowed() -> None:
    text = render_markdown(make_article(section("SUMMARY", ("paragraph", "One sentence.  Another\nline."))))
    assert "\nOne sentence.  Another line.\n" in text


def test_a_code_sample_cut_by_empty_lines_is_one_fenced_block() -> None:
    article = make_article(section("MORE INFORMATION", ("literal", "   Sub Main()\n      x = 1"), ("literal", "   End Sub"), ("paragraph", "After.")))
    text = render_markdown(article)
    assert "```\nSub Main()\n   x = 1\n\nEnd Sub\n```\n\nAfter." in text


def test_a_hotfix_before_a_service_pack_is_named_on_the_status_line() -> None:
    article = make_article(section("STATUS", ("paragraph", "Confirmed.")), status={"kind": "hotfix", "affected": ["Exchange Server 5.5 SP3"], "fixed": None, "hotfix": "Exchange Server 5.5 SP4"})
    assert "**Affected:** Exchange Server 5.5 SP3 · **Hotfix:** before Exchange Server 5.5 SP4" in render_markdown(article)


def test_a_warning_above_the_applies_to_block_is_quoted_and_legacy_metadata_dropped() -> None:
    article = make_article(section("SUMMARY", ("paragraph", "x")))
    article.layout.preamble = ["IMPORTANT: This article contains information about", "modifying the registry.", "", "   Q256986 Description of the Registry", "", "3.10 4.00 | 3.50", "WINDOWS", "kbprg kbref", ""]
    text = render_markdown(article)
    assert "> IMPORTANT: This article contains information about modifying the registry.\n>\n> - [Q256986](Q256986.md) Description of the Registry\n\n## Summary" in text
    assert "WINDOWS" not in text and "kbprg" not in text
