"""The import pipeline: build_record, import_files, repro blocks kept, bad files skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.exceptions import ParseError
from kb.importer import build_record, discover, import_files, import_sources, roundtrip_problems
from kb.store import load_record

TEXT = Path(__file__).resolve().parent / "fixtures" / "text"


def test_build_record_parses_and_adds_the_status_block(q254893_txt: Path) -> None:
    article = build_record(q254893_txt)
    assert article.id == "Q254893"
    assert article.status is None or article.status["kind"] == "fixed"


def test_build_record_of_a_folder_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="is a folder"):
        build_record(tmp_path)


def test_discover_finds_txt_files_in_any_case_recursively(tmp_path: Path) -> None:
    (tmp_path / "000").mkdir()
    (tmp_path / "000" / "Q1.txt").write_bytes(b"")
    (tmp_path / "Q2.TXT").write_bytes(b"")
    (tmp_path / "notes.md").write_bytes(b"")
    files, problems = discover([tmp_path, tmp_path / "missing"])
    assert sorted(p.name for p in files) == ["Q1.txt", "Q2.TXT"]
    assert [p.format() for p in problems] == [f"{tmp_path / 'missing'}: no such file or folder"]


def test_bad_files_are_reported_and_the_good_ones_still_import(tmp_path: Path) -> None:
    report = import_sources([TEXT / "bad", TEXT / "Q900101.TXT"], tmp_path / "out", jobs=1)
    assert [o.id for o in report.imported] == ["Q900101"]
    assert len(report.failures) == 7
    assert all(d.line is not None and d.path.startswith(str(TEXT / "bad")) for d in report.failures)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["Q900101.yaml"]


def test_a_repro_block_survives_re_import(tmp_path: Path) -> None:
    import_files([TEXT / "Q900103.TXT"], tmp_path)
    target = tmp_path / "Q900103.yaml"
    target.write_text(target.read_text().replace("repro: null", "repro:\n  script: repro/Q900103.py"))
    import_files([TEXT / "Q900103.TXT"], tmp_path)
    assert load_record(target)["repro"] == {"script": "repro/Q900103.py"}


def test_an_unreadable_existing_record_with_a_repro_block_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "Q900103.yaml"
    target.write_text("repro: [unclosed\n")
    report = import_files([TEXT / "Q900103.TXT"], tmp_path)
    assert report.failures[0].format().startswith(f"{target}:")
    assert target.read_text() == "repro: [unclosed\n"


def test_parallel_import_gives_the_same_records_as_serial(tmp_path: Path) -> None:
    files = sorted(TEXT.glob("Q*.TXT"))
    import_files(files, tmp_path / "serial", jobs=1)
    import_files(files, tmp_path / "parallel", jobs=2)
    for path in (tmp_path / "serial").iterdir():
        assert path.read_bytes() == (tmp_path / "parallel" / path.name).read_bytes()


def test_roundtrip_problems_spots_a_record_that_no_longer_matches(tmp_path: Path) -> None:
    source = tmp_path / "Q900101.TXT"
    shutil.copy(TEXT / "Q900101.TXT", source)
    import_files([source], tmp_path)
    pairs = [(str(tmp_path / "Q900101.yaml"), str(source))]
    assert roundtrip_problems(pairs) == []
    source.write_bytes(source.read_bytes().replace(b"straight", b"STRAIGHT"))
    (problem,) = roundtrip_problems(pairs)
    assert problem.line == 10 and "differs from the source" in problem.message


def test_two_sources_with_the_same_id_are_reported(tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "Q900101.TXT"
    copy.parent.mkdir()
    shutil.copy(TEXT / "Q900101.TXT", copy)
    earlier, later = sorted([str(copy), str(TEXT / "Q900101.TXT")])
    report = import_files([copy, TEXT / "Q900101.TXT"], tmp_path / "out")
    (problem,) = report.failures
    # Sources are reported in sorted path order, wherever the checkout lives.
    assert problem.path == later and f"also imported from {earlier}" in problem.message
