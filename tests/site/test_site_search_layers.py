"""Small rebuilds of a large site index only the changed pages, into small layer bundles."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

import pytest

from kb.site import build_site, search_bundle, search_plan

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def large(kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a knowledge base whose site counts as large: ten shards, one page per layer."""
    monkeypatch.setattr(search_bundle, "SHARD_THRESHOLD", 5)
    articles = len(list((kb_root / "articles").glob("Q*.yaml")))
    monkeypatch.setattr(search_bundle, "SHARD_PAGES", -(-articles // 10))
    monkeypatch.setattr(search_plan, "LAYER_LIMIT", 1)
    return kb_root


def build(root: Path):
    """Build the site of ``root`` with its search bundles."""
    report = build_site(root / "articles", root / "site",
                        verify_results=root / ".kb" / "verify-results.json")
    assert report.errors == []
    return report


def edit(root: Path, article_id: str, old: str, new: str) -> None:
    """Replace ``old`` with ``new`` throughout one record."""
    record = root / "articles" / f"{article_id}.yaml"
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new), encoding="utf-8")


def layers(root: Path) -> list[dict[str, object]]:
    """Return the layers the search page is told about, oldest first."""
    described = json.loads((root / "site" / search_plan.LAYERS_NAME).read_text(encoding="utf-8"))
    return described["layers"]


def layer_folders(root: Path) -> list[str]:
    """Return the layer bundles on disk."""
    return sorted(p.name for p in (root / "site").glob("pagefind-d*"))


def test_a_full_build_has_base_bundles_and_no_layers(large: Path) -> None:
    build(large)
    described = json.loads((large / "site" / search_plan.LAYERS_NAME).read_text(encoding="utf-8"))
    assert described["layers"] == [] and layer_folders(large) == []
    assert described["bundles"][0] == "pagefind" and len(described["bundles"]) > 1


def test_changing_one_article_indexes_only_its_part_into_a_layer(large: Path) -> None:
    build(large)
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    again = build(large)
    assert again.search_indexed and again.search_pages == 1
    assert layers(large) == [{"bundle": "pagefind-d1", "parts": ["893"]}]
    assert search_bundle.page_count(large / "site" / "pagefind-d1") == 1
    assert not build(large).search_indexed


def test_each_later_change_indexes_only_its_own_layer(large: Path) -> None:
    build(large)
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    build(large)
    edit(large, "Q228998", "trailing", "Trailing")
    second = build(large)
    edit(large, "Q254893", "zanzibaruser", "quokkauser")
    third = build(large)
    assert (second.search_pages, third.search_pages) == (1, 1)
    assert layers(large) == [{"bundle": "pagefind-d1", "parts": ["893"]},
                             {"bundle": "pagefind-d2", "parts": ["998"]},
                             {"bundle": "pagefind-d3", "parts": ["893"]}]


def test_too_many_layers_are_folded_back_into_the_shards(large: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_plan, "MAX_LAYERS", 1)
    build(large)
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    build(large)
    edit(large, "Q228998", "trailing", "Trailing")
    folded = build(large)
    shards = {"3", "8"}
    assert folded.search_pages == sum(1 for p in (large / "site").glob("Q*/index.html")
                                      if p.parent.name[-1] in shards)
    assert layers(large) == [] and layer_folders(large) == []


def test_a_removed_article_gets_a_layer_without_a_bundle_that_hides_its_part(large: Path) -> None:
    build(large)
    # Shard 9 keeps two pages (Q192939, Q193639): over the limit, so a layer it is, and empty.
    (large / "articles" / "Q253619.yaml").unlink()
    again = build(large)
    assert layers(large) == [{"bundle": None, "parts": ["619"]}]
    assert not again.search_indexed and layer_folders(large) == []


def test_a_torn_shard_is_indexed_whole_again(large: Path) -> None:
    build(large)
    (large / "site" / "pagefind-3" / "pagefind-entry.json").unlink()
    again = build(large)
    assert again.search_indexed and search_bundle.page_count(large / "site" / "pagefind-3")


def test_a_torn_layer_sends_every_layer_back_into_the_shards(large: Path) -> None:
    build(large)
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    build(large)
    (large / "site" / "pagefind-d1" / "pagefind-entry.json").unlink()
    again = build(large)
    assert again.search_indexed and layers(large) == [] and layer_folders(large) == []


# The browser side: the search page merges the layers and shows each page once, freshest.

