"""The SQLite FTS5 index behind kb search: ranking, ids, filters, refresh."""

from __future__ import annotations

from pathlib import Path

from kb.site.fts import index_path, match_expression, refresh, search


def ids(hits: list) -> list[str]:
    """Return the article ids of some hits."""
    return [hit.id for hit in hits]


def test_trailing_space_ndr_ranks_q254893_first(kb_root: Path) -> None:
    hits = search(kb_root, "trailing space NDR")
    assert ids(hits)[0] == "Q254893"


def test_trailing_space_alone_finds_both_trailing_space_articles(kb_root: Path) -> None:
    assert {"Q254893", "Q228998"} <= set(ids(search(kb_root, "trailing space")))


def test_an_article_number_with_or_without_q_finds_the_article(kb_root: Path) -> None:
    assert ids(search(kb_root, "Q254893"))[0] == "Q254893"
    assert ids(search(kb_root, "254893"))[0] == "Q254893"


def test_an_event_id_finds_the_articles_that_quote_it(kb_root: Path) -> None:
    assert "Q254893" in ids(search(kb_root, "4120"))


def test_hits_carry_a_snippet_with_the_matched_words_marked(kb_root: Path) -> None:
    hit = search(kb_root, "trailing space NDR")[0]
    assert "[trailing]" in hit.snippet.lower() or "[ndr]" in hit.snippet.lower()


def test_a_filter_narrows_the_results(kb_root: Path) -> None:
    everything = ids(search(kb_root, "NDR", limit=100))
    verified = ids(search(kb_root, "NDR", limit=100, filters={"verification": "verified"}))
    assert verified == ["Q254893"]
    assert len(everything) > len(verified)
    assert ids(search(kb_root, "NDR", filters={"kind": "no-such-kind"})) == []


def test_a_release_filter_accepts_the_canonical_name(kb_root: Path) -> None:
    hits = search(kb_root, "NDR", limit=100, filters={"release": "Exchange Server 5.5 SP3"})
    assert "Q254893" in ids(hits)


def test_query_syntax_is_taken_as_plain_words(kb_root: Path) -> None:
    assert match_expression('NDR" OR (x*') == '"NDR" "OR" "x"'
    search(kb_root, 'NDR" OR (x* NEAR(')  # must not raise


def test_the_index_is_built_when_missing_and_refreshed_when_a_record_changes(kb_root: Path) -> None:
    assert not index_path(kb_root).exists()
    search(kb_root, "NDR")
    assert index_path(kb_root).is_file()
    record = kb_root / "articles" / "Q233353.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "OLE Attachment Replaced", "OLE Attachment Zanzibarified", 1), encoding="utf-8")
    assert ids(search(kb_root, "Zanzibarified")) == ["Q233353"]
    record.unlink()
    assert ids(search(kb_root, "Zanzibarified")) == []


def test_a_refresh_with_nothing_changed_reads_no_record(kb_root: Path) -> None:
    first = refresh(kb_root)
    again = refresh(kb_root)
    records = len(list((kb_root / "articles").glob("Q*.yaml")))  # never a typed count (GUIDE)
    assert first["indexed"] == first["articles"] == records
    assert (again["indexed"], again["removed"]) == (0, 0)


def test_a_forced_rebuild_indexes_everything_again(kb_root: Path) -> None:
    refresh(kb_root)
    assert refresh(kb_root, force=True)["indexed"] == len(list((kb_root / "articles").glob("Q*.yaml")))
