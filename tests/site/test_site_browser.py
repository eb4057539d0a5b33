"""The built site in a real browser (Playwright driving Debian's chromium) on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(180)


def search_for(page, site_url: str, query: str) -> list[str]:
    """Type ``query`` on the search page; return the result ids once the results show."""
    page.goto(site_url + "search/index.html")
    page.wait_for_selector("body[data-search-ready]", timeout=20000)
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    page.wait_for_function(
        "q => new URLSearchParams(location.search).get('q') === q && "
        "/found/.test(document.getElementById('search-status').textContent)", arg=query, timeout=20000)
    return page.eval_on_selector_all("#results li a .id", "els => els.map(e => e.textContent)")


def result_count(page) -> int:
    """Return the number of matches the status line reports."""
    text = page.inner_text("#search-status")
    match = re.match(r"(\d+) articles? found", text)
    return int(match.group(1)) if match else 0


def test_searching_trailing_space_ndr_puts_q254893_first(page, site_url: str, artefacts: Path) -> None:
    found = search_for(page, site_url, "trailing space NDR")
    assert found[0] == "Q254893"
    page.screenshot(path=str(artefacts / "search.png"), full_page=True)


@pytest.mark.parametrize("query", ["Q254893", "254893", "4120"])
def test_an_article_id_or_an_event_id_finds_the_article(page, site_url: str, query: str) -> None:
    assert "Q254893" in search_for(page, site_url, query)


def test_a_filter_narrows_the_results(page, site_url: str) -> None:
    search_for(page, site_url, "NDR")
    before = result_count(page)
    page.check("#filters input[data-filter='verification'][value='verified']")
    page.wait_for_function("() => new URLSearchParams(location.search).get('verification') === 'verified'")
    page.wait_for_function(f"() => /found/.test(document.getElementById('search-status').textContent) && "
                           f"!document.getElementById('search-status').textContent.startsWith('{before} ')")
    after = page.eval_on_selector_all("#results li a .id", "els => els.map(e => e.textContent)")
    assert 0 < result_count(page) < before
    assert after == ["Q254893"]


def test_a_search_result_opens_the_article(page, site_url: str) -> None:
    search_for(page, site_url, "trailing space NDR")
    page.click("#results li:first-child a")
    page.wait_for_url(re.compile(r"/Q254893/index\.html$"))
    assert "Internet Mail Service Does Not Generate the NDR" in page.inner_text("h1")


def test_a_reference_link_opens_the_referenced_article(page, site_url: str) -> None:
    page.goto(site_url + "Q241740/index.html")
    page.click("ul.refs a:text('Q228998')")
    page.wait_for_url(re.compile(r"/Q228998/index\.html$"))
    assert "Trailing Space" in page.inner_text("h1")
    page.click("a.brand")
    page.click("text=All articles")
    page.click("a:has-text('Q233353')")
    assert "<<.>>" in page.inner_text("h1")


def test_escaping_cases_render_literally(page, site_url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site_url + "Q233353/index.html")
    assert page.inner_text("h1") == "XFOR: OLE Attachment Replaced with <<.>>"
    page.goto(site_url + "Q182010/index.html")
    assert "POSTMASTER@<local_domain.ext>" in page.inner_text("h1")
    assert "<local_domain.ext>" in page.inner_text("div.body")
    assert page.query_selector("local_domain\\.ext") is None
    page.goto(site_url + "Q228998/index.html")
    page.click("details summary")
    assert "<script>alert(1)</script>" in page.inner_text("pre.transcript")
    assert dialogs == []


def _contrast(page, pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Return the WCAG contrast ratio of each (foreground, background) CSS variable pair."""
    return page.evaluate(
        """pairs => {
          const style = getComputedStyle(document.documentElement);
          const rgb = name => {
            const probe = document.createElement('span');
            probe.style.color = style.getPropertyValue(name).trim();
            document.body.append(probe);
            const parts = getComputedStyle(probe).color.match(/\\d+/g).map(Number);
            probe.remove();
            return parts.slice(0, 3);
          };
          const lum = ([r, g, b]) => [r, g, b].map(v => {
            v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
          }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
          const out = {};
          for (const [fg, bg] of pairs) {
            const a = lum(rgb(fg)), b = lum(rgb(bg));
            out[fg + ' on ' + bg] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          }
          return out;
        }""", pairs)


