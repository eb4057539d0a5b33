"""The static site build: pages, escaping, links, index pages, incremental rebuilds."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kb.site import build_site
from kb.site import indexes


def build(root: Path, **options: object):
    """Build the site of ``root`` without the search bundle unless asked."""
    options.setdefault("search", False)
    return build_site(root / "articles", root / "site",
                      verify_results=root / ".kb" / "verify-results.json", **options)


def html(site: Path, page: str) -> str:
    """Return the text of one page of the site."""
    return (site / page).read_text(encoding="utf-8")


def test_every_article_gets_a_page_listed_by_the_all_articles_index(built_site: Path) -> None:
    records = {p.stem for p in (built_site.parent / "articles").glob("Q*.yaml")}
    pages = {p.parent.name for p in built_site.glob("Q*/index.html")}
    assert pages == records
    listed = set(re.findall(r'href="\.\./(Q\d+)/index\.html"', html(built_site, "articles/index.html")))
    assert listed == records


def test_a_title_with_double_angle_brackets_renders_escaped(built_site: Path) -> None:
    page = html(built_site, "Q233353/index.html")
    assert "OLE Attachment Replaced with &lt;&lt;.&gt;&gt;" in page
    assert "<<.>>" not in page


def test_angle_bracketed_text_in_the_body_renders_escaped(built_site: Path) -> None:
    page = html(built_site, "Q182010/index.html")
    assert "POSTMASTER@&lt;local_domain.ext&gt;" in page
    assert "<local_domain.ext>" not in page


def test_a_transcript_with_markup_is_shown_as_text(built_site: Path) -> None:
    page = html(built_site, "Q228998/index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def test_a_reference_in_the_kb_links_to_its_page_and_others_are_marked(built_site: Path) -> None:
    page = html(built_site, "Q241740/index.html")
    assert '<a href="../Q228998/index.html">Q228998</a>' in page
    q254893 = html(built_site, "Q254893/index.html")
    assert re.search(r'ref-missing">Q191914 .*?not in this knowledge base', q254893)


def strip_cells(page: str) -> dict[str, str]:
    """Return the release strip's cells of a page: release name -> the cell's text."""
    cells = re.findall(r'<li class="cell (verdict-\w+)[^"]*">\s*<span class="rel" title="([^"]+)">(.*?)</li>',
                       page, re.S)
    return {release: " ".join([css, *re.sub(r"<[^>]+>", " ", body).split()]) for css, release, body in cells}


def test_the_release_strip_shows_what_the_article_claims_and_what_the_repro_saw(built_site: Path) -> None:
    cells = strip_cells(html(built_site, "Q254893/index.html"))
    assert cells["Exchange Server 5.5 SP3"] == "verdict-pass SP3 claims affected saw symptom ✓ pass"
    assert cells["Exchange Server 5.5 SP4"] == "verdict-pass SP4 claims first fixed saw no symptom ✓ pass"
    # Releases the article does not judge have no result in the fixture: claimed unknown, not run.
    assert cells["Exchange Server 5.5 SP1"] == "verdict-none SP1 claims unknown – not run"
    assert cells["Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"].startswith("verdict-none SP3 + Store.exe")


def test_the_strip_comes_with_its_sentence_and_a_legend(built_site: Path) -> None:
    page = html(built_site, "Q254893/index.html")
    sentence = re.search(r'<p class="sentence">(.*?)</p>', page).group(1)
    assert sentence.startswith("Reproduced on 5.5 SP3; absent on SP4; not run on SP3 + Store.exe 5.5.2652.17; "
                               "5.5 RTM–SP2 not claimed by the article")
    assert "the article does not judge" in re.sub(r"\s+", " ", page)
    failing = html(built_site, "Q228998/index.html")
    assert "verdict-fail" in failing and "✗</span> fail" in failing
    assert re.search(r'<p class="sentence">[^<]*[Nn]ot reproduced on 5\.5 SP2, which the article says is affected',
                     failing)


def test_the_article_page_says_when_the_proof_last_ran(built_site: Path) -> None:
    page = html(built_site, "Q254893/index.html")
    assert 'Proof last run <time datetime="2026-11-28T10:00:01Z">2026-11-28 10:00:01 UTC</time>' in page
    assert page.count("<table") == page.count('<table class="event"')


def test_verification_badges_follow_the_last_verify_results(built_site: Path) -> None:
    assert "badge-verified" in html(built_site, "Q254893/index.html")
    assert "badge-failing" in html(built_site, "Q228998/index.html")
    verified = html(built_site, "verification/verified/index.html")
    assert "Q254893" in verified and "Q228998" not in verified
    assert "Q228998" in html(built_site, "verification/failing/index.html")


def test_the_event_log_entry_is_a_table(built_site: Path) -> None:
    page = html(built_site, "Q254893/index.html")
    assert re.search(r'<table class="event"><caption>Event 4120</caption>.*?MSExchangeIMC', page)


def test_index_pages_exist_for_every_facet(built_site: Path) -> None:
    for facet in ("product", "release", "category", "prefix", "status", "keyword", "verification"):
        assert (built_site / facet / "index.html").is_file(), facet
    assert "Q254893" in html(built_site, "prefix/xfor/index.html")
    assert "Q254893" in html(built_site, "status/fixed/index.html")
    home = html(built_site, "index.html")
    count = len(list((built_site.parent / "articles").glob("Q*.yaml")))
    assert re.search(rf"<strong>{count}</strong> articles", home)


def test_no_page_asks_for_anything_outside_the_site(built_site: Path) -> None:
    # Loads only: a download link (<a href>) is the reader's choice, not a request of the page.
    external = re.compile(r'src="(?:https?:)?//|<link(?![^>]*rel="canonical")[^>]*href="(?:https?:)?//|url\((?:https?:)?//|@import')
    for path in list(built_site.rglob("*.html")) + list((built_site / "static").iterdir()):
        if "pagefind" in path.parts:
            continue
        assert not external.search(path.read_text(encoding="utf-8")), path


def test_download_urls_are_links_and_other_schemes_stay_text(built_site: Path) -> None:
    page = html(built_site, "Q254893/index.html")
    assert ('<a class="url" href="http://www.microsoft.com/downloads/release.asp?ReleaseID=25443" '
            'rel="nofollow noopener">') in page
    from kb.site.body import _LINKABLE

    assert _LINKABLE.match("ftp://ftp.microsoft.com/bussys/exchange/")
    assert not _LINKABLE.match("javascript:alert(1)") and not _LINKABLE.match('http://x" onmouseover="y')


def test_lists_are_paginated_so_no_page_lists_every_article(kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexes, "PAGE_SIZE", 5)
    pages = -(-len(list((kb_root / "articles").glob("Q*.yaml"))) // 5)
    build(kb_root)
    site = kb_root / "site"
    first = html(site, "articles/index.html")
    assert len(re.findall(r'class="id">Q', first)) == 5
    assert 'rel="next" href="2.html"' in first
    assert (site / "articles" / f"{pages}.html").is_file() and not (site / "articles" / f"{pages + 1}.html").exists()


def test_a_rebuild_with_nothing_changed_renders_nothing(kb_root: Path) -> None:
    build(kb_root)
    again = build(kb_root)
    assert (again.rendered_articles, again.rendered_indexes, again.removed) == (0, 0, 0)


def test_changing_one_article_rerenders_only_its_page_and_the_indexes_it_shows_on(kb_root: Path) -> None:
    build(kb_root)
    site = kb_root / "site"
    untouched = (site / "Q228998" / "index.html").stat().st_mtime_ns
    record = kb_root / "articles" / "Q254893.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("Does Not Generate the NDR", "Does Not Generate the Second NDR", 1),
                      encoding="utf-8")
    report = build(kb_root)
    assert report.rendered_articles == 1
    assert 0 < report.rendered_indexes < report.index_pages
    assert "Does Not Generate the Second NDR" in html(site, "Q254893/index.html")
    assert "Does Not Generate the Second NDR" in html(site, "articles/index.html")
    assert (site / "Q228998" / "index.html").stat().st_mtime_ns == untouched


def test_new_verify_results_rerender_the_article_they_concern(kb_root: Path) -> None:
    build(kb_root)
    results = kb_root / ".kb" / "verify-results.json"
    results.write_text(results.read_text().replace('"verdict": "fail"', '"verdict": "pass"'))
    report = build(kb_root)
    assert report.rendered_articles == 1
    assert "badge-verified" in html(kb_root / "site", "Q228998/index.html")


def test_removing_an_article_removes_its_page_and_its_listing(kb_root: Path) -> None:
    build(kb_root)
    (kb_root / "articles" / "Q233353.yaml").unlink()
    report = build(kb_root)
    site = kb_root / "site"
    assert report.removed >= 1
    assert not (site / "Q233353").exists()
    assert "Q233353" not in html(site, "articles/index.html")


def test_a_record_that_does_not_load_is_reported_and_the_others_still_build(kb_root: Path) -> None:
    count = len(list((kb_root / "articles").glob("Q*.yaml")))
    (kb_root / "articles" / "Q999999.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    report = build(kb_root)
    assert len(report.errors) == 1 and report.errors[0].startswith(str(kb_root / "articles" / "Q999999.yaml"))
    assert report.articles == count
    assert (kb_root / "site" / "Q254893" / "index.html").is_file()


def test_a_record_that_breaks_the_schema_where_the_page_needs_it_gets_a_located_error(
        kb_root: Path) -> None:
    record = kb_root / "articles" / "Q254893.yaml"
    text = record.read_text(encoding="utf-8")
    start, end = text.index("applies_to:\n"), text.index("sections:\n")
    record.write_text(text[:start] + "applies_to: 5\n" + text[end:], encoding="utf-8")
    report = build(kb_root)
    line = text[:start].count("\n") + 1
    (error,) = report.errors
    assert error.startswith(f"{record}:{line}: applies_to") and "is not of type 'array'" in error


class _PagefindMarks(HTMLParser):
    """Record each data-pagefind-* attribute of a page and whether it lies inside Pagefind's root."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root, self.depth, self.roots = root, 0, 0
        self.outside: list[str] = []
        self.inside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marks = [name for name, _ in attrs if name.startswith("data-pagefind-")]
        if tag == self.root:
            self.roots += 1
            self.depth += 1
        (self.inside if self.depth else self.outside).extend(marks)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.root and self.depth:
            self.depth -= 1


