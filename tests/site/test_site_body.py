"""Article pages never hide a line of a structured block (event logs, references, downloads).

The blocks show their entries as tables and lists; a line the entries do not show stays on the
page, in source order, as a paragraph (or <pre> when laid out in columns).
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from kb.model import Article
from kb.site.body import render_sections
from kb.text import parse
from kb.text.codec import encode
from kb.text.parts import LEGAL_NOTICE


def synthetic(*body: str) -> Article:
    """Return a synthetic classic article whose body is ``body`` under a SYMPTOMS heading."""
    lines = [
        "DOCUMENT:Q990001  01-JUN-2001  [exchange]", "TITLE   :XADM: A Synthetic Article",
        "PRODUCT :Microsoft Exchange", "PROD/VER:winnt:5.5", "OPER/SYS:", "KEYWORDS:kbtest", "",
        "=" * 70, "-" * 79, "The information in this article applies to:", "",
        " - Microsoft Exchange Server, version 5.5 ", "-" * 79, "",
        "SYMPTOMS", "========", "", *body, "",
        "Additional query words:", "", "=" * 70, "Keywords          : kbtest ", "",
        "=" * 77, "", *LEGAL_NOTICE, "", "Copyright Microsoft Corporation 2001.",
    ]
    return parse(encode("\r\n".join(lines)), "Q990001.TXT")


def page_html(*body: str) -> str:
    """Return the HTML of the SYMPTOMS section of a synthetic article."""
    sections = render_sections(synthetic(*body), lambda article_id: f"../{article_id}/index.html")
    return str(sections[0].html)


def text_of(fragment: str) -> str:
    """Return the visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_prose_inside_an_event_log_block_is_rendered_on_the_article_page() -> None:
    page = page_html(
        "   Event ID: 1000",
        "   Source: MSExchangeIS",
        "   Run the ISINTEG tool with the -fix switch to repair the database.",
    )
    assert '<table class="event"><caption>Event 1000</caption>' in page
    assert "<td>MSExchangeIS</td>" in page
    assert "<p>Run the ISINTEG tool with the -fix switch to repair the database.</p>" in page
    assert page.index("</table>") < page.index("Run the ISINTEG tool")


def test_prose_around_and_between_excerpts_keeps_its_source_order() -> None:
    page = page_html(
        "   The following events are logged:",
        "   Event ID: 1000",
        "   Source: MSExchangeIS",
        "   This one is logged at startup.",
        "   Event ID: 2000",
        "   Source: MSExchangeMTA",
    )
    order = [
        page.index("The following events are logged:"),
        page.index("<caption>Event 1000</caption>"),
        page.index("This one is logged at startup."),
        page.index("<caption>Event 2000</caption>"),
    ]
    assert order == sorted(order)
    assert page.count("<table") == 2


def test_a_wrapped_message_line_starting_with_a_number_does_not_become_a_list_item() -> None:
    page = page_html(
        "   Event ID 2170",
        "   An MTA database server error was encountered. Value number:",
        "   1. Referenced object: 06000034. Referenced object error",
        "   2109. [DB Server SUBMIT 14 19] (14)",
    )
    assert "<ol" not in page and "<li>" not in page
    assert "Referenced object error 2109. [DB Server SUBMIT 14 19] (14)" in text_of(page)


def test_an_excerpt_wholly_shown_by_its_table_adds_no_paragraph() -> None:
    page = page_html(
        "   Event Type: Error",
        "   Event Source: MSExchangeIS Private",
        "   Event ID: 1025",
        "   Description: An error occurred on database <First Storage Group>.",
    )
    assert page.count("<table") == 1
    assert "<p>" not in page and "<pre>" not in page
    assert "&lt;First Storage Group&gt;" in page


def test_a_download_line_the_recogniser_missed_stays_on_the_page() -> None:
    page = page_html(
        "   x86: DownloadDownload Q248838engi.exe new",
        "   (http://www.microsoft.com/downloads/release.asp?ReleaseID=25443)",
        "   Alpha: DownloadDownload Q248838enga.exe now",
        "   (http://www.microsoft.com/downloads/release.asp?ReleaseID=25444)",
    )
    assert "<code>Q248838enga.exe</code>" in page
    assert page.index("Q248838engi.exe new") < page.index('<ul class="downloads">')
    assert "ReleaseID=25443" in page


def test_a_stray_line_in_a_references_block_is_kept_between_the_links() -> None:
    page = page_html(
        "   Q191914 XGEN: How to Obtain the Latest Service Pack",
        "   ARTICLE-ID: Q123456",
        "   (see also the Windows NT Resource Kit)",
        "   TITLE     : XADM: How to Move the Information Store",
    )
    assert '<a href="../Q191914/index.html">Q191914</a>' in page
    assert '<a href="../Q123456/index.html">Q123456</a> XADM: How to Move the Information Store' in page
    assert "(see also the Windows NT Resource Kit)" in page


def test_the_built_page_of_an_article_shows_prose_inside_its_event_log(tmp_path: Path) -> None:
    from kb.site import build_site
    from kb.store import dump_article

    articles = tmp_path / "articles"
    articles.mkdir()
    dump_article(
        synthetic("   Event ID: 1000", "   Source: MSExchangeIS", "   Run the ISINTEG tool to repair it."),
        articles / "Q990001.yaml",
    )
    build_site(articles, tmp_path / "site", search=False)
    page = (tmp_path / "site" / "Q990001" / "index.html").read_text(encoding="utf-8")
    assert "<caption>Event 1000</caption>" in page
    assert "<p>Run the ISINTEG tool to repair it.</p>" in page
