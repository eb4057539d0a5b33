"""Small rebuilds of a large site index only the changed pages, into a delta search bundle."""

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
    """Return a knowledge base whose site counts as large: sharded, with a one-page delta limit."""
    monkeypatch.setattr(search_bundle, "SHARD_THRESHOLD", 5)
    monkeypatch.setattr(search_plan, "DELTA_LIMIT", 1)
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


def layers(root: Path) -> dict[str, object]:
    """Return the search page's description of the bundles."""
    return json.loads((root / "site" / search_plan.LAYERS_NAME).read_text(encoding="utf-8"))


def test_a_full_build_has_no_delta_and_no_stale_parts(large: Path) -> None:
    build(large)
    described = layers(large)
    assert described["delta"] is None and described["stale"] == []
    assert described["bundles"][0] == "pagefind" and len(described["bundles"]) > 1
    assert not (large / "site" / search_bundle.DELTA).exists()


def test_changing_one_article_indexes_only_its_part_into_the_delta(large: Path) -> None:
    build(large)
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    again = build(large)
    assert again.search_indexed and again.search_pages == 1
    assert layers(large) == {"bundles": layers(large)["bundles"], "delta": "pagefind-delta", "stale": ["893"]}
    assert search_bundle.page_count(large / "site" / "pagefind-delta") == 1
    assert not build(large).search_indexed


def test_a_delta_over_the_limit_is_folded_back_into_the_shards(large: Path) -> None:
    build(large)
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    build(large)
    edit(large, "Q228998", "trailing", "Trailing")
    folded = build(large)
    # Two changed parts are over the one-page limit: their shards are indexed whole again.
    shards = {"Q254893"[-1], "Q228998"[-1]}
    assert folded.search_pages == sum(1 for p in (large / "site").glob("Q*/index.html")
                                      if p.parent.name[-1] in shards)
    assert layers(large)["delta"] is None and layers(large)["stale"] == []
    assert not (large / "site" / search_bundle.DELTA).exists()


def test_a_removed_article_leaves_its_part_stale_without_a_delta(large: Path) -> None:
    build(large)
    # Shard 9 keeps two pages (Q192939, Q193639): over the limit, so a delta it is, and empty.
    (large / "articles" / "Q253619.yaml").unlink()
    again = build(large)
    assert layers(large)["stale"] == ["619"] and layers(large)["delta"] is None
    assert not again.search_indexed


def test_a_torn_shard_is_indexed_whole_again(large: Path) -> None:
    build(large)
    (large / "site" / "pagefind-3" / "pagefind-entry.json").unlink()
    again = build(large)
    assert again.search_indexed and search_bundle.page_count(large / "site" / "pagefind-3")


# The browser side: the search page merges the delta and hides the stale copies.

@pytest.fixture
def delta_site(large: Path) -> Iterator[str]:
    """Serve a large site after a one-article rebuild; return its base URL."""
    from kb.site.serve import serve_in_thread

    build(large)
    edit(large, "Q254893", "joeuser", "zanzibaruser")
    build(large)
    assert layers(large)["delta"] == "pagefind-delta"
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


def test_the_browser_finds_the_changed_text_once_and_never_the_stale_copy(page, delta_site: str) -> None:
    assert found(page, delta_site, "zanzibaruser") == (["Q254893"], "1 article found.")
    stale, status = found(page, delta_site, "joeuser")
    assert stale == [] and status == "No articles found."
    ndr, status = found(page, delta_site, "NDR")
    count = int(re.match(r"(\d+)", status).group(1))  # type: ignore[union-attr]
    # Fewer than a page of results: all are listed, each article once, and the count agrees.
    assert "Q254893" in ndr and count == len(ndr) == len(set(ndr))