def test_everything_pagefind_reads_lies_inside_the_root_element_it_is_given(built_site: Path) -> None:
    from kb.site.search_bundle import ROOT_SELECTOR

    for page in sorted(built_site.glob("Q*/index.html")):
        marks = _PagefindMarks(ROOT_SELECTOR)
        marks.feed(page.read_text(encoding="utf-8"))
        assert marks.roots == 1 and marks.outside == [], page
        assert {"data-pagefind-body", "data-pagefind-filter", "data-pagefind-meta"} <= set(marks.inside)


def test_the_search_bundle_is_written_at_pagefind(built_site: Path) -> None:
    assert (built_site / "pagefind" / "pagefind.js").is_file()
    assert (built_site / "pagefind" / "pagefind-entry.json").is_file()


def test_a_missing_articles_folder_is_a_clean_error(tmp_path: Path) -> None:
    from kb.exceptions import NotFoundError

    with pytest.raises(NotFoundError, match="no such articles folder"):
        build_site(tmp_path / "nope", tmp_path / "site", search=False)


def test_a_large_site_shards_its_search_bundle_and_reindexes_only_the_changed_shard(
        kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.site import search_bundle

    monkeypatch.setattr(search_bundle, "SHARD_THRESHOLD", 5)
    count = len(list((kb_root / "articles").glob("Q*.yaml")))
    # Shards of a tenth of the articles at most: ten of them, by the id's last digit.
    monkeypatch.setattr(search_bundle, "SHARD_PAGES", -(-count // 10))
    first = build(kb_root, search=True)
    site = kb_root / "site"
    assert first.search_pages == count
    ending_in_3 = [p for p in (kb_root / "articles").glob("Q*3.yaml")]
    assert (site / "pagefind" / "pagefind.js").is_file() and (site / "pagefind-3" / "pagefind-entry.json").is_file()
    assert 'data-bundles="pagefind pagefind-' in html(site, "search/index.html")
    record = kb_root / "articles" / "Q254893.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1), encoding="utf-8")
    again = build(kb_root, search=True)
    assert again.search_indexed and again.search_pages == len(ending_in_3)
    unchanged = build(kb_root, search=True)
    assert not unchanged.search_indexed


def _row(page: str, article_id: str) -> str:
    """Return the text of an article's row in a list page."""
    match = re.search(rf'<li><a href="[^"]*{article_id}/index\.html">.*?</li>', page, re.S)
    assert match, article_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip()


def test_a_release_page_says_whether_each_article_is_affected_or_fixed_on_it(built_site: Path) -> None:
    sp3 = html(built_site, f"release/{indexes.slugify('Exchange Server 5.5 SP3')}/index.html")
    sp4 = html(built_site, f"release/{indexes.slugify('Exchange Server 5.5 SP4')}/index.html")
    assert _row(sp3, "Q254893").endswith("affected on this release")
    assert _row(sp4, "Q254893").endswith("first fixed on this release")


def test_product_and_verification_lists_say_what_each_article_claims(built_site: Path) -> None:
    verified = html(built_site, "verification/verified/index.html")
    assert _row(verified, "Q254893").endswith("verified affected 5.5 SP3 · first fixed 5.5 SP4")
    product = html(built_site, "product/index.html")
    slug = re.search(r'href="([^"]+)/index\.html">Microsoft Exchange Server</a>', product).group(1)
    assert "affected 5.5 SP3 · first fixed 5.5 SP4" in _row(html(built_site, f"product/{slug}/index.html"), "Q254893")


def test_home_and_verification_pages_show_the_figures_of_kb_coverage(built_site: Path) -> None:
    from kb.coverage import coverage

    counts = coverage(built_site.parent / "articles").counts()
    assert counts["candidates"] > counts["proven"] > 0
    figure = f"<strong>{counts['proven']} of {counts['candidates']}</strong> candidate articles proven"
    assert figure in html(built_site, "index.html")
    assert figure in html(built_site, "verification/index.html")


def test_an_article_judged_not_reproducible_shows_why(kb_root: Path) -> None:
    record = kb_root / "articles" / "Q233353.yaml"
    text = record.read_text(encoding="utf-8")
    assert re.search(r"^repro: null$", text, re.M)
    record.write_text(re.sub(r"^repro: null$", "repro:\n  status: not-reproducible\n  why: 'OLE <rendering>'",
                             text, flags=re.M), encoding="utf-8")
    report = build(kb_root)
    assert report.errors == []
    page = html(kb_root / "site", "Q233353/index.html")
    assert "Judged not reproducible: OLE &lt;rendering&gt;" in page
    assert "badge-" not in re.search(r'<h2 id="h-proof">.*?</h2>', page).group(0)


def test_an_article_without_a_repro_shows_its_claims_per_release_without_verdicts(built_site: Path) -> None:
    page = html(built_site, "Q233353/index.html")
    assert '<h2 id="h-proof">Status by release</h2>' in page
    cells = strip_cells(page)
    assert cells["Exchange Server 5.5"] == "verdict-none RTM claims affected"
    assert cells["Exchange Server 5.5 SP4"] == "verdict-none SP4 claims first fixed"
    assert "not run" not in page and '<p class="sentence">The article says affected on 5.5 RTM; fixed on SP4;' in page


def test_a_candidate_without_a_repro_says_it_could_prove_itself(kb_root: Path, corpus: Path) -> None:
    from kb.importer import build_record
    from kb.store import dump_article

    dump_article(build_record(corpus / "exchange" / "Q177793.TXT"), kb_root / "articles" / "Q177793.yaml")
    build(kb_root)
    assert "kb repro init Q177793" in html(kb_root / "site", "Q177793/index.html")
    assert "kb repro init" not in html(kb_root / "site", "Q233353/index.html")  # names no simulated component


def test_worker_processes_write_the_same_pages_as_one_process(kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.site import page_writer

    serial = build_site(kb_root / "articles", kb_root / "serial", search=False, jobs=1,
                        verify_results=kb_root / ".kb" / "verify-results.json")
    monkeypatch.setattr(page_writer, "PARALLEL_THRESHOLD", 1)  # articles and index pages in two workers
    parallel = build_site(kb_root / "articles", kb_root / "parallel", search=False, jobs=2,
                          verify_results=kb_root / ".kb" / "verify-results.json")
    assert parallel.rendered_indexes == serial.rendered_indexes > 1
    pages = sorted(p.relative_to(kb_root / "serial") for p in (kb_root / "serial").rglob("*.html"))
    assert pages == sorted(p.relative_to(kb_root / "parallel") for p in (kb_root / "parallel").rglob("*.html"))
    for page in pages:
        assert (kb_root / "parallel" / page).read_bytes() == (kb_root / "serial" / page).read_bytes(), page
