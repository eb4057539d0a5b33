"""kb.resolve: files, ids and folders name articles the same way for every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.exceptions import NotFoundError
from kb.resolve import ANY, RECORDS, article_paths, one_article, resolve_articles


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    """Return an articles folder with two records, a classic text and a hidden folder."""
    articles = tmp_path / "articles"
    (articles / "sub").mkdir(parents=True)
    (articles / ".kb").mkdir()
    for name in ("Q100001.yaml", "sub/Q100002.yml", "Q100003.TXT", ".kb/Q100009.yaml", "notes.md", ".yaml",
                 "Q100004.md"):
        (articles / name).write_text("x", encoding="utf-8")
    return articles


def test_a_folder_gives_its_articles_of_the_kinds_asked_sub_folders_too_hidden_ones_not(kb: Path) -> None:
    # A .md file is an article when named by an id (Q100004.md), not notes.md beside the articles.
    assert [p.name for p in article_paths([str(kb)], kb, RECORDS)] == ["Q100001.yaml", "Q100004.md", "Q100002.yml"]
    assert [p.name for p in article_paths([str(kb)], kb, ANY)] == ["Q100001.yaml", "Q100003.TXT", "Q100004.md",
                                                                  "Q100002.yml"]


def test_an_id_in_any_spelling_finds_the_record_in_the_articles_folder(kb: Path) -> None:
    for name in ("Q100001", "q100001", "100001"):
        assert article_paths([name], kb) == [kb / "Q100001.yaml"]


def test_a_file_is_taken_as_it_is_and_named_twice_resolves_once(kb: Path) -> None:
    record = str(kb / "Q100001.yaml")
    assert article_paths([record, "Q100001", str(kb / "Q100003.TXT")], kb) == [Path(record), kb / "Q100003.TXT"]


def test_a_name_that_is_nothing_gives_its_one_line_error_and_the_others_still_resolve(kb: Path) -> None:
    resolved = resolve_articles(["Q999999", "nope/", "Q100001"], kb)
    assert [item.error for item in resolved] == [
        f"Q999999: no such article in {kb} (expected Q999999.yaml or Q999999.md there)",
        "nope/: no such file, folder or article id",
        None,
    ]
    with pytest.raises(NotFoundError, match="Q999999: no such article"):
        article_paths(["Q999999"], kb)


def test_one_article_refuses_a_folder(kb: Path) -> None:
    with pytest.raises(NotFoundError, match="is a folder; name one article"):
        one_article(str(kb), kb)


def test_a_new_article_format_is_one_table_entry(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("kb.resolve").resolve.ARTICLE_FORMATS, ".md", "record")
    (kb / "Q100004.md").write_text("x", encoding="utf-8")
    assert article_paths(["Q100004"], kb) == [kb / "Q100004.md"]
    assert kb / "Q100004.md" in article_paths([str(kb)], kb, RECORDS)
