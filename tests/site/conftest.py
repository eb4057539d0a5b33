"""Fixtures of the site tests: a small knowledge base of real records, built and served."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from corpus_location import find_article

PROJECT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT / "tests" / "fixtures" / "site"
#: Corpus articles imported on top of the shipped ones: the <<.>> title (Q233353), the
#: <local_domain.ext> text (Q182010) and a reference to a shipped article (Q241740 -> Q228998).
IMPORTED = ("Q233353", "Q182010", "Q241740")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def make_kb(root: Path, corpus: Path) -> Path:
    """Create a knowledge base at ``root``: shipped records, a few imported ones, verify results."""
    from kb.importer import build_record
    from kb.store import dump_article

    articles = root / "articles"
    articles.mkdir(parents=True)
    for record in sorted((PROJECT / "articles").glob("Q*.yaml")):
        shutil.copy2(record, articles / record.name)
    for article_id in IMPORTED:
        article = build_record(find_article(corpus, article_id))  # anywhere in $KB_CORPUS too
        dump_article(article, articles / f"{article_id}.yaml")
    (root / ".kb").mkdir()
    shutil.copy2(FIXTURES / "verify-results.json", root / ".kb" / "verify-results.json")
    return root


@pytest.fixture
def kb_root(tmp_path: Path, corpus: Path) -> Path:
    """Return a fresh knowledge base (writable: tests may change records)."""
    return make_kb(tmp_path / "kb", corpus)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """Return the site built (with Pagefind) from a session-wide knowledge base."""
    from kb.site import build_site

    root = make_kb(tmp_path_factory.mktemp("site-kb") / "kb", corpus)
    report = build_site(root / "articles", root / "site",
                        verify_results=root / ".kb" / "verify-results.json")
    assert report.errors == []
    return root / "site"


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """Serve the built site on a free port of 127.0.0.1; return its base URL."""
    from kb.site.serve import serve_in_thread

    server, thread = serve_in_thread(built_site, 0)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Return Debian's chromium driven by Playwright (skip when absent, unless required).

    Module scope: Playwright's sync API keeps an asyncio loop running in this thread while it
    is open, and later tests (kb sim serve in-process) need to start loops of their own.
    """
    if not CHROMIUM.exists():
        if os.environ.get("KB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and KB_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """Return a fresh browser page that fails the test on any request leaving 127.0.0.1."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
    yield page
    context.close()
    assert outside == [], f"requests left the site: {outside}"


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Return tests/artefacts/ (gitignored), where screenshots go."""
    folder = PROJECT / "tests" / "artefacts"
    folder.mkdir(exist_ok=True)
    return folder
