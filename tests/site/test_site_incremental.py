"""Incremental site builds: a rebuild writes exactly what a build from scratch would, and skips
only what is unchanged (records, verify results, reference targets, code, deleted pages)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.site import build as site_build
from kb.site import build_site
from kb.site.manifest import MANIFEST_NAME, SHARDS_NAME, shard_of


def build(root: Path, out: str = "site", **options: object):
    """Build the site of ``root`` into ``root/out`` without the search bundle."""
    options.setdefault("search", False)
    return build_site(root / "articles", root / out,
                      verify_results=root / ".kb" / "verify-results.json", **options)


def files_of(site: Path) -> dict[str, bytes]:
    """Return every published file of a site (not the manifest) by relative path."""
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and not p.relative_to(site).parts[0].startswith(".kb-site-manifest")}


def retitle(root: Path, article_id: str, prefix: str) -> None:
    """Change one record's title (prefix it)."""
    record = root / "articles" / f"{article_id}.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("\ntitle: ", f"\ntitle: {prefix} ", 1), encoding="utf-8")


def test_an_incremental_rebuild_writes_the_same_bytes_as_a_build_from_scratch(kb_root: Path) -> None:
    build(kb_root)
    retitle(kb_root, "Q254893", "Changed")
    (kb_root / "articles" / "Q233353.yaml").unlink()
    results = kb_root / ".kb" / "verify-results.json"
    results.write_text(results.read_text().replace('"verdict": "fail"', '"verdict": "pass"'))
    build(kb_root)
    build(kb_root, out="fresh")
    assert files_of(kb_root / "site") == files_of(kb_root / "fresh")


def test_a_reference_target_that_disappears_or_reappears_rerenders_the_page_citing_it(kb_root: Path) -> None:
    build(kb_root)
    site = kb_root / "site"
    target = kb_root / "articles" / "Q228998.yaml"
    kept = target.read_bytes()
    target.unlink()
    citing = site / "Q241740" / "index.html"
    before = citing.stat().st_mtime_ns
    gone = build(kb_root)
    assert gone.rendered_articles == 1 and citing.stat().st_mtime_ns != before  # Q241740
    assert '<a href="../Q228998/index.html">' not in (site / "Q241740" / "index.html").read_text()
    target.write_bytes(kept)
    back = build(kb_root)
    assert back.rendered_articles == 2  # Q228998 itself, and Q241740 that links to it again
    assert '<a href="../Q228998/index.html">Q228998</a>' in (site / "Q241740" / "index.html").read_text()


def test_a_change_to_the_site_code_rerenders_every_page(kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build(kb_root)
    monkeypatch.setattr(site_build, "code_digest", lambda: "another version of the code")
    again = build(kb_root)
    assert (again.rendered_articles, again.rendered_indexes) == (first.articles, first.index_pages)


def test_the_code_digest_covers_the_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = site_build.code_digest()
    copy = tmp_path / "templates"
    shutil.copytree(site_build.template_dir(), copy)
    (copy / "list.html.j2").write_text((copy / "list.html.j2").read_text() + "\n", encoding="utf-8")
    monkeypatch.setattr(site_build, "template_dir", lambda: copy)
    assert site_build.code_digest() != before


@pytest.mark.parametrize("changed", ["releases/lattice.py", "render/markdown.py", "model.py", "markdown_source.py",
                                     "front_matter.py", "article_lints.py", "coverage.yaml"])
def test_the_code_digest_covers_the_code_a_page_is_made_with(
        changed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = site_build.data_path
    copy = tmp_path / "kb"
    for package in ("site", "render", "releases"):
        shutil.copytree(real(package), copy / package)
    for module in ("model.py", "markdown_source.py", "front_matter.py", "article_lints.py", "coverage.py",
                   "coverage.yaml"):
        shutil.copy(real(module), copy / module)
    monkeypatch.setattr(site_build, "data_path", lambda *parts: copy.joinpath(*parts))
    before = site_build.code_digest()
    (copy / changed).write_text((copy / changed).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert site_build.code_digest() != before


def test_a_deleted_article_page_is_written_again(kb_root: Path) -> None:
    build(kb_root)
    page = kb_root / "site" / "Q254893" / "index.html"
    kept = page.read_bytes()
    page.unlink()
    report = build(kb_root)
    assert report.rendered_articles == 1 and page.read_bytes() == kept


def test_a_deleted_article_folder_is_written_again(kb_root: Path) -> None:
    build(kb_root)
    shutil.rmtree(kb_root / "site" / "Q254893")
    report = build(kb_root)
    assert report.rendered_articles == 1 and (kb_root / "site" / "Q254893" / "index.html").is_file()


def test_a_deleted_index_page_is_written_again(kb_root: Path) -> None:
    build(kb_root)
    page = kb_root / "site" / "articles" / "index.html"
    kept = page.read_bytes()
    page.unlink()
    report = build(kb_root)
    assert (report.rendered_articles, report.rendered_indexes) == (0, 1) and page.read_bytes() == kept


def test_changing_one_record_rewrites_only_its_manifest_shard(kb_root: Path) -> None:
    build(kb_root)
    shards = kb_root / "site" / SHARDS_NAME
    before = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    retitle(kb_root, "Q254893", "Changed")
    build(kb_root)
    after = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    assert set(after) == set(before)
    assert [name for name in after if after[name] != before[name]] == [f"{shard_of('Q254893.yaml'):02d}.json"]


def test_a_manifest_that_cannot_be_read_makes_a_full_build(kb_root: Path) -> None:
    first = build(kb_root)
    (kb_root / "site" / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    again = build(kb_root)
    assert (again.rendered_articles, again.rendered_indexes) == (first.articles, first.index_pages)
    assert build(kb_root).rendered_articles == 0


def test_a_damaged_manifest_shard_rerenders_only_its_records(kb_root: Path) -> None:
    build(kb_root)
    shard = kb_root / "site" / SHARDS_NAME / f"{shard_of('Q254893.yaml'):02d}.json"
    shard.write_text('{"version": 3, "records": {"Q254893.yaml": [1, 2]}}', encoding="utf-8")
    again = build(kb_root)
    assert 1 <= again.rendered_articles < again.articles
    assert build(kb_root).rendered_articles == 0
    build(kb_root, out="fresh")
    assert files_of(kb_root / "site") == files_of(kb_root / "fresh")


def test_a_manifest_of_an_older_version_makes_a_full_build_and_is_replaced(kb_root: Path) -> None:
    first = build(kb_root)
    manifest = kb_root / "site" / MANIFEST_NAME
    manifest.write_text('{"version": 2, "code": "", "records": {}, "pages": {}}', encoding="utf-8")
    assert build(kb_root).rendered_articles == first.articles
    assert '"version":3' in manifest.read_text(encoding="utf-8")


def test_a_template_edited_between_two_builds_of_one_process_is_used_by_the_second(
        kb_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.site import pages

    templates = tmp_path / "templates"
    shutil.copytree(pages.template_dir(), templates)
    monkeypatch.setattr(pages, "template_dir", lambda: templates)
    monkeypatch.setattr(site_build, "template_dir", lambda: templates)
    build(kb_root)
    article = templates / "article.html.j2"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "<article data-pagefind-body>", "<article data-pagefind-body data-edited=\"yes\">"), encoding="utf-8")
    build(kb_root)  # as `kb site serve` does when it sees the edit
    assert 'data-edited="yes"' in (kb_root / "site" / "Q254893" / "index.html").read_text(encoding="utf-8")
