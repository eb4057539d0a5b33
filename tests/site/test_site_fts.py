"""The SQLite FTS5 index behind kb search: ranking, ids, filters, refresh."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    count = len(list((kb_root / "articles").glob("Q*.yaml")))
    first = refresh(kb_root)
    again = refresh(kb_root)
    assert first["indexed"] == first["articles"] == count
    assert (again["indexed"], again["removed"]) == (0, 0)


def test_a_forced_rebuild_indexes_everything_again(kb_root: Path) -> None:
    refresh(kb_root)
    assert refresh(kb_root, force=True)["indexed"] == len(list((kb_root / "articles").glob("Q*.yaml")))


# --- archive scale: the same results as before, and a freshness check in two stat calls ----

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "search-golden.json"


def corpus_sample_kb(root: Path, corpus: Path) -> Path:
    """Import every 40th article of the corpus (160 records) into a knowledge base at ``root``."""
    from kb.importer import build_record
    from kb.store import dump_article

    if not (corpus / "exchange").is_dir():
        pytest.skip(f"{corpus}: not the shared corpus (no exchange/ folder); the golden results are its")
    articles = root / "articles"
    articles.mkdir(parents=True)
    for source in sorted((corpus / "exchange").glob("Q*.TXT"))[::40]:
        article = build_record(source)
        dump_article(article, articles / f"{article.id}.yaml")
    return root


def test_a_fixed_query_set_finds_what_the_search_found_before_it_was_made_fast(
        tmp_path: Path, corpus: Path) -> None:
    # search-golden.json holds what kb search returned for these queries (top 20, ranked, with
    # snippets) before the bounded query plan: common words, phrases, ids, rare words, filters.
    import json

    root = corpus_sample_kb(tmp_path / "kb", corpus)
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for key, want in sorted(expected.items()):
        query, _, given = key.partition(" | ")
        hits = search(root, query, limit=20, filters=json.loads(given) if given else None)
        assert [(h.id, h.snippet) for h in hits] == [(i, snip) for i, _, snip in want], key
        assert [round(h.score, 4) for h in hits] == [round(score, 4) for _, score, _ in want], key


def settle(root: Path) -> None:
    """Age the articles folder past the racy window, as a folder untouched for a while is."""
    import os
    import time

    old = time.time() - 60
    os.utime(root / "articles", (old, old))


def test_a_search_with_the_articles_folder_unchanged_looks_at_no_record(kb_root: Path, monkeypatch) -> None:
    from kb.site import records

    settle(kb_root)
    refresh(kb_root)
    refresh(kb_root)  # the folder's signature is trusted once it is old enough

    def no_scan(folder: Path) -> list:
        raise AssertionError("the records were scanned")

    monkeypatch.setattr(records, "scan_records", no_scan)
    assert ids(search(kb_root, "trailing space NDR"))[0] == "Q254893"


def test_a_record_saved_through_a_rename_is_found_by_the_next_search(kb_root: Path) -> None:
    from kb.files import write_atomic

    settle(kb_root)
    refresh(kb_root)
    record = kb_root / "articles" / "Q233353.yaml"
    write_atomic(record, record.read_text(encoding="utf-8").replace(
        "OLE Attachment Replaced", "OLE Attachment Zanzibarified", 1))
    assert ids(search(kb_root, "Zanzibarified")) == ["Q233353"]
    (kb_root / "articles" / "Q233353.yaml").unlink()
    assert ids(search(kb_root, "Zanzibarified")) == []


def test_a_record_edited_in_place_is_found_once_the_records_are_checked_again(
        kb_root: Path, monkeypatch) -> None:
    import os
    import time

    from kb.site import fts

    settle(kb_root)
    refresh(kb_root)
    record = kb_root / "articles" / "Q233353.yaml"
    folder = os.stat(kb_root / "articles")
    record.write_text(record.read_text(encoding="utf-8").replace(
        "OLE Attachment Replaced", "OLE Attachment Zanzibarified", 1), encoding="utf-8")
    os.utime(kb_root / "articles", ns=(folder.st_atime_ns, folder.st_mtime_ns))
    assert ids(search(kb_root, "Zanzibarified")) == []  # within RESCAN_SECONDS: not looked at
    later = time.time() + fts.RESCAN_SECONDS + 1
    monkeypatch.setattr(fts.time, "time", lambda: later)
    assert ids(search(kb_root, "Zanzibarified")) == ["Q233353"]


def test_new_verify_results_change_the_verification_filter(kb_root: Path) -> None:
    import json

    settle(kb_root)
    assert ids(search(kb_root, "NDR", filters={"verification": "verified"})) == ["Q254893"]
    results = kb_root / ".kb" / "verify-results.json"
    data = json.loads(results.read_text(encoding="utf-8"))
    for entry in data["articles"]:
        if entry["id"] == "Q254893":
            entry["results"][0]["verdict"] = "fail"
    results.write_text(json.dumps(data), encoding="utf-8")
    assert ids(search(kb_root, "NDR", filters={"verification": "verified"})) == []
    assert ids(search(kb_root, "NDR", filters={"verification": "failing"})) == ["Q254893"]


def test_kb_index_replaces_the_index_file_whole(kb_root: Path) -> None:
    first = refresh(kb_root, force=True)
    assert first["indexed"] == first["articles"]
    assert not index_path(kb_root).with_name("search.sqlite.new").exists()
    assert ids(search(kb_root, "trailing space NDR"))[0] == "Q254893"


def test_a_rebuild_tells_its_progress_up_to_every_record(kb_root: Path) -> None:
    told: list[tuple[int, int]] = []
    counts = refresh(kb_root, force=True, progress=lambda done, total: told.append((done, total)))
    assert told and told[-1] == (counts["articles"], counts["articles"])
    assert [done for done, _ in told] == sorted(done for done, _ in told)
