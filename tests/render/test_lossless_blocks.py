"""Structured blocks (event logs, references, downloads) never hide a line of the article.

Each block shows its entries (a Field | Value table per Event Viewer excerpt, a list of links),
and any line of the block that the entries do not show stays in the rendering, in source order.
"""

from __future__ import annotations

import re

import pytest
from render_helpers import parse_body

from kb.model import Article
from kb.render.html import render_html_fragment
from kb.render.markdown import render_markdown

HEADING = ["SYMPTOMS", "========", ""]


def md(*body: str) -> str:
    """Return the Markdown of a synthetic article with ``body`` under a SYMPTOMS heading."""
    return render_markdown(parse_body(*HEADING, *body), header=False)


def words(text: str) -> list[str]:
    """Return the case-folded words of ``text`` (Markdown escapes and link targets left out)."""
    text = re.sub(r"\]\([^)\s]*\)", "]", text)
    return re.findall(r"[^\W_]+", text.casefold())


def position(text: str, needle: str) -> int:
    """Return where ``needle`` starts in ``text`` (failing when it is missing)."""
    index = text.find(needle)
    assert index >= 0, f"{needle!r} missing from:\n{text}"
    return index


def test_prose_inside_an_event_log_block_is_rendered_in_markdown() -> None:
    text = md(
        "   Event ID: 1000",
        "   Source: MSExchangeIS",
        "   Run the ISINTEG tool with the -fix switch to repair the database.",
    )
    assert "| Event ID | 1000 |" in text
    assert "| Event Source | MSExchangeIS |" in text
    table = position(text, "| Event ID | 1000 |")
    prose = position(text, "Run the ISINTEG tool with the -fix switch to repair the database.")
    assert table < prose


def test_prose_before_an_event_log_excerpt_comes_before_its_table() -> None:
    text = md(
        "   The following event is logged in the application log:",
        "   Event Type: Error",
        "   Event Source: MSExchangeMTA",
        "   Event ID: 9297",
    )
    assert position(text, "The following event is logged in the application log:") < position(text, "| Event ID | 9297 |")


def test_a_message_under_a_bare_event_id_line_follows_its_table_as_one_paragraph() -> None:
    text = md(
        "   Event ID 251",
        "   A fatal internal MTA error occurred. Entity control block reassigned because",
        "   of a configuration error.",
    )
    assert "| Event ID | 251 |" in text
    assert "\n\nA fatal internal MTA error occurred. Entity control block reassigned because of a configuration error." in text


def test_prose_between_two_excerpts_stays_between_their_tables() -> None:
    text = md(
        "   Event ID: 1000",
        "   Source: MSExchangeIS",
        "   This one is logged at startup.",
        "   Event ID: 2000",
        "   Source: MSExchangeMTA",
        "   That one is logged at shutdown.",
    )
    order = [
        position(text, "| Event ID | 1000 |"),
        position(text, "This one is logged at startup."),
        position(text, "| Event ID | 2000 |"),
        position(text, "That one is logged at shutdown."),
    ]
    assert order == sorted(order)


def test_an_event_id_line_with_words_its_table_lacks_is_kept_as_text() -> None:
    text = md("   Event ID: 2553           <<< logged at level 0", "   Source: MSExchangeMTA")
    assert "| Event ID | 2553 |" in text
    assert "logged at level 0" in text


def test_an_excerpt_wholly_shown_by_its_table_adds_no_text() -> None:
    text = md(
        "   Event Type: Error",
        "   Event Source: MSExchangeIS Private",
        "   Event Category: General",
        "   Event ID: 1025",
        "   Description: An error occurred on database",
        "   \"First Storage Group\\Mailbox Store (SERVER)\".",
    )
    assert text.count("| Field | Value |") == 1
    body = text.split("## Symptoms", 1)[1].split("---", 1)[0]
    assert body.strip().startswith("| Field | Value |")
    assert body.strip().endswith("|")


def test_leftover_lines_laid_out_in_columns_stay_preformatted() -> None:
    text = md(
        "   Event ID: 5000",
        "   Source: MSExchangeSA",
        "   Value      Meaning",
        "   0x1        Logon failed",
    )
    assert "| Event ID | 5000 |" in text
    assert "```\nValue      Meaning\n0x1        Logon failed\n```" in text


