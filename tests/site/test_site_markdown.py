"""The site publishes Markdown articles (tables, alerts, article links, images) and marks edited imports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.site import build_site
from kb.store import dump_article, load_article

PROJECT = Path(__file__).resolve().parents[2]
FIXTURE = PROJECT / "tests" / "fixtures" / "markdown"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a site of the Markdown fixture, the shipped Q254893 and an edited copy of Q228998."""
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(FIXTURE, root / "articles")
    shutil.copy(PROJECT / "articles" / "Q254893.yaml", root / "articles")
    edited = load_article(PROJECT / "articles" / "Q228998.yaml")
    edited.sections[0].blocks[0].text += " (Edited by hand.)"
    dump_article(edited, root / "articles" / "Q228998.yaml")
    report = build_site(root / "articles", root / "site", search=False)
    assert report.errors == [] and report.articles == 3
    return root / "site"


def test_a_markdown_article_gets_a_page_with_its_tables_and_alerts(site: Path) -> None:
    page = (site / "Q900001" / "index.html").read_text(encoding="utf-8")
    assert "IMS does not send a second NDR for a domain that ends in a space</h1>" in page
    assert "<th>Event ID</th>" in page and "<td>Internal Processing</td>" in page
    assert '<div class="alert alert-note" role="note">' in page and "[!NOTE]" not in page
    assert '<div class="alert alert-warning" role="note">' in page
    assert "<h2>Symptoms</h2>" in page and "<h2>More information</h2>" in page
    assert "Exchange Server 5.5 SP3" in page  # the status table from the front matter


def test_links_to_articles_resolve_to_their_pages(site: Path) -> None:
    page = (site / "Q900001" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../Q254893/index.html">Q254893</a>' in page
    assert '<a href="../Q254893/index.html#cause">the NDR article</a>' in page
    assert '<a class="ref-missing" title="not in this knowledge base">an article we do not have</a>' in page


def test_images_beside_the_article_are_published_beside_its_page(site: Path) -> None:
    page = (site / "Q900001" / "index.html").read_text(encoding="utf-8")
    assert '<img src="images/flow.png" alt="Send Again flow" />' in page
    assert (site / "Q900001" / "images" / "flow.png").read_bytes() == (FIXTURE / "images" / "flow.png").read_bytes()


def test_an_edited_import_is_marked_and_an_untouched_one_is_not(site: Path) -> None:
    assert "Edited since import" in (site / "Q228998" / "index.html").read_text(encoding="utf-8")
    assert "Edited since import" not in (site / "Q254893" / "index.html").read_text(encoding="utf-8")
    assert "Edited since import" not in (site / "Q900001" / "index.html").read_text(encoding="utf-8")