@pytest.fixture
def layered_site(large: Path) -> Iterator[str]:
    """Serve a large site after three small rebuilds (three layers); return its base URL."""
    from kb.site.serve import serve_in_thread

    build(large)
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    build(large)
    edit(large, "Q228998", "trailing", "Trailing")
    build(large)
    edit(large, "Q254893", "zanzibaruser", "quokkauser")
    build(large)
    assert len(layers(large)) == 3
    server, thread = serve_in_thread(large / "site", 0)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def found(page, site_url: str, query: str) -> tuple[list[str], str]:
    """Search the site for ``query``; return the result ids and the status line."""
    page.goto(site_url + "search/index.html?q=" + query)
    page.wait_for_selector("body[data-search-ready]", timeout=20000)
    page.wait_for_function("/found/.test(document.getElementById('search-status').textContent)",
                           timeout=20000)
    ids = page.eval_on_selector_all("#results li a .id", "els => els.map(e => e.textContent)")
    return ids, page.inner_text("#search-status")


def test_the_browser_finds_only_the_freshest_copy_of_a_changed_article(page, layered_site: str) -> None:
    assert found(page, layered_site, "quokkauser") == (["Q254893"], "1 article found.")
    # The base copy (joeuser) and the first layer's copy (zanzibaruser) are both hidden.
    assert found(page, layered_site, "joeuser") == ([], "No articles found.")
    assert found(page, layered_site, "zanzibaruser") == ([], "No articles found.")
    ndr, status = found(page, layered_site, "NDR")
    count = int(re.match(r"(\d+)", status).group(1))  # type: ignore[union-attr]
    # Fewer than a page of results: all are listed, each article once, and the count agrees.
    assert "Q254893" in ndr and count == len(ndr) == len(set(ndr))


# Larger sites: more shards, by the last two digits, so no Pagefind process holds too many pages.

@pytest.mark.parametrize("articles", [100, 5000, 6900, 30000, 57000, 150000, 400000])
def test_every_id_falls_in_exactly_one_shard_and_only_its_glob_matches_it(articles: int) -> None:
    from fnmatch import fnmatchcase

    layout = search_bundle.shards_for(articles)
    globs = {shard: search_bundle._glob(shard, layout) for shard in layout}
    for number in range(100000, 100200):
        article_id = f"Q{number}"
        shard = search_bundle.shard_of(article_id, layout)
        assert shard == search_bundle.shard_of(search_plan.part_of(article_id), layout)
        assert [s for s, pattern in globs.items() if fnmatchcase(f"{article_id}/index.html", pattern)] == [shard]
        assert [s for s in layout if any(article_id.endswith(e) for e in search_bundle.suffixes(s, layout))] == [shard]
    if articles >= search_bundle.SHARD_THRESHOLD:
        assert articles / len(layout) <= search_bundle.SHARD_PAGES or len(layout) == 100