THEME_PAIRS = [("--fg", "--bg"), ("--muted", "--bg"), ("--link", "--bg"), ("--fg", "--accent-bg"),
               ("--muted", "--accent-bg"), ("--link", "--accent-bg"), ("--bg", "--link"),
               ("--ok-fg", "--ok-bg"), ("--bad-fg", "--bad-bg"), ("--unk-fg", "--unk-bg")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_theme_colours_meet_wcag_aa_contrast(browser, site_url: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + "Q254893/index.html")
    ratios = _contrast(page, THEME_PAIRS)
    context.close()
    weak = {pair: round(ratio, 2) for pair, ratio in ratios.items() if ratio < 4.5}
    assert weak == {}


@pytest.mark.parametrize("path", ["index.html", "search/index.html", "Q254893/index.html",
                                  "articles/index.html", "product/index.html"])
def test_pages_pass_an_accessibility_smoke_check(page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    assert page.get_attribute("html", "lang") == "en"
    levels = page.eval_on_selector_all("main h1, main h2, main h3, main h4",
                                       "els => els.map(e => Number(e.tagName[1]))")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    unlabelled = page.eval_on_selector_all(
        "input:not([type=hidden]), select, textarea",
        "els => els.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML)")
    assert unlabelled == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'", timeout=5000)


def test_an_article_fits_a_phone_screen(browser, site_url: str, artefacts: Path) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    page.goto(site_url + "Q254893/index.html")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(artefacts / "article-phone.png"), full_page=True)
    context.close()
    assert overflow <= 0


def test_screenshots_of_home_search_and_article_pages(browser, site_url: str, artefacts: Path) -> None:
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.goto(site_url + "index.html")
        page.screenshot(path=str(artefacts / f"home-{scheme}.png"), full_page=True)
        page.goto(site_url + "Q254893/index.html")
        page.screenshot(path=str(artefacts / f"article-{scheme}.png"), full_page=True)
        page.goto(site_url + "search/index.html?q=trailing+space+NDR")
        page.wait_for_function("/found/.test(document.getElementById('search-status').textContent)")
        page.screenshot(path=str(artefacts / f"search-{scheme}.png"), full_page=True)
        context.close()
    for name in ("home", "article", "search"):
        assert (artefacts / f"{name}-light.png").stat().st_size > 10_000


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("article", ["Q254893", "Q228998"])
def test_the_release_strip_fits_the_screen_without_sideways_scrolling(browser, site_url: str, artefacts: Path,
                                                                     width: int, article: str) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url + f"{article}/index.html")
    sizes = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    cells = page.eval_on_selector_all(
        "ol.strip li.cell", "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, visible: r.width > 0 && r.height > 0}; })")
    sentence = page.inner_text("section.proof p.sentence")
    if article == "Q254893":
        page.screenshot(path=str(artefacts / f"article-strip-{width}.png"), full_page=False)
    context.close()
    assert sizes["scroll"] <= sizes["inner"], sizes
    assert cells and all(c["visible"] and c["left"] >= 0 and c["right"] <= sizes["inner"] for c in cells)
    # The strip comes before the article's text: its first cell is on the first screen.
    assert cells[0]["top"] < 900
    assert sentence


def test_verdicts_are_distinguishable_without_colour(page, site_url: str) -> None:
    seen: dict[str, set[str]] = {}
    for article in ("Q254893", "Q228998"):
        page.goto(site_url + f"{article}/index.html")
        for css, text in page.eval_on_selector_all(
                "ol.strip li.cell", "els => els.map(e => [[...e.classList].find(c => c.startsWith('verdict-')),"
                                    " e.querySelector('.verdict').innerText.trim()])"):
            seen.setdefault(css, set()).add(text)
    assert {"verdict-pass", "verdict-fail", "verdict-none"} <= set(seen)
    # Each verdict class reads as one icon + word, and no two classes read the same.
    assert all(len(texts) == 1 for texts in seen.values()), seen
    words = [next(iter(texts)) for texts in seen.values()]
    assert len(set(words)) == len(words)
    assert all(re.match(r"^\S+\s+\w", word) for word in words), words  # icon, then a word


@pytest.mark.parametrize("width", [390, 1366])
def test_no_table_overflows_its_column(browser, site_url: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    overflowing = []
    for path in ("Q254893/index.html", "Q241740/index.html", "Q233353/index.html"):
        page.goto(site_url + path)
        overflowing += page.eval_on_selector_all(
            "main table", "els => els.filter(t => t.getBoundingClientRect().right >"
                          " t.parentElement.getBoundingClientRect().right + 0.5 || t.scrollWidth > t.clientWidth + 1)"
                          ".map(t => location.pathname + ': ' + (t.caption ? t.caption.innerText : t.className))")
    context.close()
    assert overflowing == []


def test_unknown_is_explained_where_it_appears(page, site_url: str) -> None:
    page.goto(site_url + "Q254893/index.html")
    unknown = page.locator("ol.strip .claim-unknown").first
    assert unknown.get_attribute("title") == "The article does not judge this release"
    assert "does not judge this release" in page.inner_text("dl.legend")


def test_the_404_page_answers_a_missing_address(page, site_url: str) -> None:
    reply = page.goto(site_url + "no/such/page.html")
    assert reply.status == 404
    assert page.inner_text("h1") == "Page not found"
    # Its stylesheet loads from the site root, whatever the depth of the missing address.
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).borderBottomStyle") == "solid"
