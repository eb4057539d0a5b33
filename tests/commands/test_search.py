"""kb search / kb index through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli

from kb_roots import shipped_kb  # type: ignore[import-not-found]



def test_search_json_lists_q254893_first_for_trailing_space_ndr(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(shipped_kb(tmp_path / "kb"))
    result = CliRunner().invoke(cli, ["search", "trailing space NDR", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["results"][0]["id"] == "Q254893"
    assert document["query"] == "trailing space NDR"
    assert (tmp_path / "kb" / ".kb" / "search.sqlite").is_file()


def test_search_prints_id_title_and_snippet(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(shipped_kb(tmp_path / "kb"))
    result = CliRunner().invoke(cli, ["search", "Send Again", "--limit", "1"])
    assert result.exit_code == 0, result.output
    first, snippet = result.stdout.splitlines()[:2]
    assert first.startswith("Q254893  XFOR: Internet Mail Service Does Not Generate the NDR")
    assert "[Send] [Again]" in snippet


def test_search_filters_by_release_accepting_an_alias(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(shipped_kb(tmp_path / "kb"))
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "NDR", "--release", "Exchange 5.5 SP3", "--json", "--limit", "50"])
    assert result.exit_code == 0, result.output
    narrowed = [hit["id"] for hit in json.loads(result.stdout)["results"]]
    everything = [hit["id"] for hit in json.loads(runner.invoke(cli, ["search", "NDR", "--json", "--limit", "50"]).stdout)["results"]]
    assert "Q254893" in narrowed
    assert set(narrowed) < set(everything)
    assert json.loads(runner.invoke(cli, ["search", "NDR", "--kind", "by-design", "--json"]).stdout)["results"] == []


def test_search_with_no_match_says_so_on_stderr_and_exits_1_like_grep(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(shipped_kb(tmp_path / "kb"))
    result = CliRunner().invoke(cli, ["search", "xyzzyplugh"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No articles match 'xyzzyplugh'." in result.stderr


def test_json_with_no_match_prints_the_empty_document_and_exits_1(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(shipped_kb(tmp_path / "kb"))
    result = CliRunner().invoke(cli, ["search", "xyzzyplugh", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["results"] == []


def test_an_unknown_kind_is_a_usage_error_naming_the_kinds(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(shipped_kb(tmp_path / "kb"))
    result = CliRunner().invoke(cli, ["search", "NDR", "--kind", "fixd"])
    assert result.exit_code == 2 and "Error: Invalid value for '--kind': 'fixd' is not one of" in result.stderr
    assert "'fixed-latest-sp'" in result.stderr


def test_index_rebuilds_the_search_index(tmp_path: Path, monkeypatch) -> None:
    root = shipped_kb(tmp_path / "kb")
    monkeypatch.chdir(root)
    count = len(list((root / "articles").glob("Q*.yaml")))
    result = CliRunner().invoke(cli, ["index", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"articles": count, "errors": [], "indexed": count, "removed": 0}


def test_a_corrupt_index_file_is_a_one_line_error(tmp_path: Path, monkeypatch) -> None:
    root = shipped_kb(tmp_path / "kb")
    (root / ".kb").mkdir()
    (root / ".kb" / "search.sqlite").write_bytes(b"not a database" * 100)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["search", "NDR"])
    assert result.exit_code == 1
    assert "cannot open the search index" in result.stderr and "kb index" in result.stderr
    assert CliRunner().invoke(cli, ["index"]).exit_code == 0


def index_rows(root: Path) -> list[list[tuple]]:
    """Return every row of the search index of ``root``, table by table, in a stable order."""
    import sqlite3

    db = sqlite3.connect(root / ".kb" / "search.sqlite")
    try:
        return [db.execute(query).fetchall() for query in (
            "SELECT rowid, ids, title, body, keywords FROM docs ORDER BY rowid",
            "SELECT doc, key, value FROM facets ORDER BY doc, key, value",
            "SELECT * FROM records ORDER BY file")]
    finally:
        db.close()


def test_index_in_parallel_builds_the_index_a_serial_run_builds(tmp_path: Path, monkeypatch) -> None:
    import kb.site.fts
    from kb import record_cache

    root = shipped_kb(tmp_path / "kb")
    monkeypatch.chdir(root)
    monkeypatch.setattr(kb.site.fts, "PARALLEL_CHUNK", 2)  # a few records are enough for workers
    runner = CliRunner()
    assert runner.invoke(cli, ["index", "-j", "1"]).exit_code == 0
    serial = index_rows(root)
    record_cache.clear(root)  # the workers parse every record themselves
    parallel = runner.invoke(cli, ["index", "-j", "2", "--json"])
    assert parallel.exit_code == 0, parallel.output
    assert json.loads(parallel.stdout)["indexed"] == len(serial[2]) > 30
    assert index_rows(root) == serial
    assert runner.invoke(cli, ["index", "-j", "2"]).exit_code == 0  # from the cache this time
    assert index_rows(root) == serial


def refuse_parsing(monkeypatch) -> None:
    """Make any parse of a record's YAML fail the test (kb.store's loader and the one it comes from)."""
    import kb.store
    import kb.yaml_text

    def refuse(text: str, path: str, loader: object = None) -> dict:
        raise AssertionError(f"{path}: parsed again")

    monkeypatch.setattr(kb.store, "loads", refuse)
    monkeypatch.setattr(kb.yaml_text, "loads", refuse)


def test_index_reads_records_from_the_cache_when_they_are_unchanged(tmp_path: Path, monkeypatch) -> None:
    root = shipped_kb(tmp_path / "kb")
    monkeypatch.chdir(root)
    runner = CliRunner()
    assert runner.invoke(cli, ["index"]).exit_code == 0

    refuse_parsing(monkeypatch)
    again = runner.invoke(cli, ["index", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["errors"] == []


def test_index_after_a_site_build_parses_no_record_again(tmp_path: Path, monkeypatch) -> None:
    root = shipped_kb(tmp_path / "kb")
    monkeypatch.chdir(root)
    runner = CliRunner()
    built = runner.invoke(cli, ["site", "build", "--no-search", "--out", str(tmp_path / "site")])
    assert built.exit_code == 0, built.output

    refuse_parsing(monkeypatch)
    indexed = runner.invoke(cli, ["index", "--json"])
    assert indexed.exit_code == 0, indexed.output
    assert json.loads(indexed.stdout)["errors"] == []
