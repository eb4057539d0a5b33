"""The search page in a real browser: counts for the query, "show more", result facts, exact
ids found without fetching a page, filters folded away on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest

from test_site_browser import result_count, search_for  # type: ignore[import-not-found]

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def sample_site_url(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[str]:
    """Serve a site of about 160 corpus articles, enough for a query with many pages."""
    from kb.importer import build_record
    from kb.site import build_site
    from kb.site.serve import serve_in_thread
    from kb.store import dump_article

    root = tmp_path_factory.mktemp("sample-site")
    articles = root / "articles"
    articles.mkdir()
    sources = sorted(corpus.rglob("Q*.TXT"))
    for source in sources[::max(1, len(sources) // 160)]:
        article = build_record(source)
        dump_article(article, articles / f"{article.id}.yaml")
    report = build_site(articles, root / "site")
    assert report.errors == []
    server, thread = serve_in_thread(root / "site", 0)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def shown_ids(page) -> list[str]:
    """Return the ids of the results on the page, in order."""
    return page.eval_on_selector_all("#results li a .id", "els => els.map(e => e.textContent)")


def counts(page, key: str) -> dict[str, int]:
    """Return the count beside each value of one filter."""
    pairs = page.eval_on_selector_all(
        f"#filters input[data-filter='{key}']",
        "els => els.map(e => [e.value, e.parentElement.querySelector('.n').textContent])")
    return {value: int(text.strip("()")) for value, text in pairs}


def test_show_more_adds_the_next_twenty_results_until_all_are_shown(page, sample_site_url: str) -> None:
    search_for(page, sample_site_url, "the")
    total = result_count(page)
    assert total > 40
    assert len(shown_ids(page)) == 20
    assert page.is_visible("#more")
    assert re.search(rf"{total} articles found, the first 20 shown", page.inner_text("#search-status"))
    page.click("#more")
    page.wait_for_function("() => document.querySelectorAll('#results li').length === 40")
    assert "the first 40 shown" in page.inner_text("#search-status")
    while page.is_visible("#more"):
        before = len(shown_ids(page))
        page.click("#more")
        page.wait_for_function(f"() => document.querySelectorAll('#results li').length > {before}")
    ids = shown_ids(page)
    assert len(ids) == len(set(ids)) == total
    assert page.inner_text("#search-status") == f"{total} articles found."


def test_filter_counts_are_those_of_the_current_query(page, sample_site_url: str) -> None:
    search_for(page, sample_site_url, "the")
    broad = counts(page, "status")
    assert sum(broad.values()) == result_count(page)
    search_for(page, sample_site_url, "rehome")
    narrow = counts(page, "status")
    assert sum(narrow.values()) == result_count(page) < sum(broad.values())
    assert set(narrow) == set(broad)  # every value keeps its box; those left out count 0


def test_each_result_shows_its_status_kind_verification_and_date(page, site_url: str) -> None:
    search_for(page, site_url, "trailing space NDR")
    first = page.locator("#results li").first
    facts = first.locator(".facts")
    assert re.fullmatch(r"[a-z-]+", facts.locator(".kind").inner_text())
    assert facts.locator(".badge").inner_text() == "verified"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", facts.locator("time").inner_text())


@pytest.mark.parametrize("query", ["Q254893", "254893", "Q999999"])
def test_an_exact_id_is_looked_up_without_fetching_any_page_or_any_404(page, site_url: str, query: str) -> None:
    fetched: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: fetched.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    found = search_for(page, site_url, query) if query != "Q999999" else None
    if found is not None:
        assert found[0] == "Q254893"
    else:
        page.goto(site_url + "search/index.html?q=" + query)
        page.wait_for_function("() => /found/.test(document.getElementById('search-status').textContent)")
    assert [f for f in fetched if f.startswith("404")] == []
    assert not [f for f in fetched if re.search(r"/Q\d+/index\.html$", f)]
    assert errors == []


def test_the_filters_are_folded_on_a_phone_and_open_on_a_desktop(browser, site_url: str) -> None:
    for width, height, is_open in ((390, 844, False), (1366, 900, True)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(site_url + "search/index.html?q=NDR")
        page.wait_for_selector("body[data-search-ready]")
        assert page.eval_on_selector("#filter-box", "d => d.open") is is_open
        if not is_open:
            assert not page.is_visible("#filters fieldset")
            page.click("#filter-box summary")
            assert page.is_visible("#filters fieldset")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()


def test_a_page_opened_with_a_query_and_filters_shows_them_checked(page, site_url: str) -> None:
    page.goto(site_url + "search/index.html?q=NDR&verification=verified")
    page.wait_for_function("() => /found/.test(document.getElementById('search-status').textContent)")
    assert shown_ids(page) == ["Q254893"]
    assert page.is_checked("#filters input[data-filter='verification'][value='verified']")
    assert page.eval_on_selector("#filter-box", "d => d.open")
    assert "1 selected" in page.inner_text("#filter-box summary")