def test_a_site_grown_past_ten_shards_gets_twenty_and_drops_the_old_bundles(
        large: Path, monkeypatch: pytest.MonkeyPatch, page) -> None:
    from kb.site.serve import serve_in_thread

    articles = len(list((large / "articles").glob("Q*.yaml")))
    build(large)
    assert (large / "site" / "pagefind-3").is_dir()
    # As if ten shards held too many pages each: twenty are needed (the second last digit mod 2).
    monkeypatch.setattr(search_bundle, "SHARD_PAGES", -(-articles // 20))
    assert len(search_bundle.shards_for(articles)) == 20
    build(large)
    site = large / "site"
    described = json.loads((site / search_plan.LAYERS_NAME).read_text(encoding="utf-8"))
    assert described["suffixes"]["pagefind-13"] == ["13", "33", "53", "73", "93"]  # Q254893's
    assert not (site / "pagefind-3").exists()
    assert sorted(p.name for p in site.glob("pagefind*") if p.is_dir()) == sorted(described["bundles"])
    server, thread = serve_in_thread(site, 0)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        assert found(page, url, "Q254893")[0][0] == "Q254893"
        ids, status = found(page, url, "NDR")
        assert "Q254893" in ids and int(status.split()[0]) == len(ids) == len(set(ids))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_shard_count_grows_with_the_site_so_each_keeps_under_the_page_limit() -> None:
    counts = {n: len(search_bundle.shards_for(n)) for n in (100, 2000, 6900, 30000, 57000, 150000, 400000)}
    assert counts == {100: 1, 2000: 2, 6900: 2, 30000: 10, 57000: 20, 150000: 50, 400000: 100}


def test_a_word_only_one_shard_holds_is_required_in_every_shard(large: Path, page) -> None:
    # Pagefind drops a word its index lacks: a shard without "zanzibaruser" would answer
    # "zanzibaruser NDR" with all its NDR pages. The search page asks only the shards that
    # hold every word some shard holds, and drops a word no shard holds, as one index would.
    from kb.site.serve import serve_in_thread

    edit(large, "Q254893", "joeuser", "zanzibaruser")
    build(large)
    server, thread = serve_in_thread(large / "site", 0)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        assert found(page, url, "zanzibaruser NDR") == (["Q254893"], "1 article found.")
        assert found(page, url, "NDR zanzibaruser") == (["Q254893"], "1 article found.")
        ndr, status = found(page, url, "NDR")
        assert len(ndr) > 1
        assert found(page, url, "NDR qqqzzzunheard")[1] == status
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# Cold opening of a sharded site: the first bundle answers first, the others share two workers.

class HeldRoutes:
    """A Playwright route handler that holds requests back until ``release`` (then lets all through)."""

    def __init__(self) -> None:
        self.routes: list = []
        self.released = False

    def __call__(self, route) -> None:
        if self.released:
            route.continue_()
        else:
            self.routes.append(route)

    def release(self) -> None:
        """Let the held requests and every later one through."""
        self.released = True
        for route in self.routes:
            route.continue_()


def test_the_first_results_show_before_the_other_bundles_answer_and_the_counts_end_exact(
        large: Path, page) -> None:
    from kb.site.serve import serve_in_thread

    build(large)
    server, thread = serve_in_thread(large / "site", 0)
    held = HeldRoutes()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        # Every bundle but the first stays unanswered until the first results are on screen.
        page.route(re.compile(r"/pagefind-\d+/"), held)
        page.goto(url + "search/index.html?q=the")
        page.wait_for_selector("#results li", timeout=20000)
        assert page.eval_on_selector("#results", "l => l.dataset.partial") == "1"
        assert "found" not in page.inner_text("#search-status") and held.routes
        held.release()
        page.wait_for_selector("#search-status[data-count]", state="attached", timeout=20000)
        early = int(page.eval_on_selector("#search-status", "s => s.dataset.count"))
        page.wait_for_function("/found/.test(document.getElementById('search-status').textContent)",
                               timeout=20000)
        status = page.inner_text("#search-status")
        ids = page.eval_on_selector_all("#results li a .id", "els => els.map(e => e.textContent)")
        assert page.eval_on_selector("#results", "l => l.dataset.partial") is None
        count = int(status.split()[0])
        articles = len(list((large / "articles").glob("Q*.yaml")))
        # "the" is in every article: the count is exact, the early one too, and each page once.
        assert early == count == articles
        assert len(ids) == len(set(ids)) == min(count, 20)
    finally:
        page.unroute(re.compile(r"/pagefind-\d+/"))
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_word_the_first_bundle_lacks_shows_the_results_of_the_first_bundle_that_has_it(
        large: Path, page) -> None:
    from kb.site.serve import serve_in_thread

    # Q254893 is in the shard of ids ending in 3: the first bundle has no page with the word.
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    build(large)
    server, thread = serve_in_thread(large / "site", 0)
    held = HeldRoutes()
    # Every bundle but the first two (the two workers' own) and the one holding the word.
    others = re.compile(r"/pagefind-[2456789]/")
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        page.route(others, held)
        page.goto(url + "search/index.html?q=zanzibaruser")
        page.wait_for_selector("#results li", timeout=20000)
        assert page.eval_on_selector("#results", "l => l.dataset.partial") == "1"
        assert page.eval_on_selector_all("#results li a .id", "els => els.map(e => e.textContent)") == ["Q254893"]
        assert "found" not in page.inner_text("#search-status") and held.routes
        held.release()
        page.wait_for_function("/found/.test(document.getElementById('search-status').textContent)",
                               timeout=20000)
        assert page.inner_text("#search-status") == "1 article found."
        assert page.eval_on_selector("#results", "l => l.dataset.partial") is None
    finally:
        page.unroute(others)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_ten_bundles_are_searched_by_at_most_two_pagefind_workers_a_page(large: Path, page) -> None:
    from kb.site.serve import serve_in_thread

    build(large)
    server, thread = serve_in_thread(large / "site", 0)
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        # Opened without a query, the other bundles still load (they wait for a first answer).
        page.goto(url + "search/index.html")
        page.wait_for_selector("body[data-search-ready]", timeout=20000)
        assert 1 <= len(workers) <= 2
        workers.clear()
        ids, status = found(page, url, "NDR")
        assert "Q254893" in ids and int(status.split()[0]) == len(ids) == len(set(ids))
        assert 1 <= len(workers) <= 2
        assert all(w.endswith("/pagefind-worker.js") for w in workers)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