def test_a_download_line_the_recogniser_missed_stays_beside_the_recognised_one() -> None:
    text = md(
        "   x86: DownloadDownload Q248838engi.exe new",
        "   (http://www.microsoft.com/downloads/release.asp?ReleaseID=25443)",
        "   Alpha: DownloadDownload Q248838enga.exe now",
        "   (http://www.microsoft.com/downloads/release.asp?ReleaseID=25444)",
    )
    assert "- Alpha: [Q248838enga.exe](http://www.microsoft.com/downloads/release.asp?ReleaseID=25444)" in text
    assert position(text, "Q248838engi.exe new") < position(text, "- Alpha:")
    assert "ReleaseID=25443" in text


def test_prose_in_a_downloads_block_is_kept_and_a_label_line_is_not_repeated() -> None:
    text = md(
        "   French:",
        "   DownloadDownload Q312273fr.exe now",
        "   (http://download.microsoft.com/download/fr/Q312273fr.exe)",
        "   Release Date: March 2002",
    )
    assert "- French: [Q312273fr.exe](http://download.microsoft.com/download/fr/Q312273fr.exe)" in text
    assert "Release Date: March 2002" in text
    assert "French:\n" not in text and "\nFrench:" not in text


def test_a_stray_line_in_an_article_id_reference_pair_is_kept() -> None:
    text = md(
        "REFERENCES",
        "==========",
        "",
        "   ARTICLE-ID: Q123456",
        "   (see also the Windows NT Resource Kit)",
        "   TITLE     : XADM: How to Move the Information Store",
    )
    assert "- [Q123456](Q123456.md) XADM: How to Move the Information Store" in text
    assert "(see also the Windows NT Resource Kit)" in text


def test_references_and_downloads_wholly_shown_by_their_lists_add_no_text() -> None:
    text = md(
        "   Q191914 XGEN: How to Obtain the Latest Service Pack",
        "      for Exchange Server 5.5",
        "",
        "   x86: DownloadDownload Q248838engi.exe now",
        "   (http://www.microsoft.com/downloads/release.asp?ReleaseID=25443)",
    )
    body = text.split("## Symptoms", 1)[1].split("\n---\n", 1)[0].strip()
    assert body == (
        "- [Q191914](Q191914.md) XGEN: How to Obtain the Latest Service Pack for Exchange Server 5.5\n\n"
        "- x86: [Q248838engi.exe](http://www.microsoft.com/downloads/release.asp?ReleaseID=25443)"
    )


def test_prose_inside_an_event_log_block_is_in_the_html() -> None:
    article = parse_body(
        *HEADING,
        "   Event ID: 1000",
        "   Source: MSExchangeIS",
        "   Run the ISINTEG tool to repair the database.",
    )
    html = render_html_fragment(article, header=False)
    assert "<td>1000</td>" in html
    assert "<p>Run the ISINTEG tool to repair the database.</p>" in html
    assert html.index("<td>1000</td>") < html.index("Run the ISINTEG tool")


BODIES = {
    "keys and prose": ["   Event ID: 7", "   Source: MSExchangeDS", "   Restart the service.", "   Event Type: Warning"],
    "prose naming an id": ["Event ID 1000 is logged when the disk is full.", "   Event Category: None"],
    "description then prose": ["   Event ID: 12", "   Description: Bad thing.", "   ", "   Call support."],
    "mixed downloads": ["   DownloadDownload A.exe now", "   Install it on each server.", "   B.exe is for Alpha."],
    "references": ["   Q111111 First Title", "   ARTICLE-ID: Q222222", "   Extra words here", "   TITLE: Second"],
}


# Layout words a list item stands for: a removed "Download ... now" button, ARTICLE-ID/TITLE labels.
LAYOUT_WORDS = {"downloaddownload", "now", "article", "id", "title"}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_word_of_a_structured_block_is_in_its_markdown(name: str) -> None:
    article: Article = parse_body(*HEADING, *BODIES[name])
    text = render_markdown(article, header=False).replace("\\", "")
    shown = set(words(text)) | LAYOUT_WORDS
    for line in BODIES[name]:
        assert set(words(line)) <= shown, line
