"""The static site build: pages, escaping, links, index pages, incremental rebuilds."""

from __future__ import annotations

import re
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


def test_the_status_shows_a_release_table_from_the_lattice(built_site: Path) -> None:
    page = html(built_site, "Q254893/index.html")
    assert re.search(r"Exchange Server 5\.5 SP3</th><td><span class=\"state state-affected\">affected", page)
    assert re.search(r"Exchange Server 5\.5 SP4</th><td><span class=\"state state-fixed\">first fixed", page)


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
    external = re.compile(r'(?:src|href)="(?:https?:)?//|url\((?:https?:)?//|@import')
    for path in list(built_site.rglob("*.html")) + list((built_site / "static").iterdir()):
        if "pagefind" in path.parts:
            continue
        assert not external.search(path.read_text(encoding="utf-8")), path


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
