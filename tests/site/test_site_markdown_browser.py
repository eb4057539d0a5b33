"""A Markdown article's page in a real browser: alerts, tables, images, article links and search."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest

PROJECT = Path(__file__).resolve().parents[2]
FIXTURE = PROJECT / "tests" / "fixtures" / "markdown"
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def md_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build (with Pagefind) and serve a site of the Markdown fixture and the shipped Q254893."""
    from kb.site import build_site
    from kb.site.serve import serve_in_thread

    root = tmp_path_factory.mktemp("md-kb")
    shutil.copytree(FIXTURE, root / "articles")
    shutil.copy(PROJECT / "articles" / "Q254893.yaml", root / "articles")
    report = build_site(root / "articles", root / "site")
    assert report.errors == []
    server, thread = serve_in_thread(root / "site", 0)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_page_shows_alerts_tables_and_the_image(page, md_site_url: str) -> None:
    page.goto(md_site_url + "Q900001/index.html")
    note = page.locator("div.alert-note")
    assert note.is_visible() and note.inner_text().startswith("Note")
    assert "[!NOTE]" not in page.inner_text("div.body")
    assert page.locator("div.body table th").all_inner_texts() == ["Event ID", "Source", "Category"]
    width = page.eval_on_selector("img[alt='Send Again flow']", "img => img.complete && img.naturalWidth")
    assert width == 4


def test_a_link_to_another_article_opens_its_page(page, md_site_url: str) -> None:
    page.goto(md_site_url + "Q900001/index.html")
    page.click("div.body a:text('Q254893')")
    page.wait_for_url(re.compile(r"/Q254893/index\.html$"))
    assert "Internet Mail Service Does Not Generate the NDR" in page.inner_text("h1")


def test_the_search_page_finds_the_article_by_a_word_of_its_body(page, md_site_url: str) -> None:
    page.goto(md_site_url + "search/index.html")
    page.wait_for_selector("body[data-search-ready]", timeout=20000)
    page.fill("#search-q", "evidence")
    page.press("#search-q", "Enter")
    page.wait_for_function("() => /found/.test(document.getElementById('search-status').textContent)", timeout=20000)
    ids = page.eval_on_selector_all("#results li a .id", "els => els.map(e => e.textContent)")
    assert ids == ["Q900001"]
