"""``kb render``: ids, records and classic files to stdout or to one file per article."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from kb.cli import cli

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
Q254893_STATUS = {"kind": "fixed", "affected": ["Exchange Server 5.5 SP3"], "fixed": "Exchange Server 5.5 SP4", "hotfix": "Exchange Server 5.5 SP4", "evidence": []}


def run(*args: str) -> object:
    """Invoke ``kb`` with stdout and stderr kept apart."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture()
def kb_root(tmp_path: Path, q254893_txt: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a kb root whose articles/ holds Q254893 (with its status block); cwd is inside it."""
    from kb.store import dump_article
    from kb.text import parse

    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    article.status = dict(Q254893_STATUS)
    (tmp_path / "articles").mkdir()
    dump_article(article, tmp_path / "articles" / "Q254893.yaml")
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")  # the root is found from a subfolder too
    return tmp_path


def test_an_id_renders_as_the_golden_markdown(kb_root: Path) -> None:
    result = run("render", "Q254893", "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / "Q254893.md").read_text(encoding="utf-8")


def test_markdown_is_the_default_format(kb_root: Path) -> None:
    assert run("render", "Q254893").stdout.startswith("# Q254893: XFOR: Internet Mail Service")


def test_a_record_renders_back_to_the_original_bytes(kb_root: Path, q254893_txt: Path) -> None:
    result = run("render", str(kb_root / "articles" / "Q254893.yaml"), "--format", "txt")
    assert result.exit_code == 0
    assert result.stdout_bytes == q254893_txt.read_bytes()


def test_a_classic_text_file_renders_to_itself(q254893_txt: Path) -> None:
    result = run("render", str(q254893_txt), "--format", "txt")
    assert result.exit_code == 0 and result.stdout_bytes == q254893_txt.read_bytes()


def test_yaml_output_is_the_stored_record(kb_root: Path) -> None:
    result = run("render", "Q254893", "--format", "yaml")
    assert result.stdout == (kb_root / "articles" / "Q254893.yaml").read_text(encoding="utf-8")


def test_json_output_is_the_same_record_in_the_same_key_order(kb_root: Path) -> None:
    import yaml

    record = yaml.safe_load((kb_root / "articles" / "Q254893.yaml").read_text(encoding="utf-8"))
    data = json.loads(run("render", "Q254893", "--format", "json").stdout)
    assert list(data) == list(record) and data["id"] == "Q254893"
    assert data["status"] == Q254893_STATUS and data["event_log"][0]["event_id"] == 4120


def test_html_output_is_a_whole_document(kb_root: Path) -> None:
    assert run("render", "Q254893", "--format", "html").stdout.startswith("<!doctype html>")


def test_out_writes_one_file_per_article_named_by_id(kb_root: Path, corpus_article: Callable[[str], Path], tmp_path: Path) -> None:
    sources = [str(kb_root / "articles" / "Q254893.yaml"), str(corpus_article("Q199042"))]
    out = tmp_path / "rendered" / "md"
    result = run("render", *sources, "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["Q199042.md", "Q254893.md"]
    assert (out / "Q254893.md").read_text(encoding="utf-8") == (GOLDEN / "Q254893.md").read_text(encoding="utf-8")
    assert result.stdout == ""


def test_several_articles_without_out_is_a_usage_error(kb_root: Path) -> None:
    result = run("render", "Q254893", "Q254893")
    assert result.exit_code == 2 and "use --out DIR" in result.stderr


def test_an_unknown_id_is_a_one_line_error(kb_root: Path) -> None:
    result = run("render", "Q999999")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("kb: Q999999: no such article in ") and result.stderr.count("\n") == 1


def test_a_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = run("render", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1 and result.stderr == f"kb: {tmp_path / 'nope.yaml'}: no such file, folder or article id\n"


def test_a_bad_file_is_reported_with_its_line_and_the_others_still_render(kb_root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "Q100000.TXT"
    bad.write_bytes(b"DOCUMENT:Q100000  01-JUN-2001  [exchange]\r\nnot a header\r\n")
    out = tmp_path / "out"
    result = run("render", str(bad), "Q254893", "--format", "txt", "--out", str(out))
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{bad}:") and first.split(":")[1].isdigit()
    assert [p.name for p in out.iterdir()] == ["Q254893.txt"]  # no partial or temporary file


def test_an_empty_file_is_a_located_error_and_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "Q100000.TXT"
    empty.write_bytes(b"")
    result = run("render", str(empty), "--format", "md", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and result.stderr.startswith(str(empty) + ":")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_large_batch_renders_in_parallel_byte_for_byte(corpus: Path, tmp_path: Path) -> None:
    sources = sorted(corpus.rglob("*.TXT"))[:260]
    out = tmp_path / "text"
    result = run("render", *map(str, sources), "--format", "txt", "--out", str(out), "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    for source in sources:
        assert (out / source.name.replace(".TXT", ".txt")).read_bytes() == source.read_bytes(), source.name


def test_help_shows_an_example() -> None:
    result = run("render", "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout and "kb render Q254893 --format md" in result.stdout


def test_a_record_that_breaks_the_schema_names_its_file_line_and_field(kb_root: Path, tmp_path: Path) -> None:
    text = (kb_root / "articles" / "Q254893.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "Q254893.yaml"
    bad.write_text(text.replace("date: '2001-06-01'", "date: 01-JUN-2001").replace("date: 2001-06-01", "date: 01-JUN-2001"), encoding="utf-8")
    result = run("render", str(bad), "--format", "md")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"{bad}:") and "date: '01-JUN-2001'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_record_that_is_not_yaml_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "Q100000.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    result = run("render", str(bad))
    assert result.exit_code == 1 and result.stderr.startswith(f"{bad}:") and "Traceback" not in result.stderr


def test_the_curated_q254893_renders_as_a_markdown_article(project_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not (project_root / "articles" / "Q254893.yaml").is_file():
        pytest.skip("articles/Q254893.yaml is not curated yet")
    monkeypatch.chdir(project_root)
    result = run("render", "Q254893", "--format", "md")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# Q254893: XFOR: Internet Mail Service Does Not Generate the NDR"
    assert ["## Symptoms", "## Resolution", "## Status"] == [line for line in lines if line.startswith("## ")]
    assert "| Event ID | 4120 |" in lines and "**Fixed in:** Exchange Server 5.5 SP4" in result.stdout


def test_a_folder_renders_like_the_files_in_it(kb_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "by-folder"
    result = run("render", str(kb_root / "articles"), "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["Q254893.md"]
    single = run("render", str(kb_root / "articles"), "--format", "md")  # one article in it: stdout
    assert single.exit_code == 0 and single.stdout == (GOLDEN / "Q254893.md").read_text(encoding="utf-8")
