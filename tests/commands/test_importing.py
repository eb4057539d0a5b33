"""``kb import`` through the click CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli

TEXT = Path(__file__).resolve().parents[1] / "fixtures" / "text"


def test_importing_one_article_writes_its_record(tmp_path: Path, q254893_txt: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(q254893_txt), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "Q254893.yaml").read_text().startswith("id: Q254893\ntitle: Internet Mail Service")
    assert "imported 1 of 1 files" in result.stderr


def test_every_bad_file_gets_a_located_line_and_the_exit_status_is_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["import", str(TEXT / "bad"), str(TEXT / "Q900102.TXT"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    bad = {Path(line.split(":")[0]).name: line for line in lines if "/bad/" in line}
    assert sorted(bad) == ["baddate.TXT", "binary.TXT", "empty.TXT", "mixed.TXT", "notkb.TXT", "truncated.TXT", "utf16.TXT"]
    assert bad["empty.TXT"].endswith("empty.TXT:1: empty file, expected a classic KB article")
    assert "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["Q900102.yaml"]  # no partial or temporary files
    assert "imported 1 of 8 files" in lines[-1] and "7 failed" in lines[-1]


def test_a_missing_source_is_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope'}: no such file or folder" in result.stderr


def test_jobs_imports_a_folder_with_worker_processes(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(TEXT), "--out", str(tmp_path), "--jobs", "2"])
    assert result.exit_code == 1  # the bad/ subfolder is found recursively
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"Q90010{n}.yaml" for n in range(1, 9)]


def test_import_help_shows_an_example() -> None:
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--jobs" in result.output
