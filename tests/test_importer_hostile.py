"""Hostile import: ids the schema refuses, records the loader would refuse, odd files, re-import."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli import cli
from kb.store import MAX_RECORD_BYTES, load_article, load_record

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"


def kb_import(*args: str) -> Result:
    """Run ``kb import`` with stdout and stderr kept apart."""
    return CliRunner().invoke(cli, ["import", *args])


@pytest.mark.parametrize("name", ["Q0.TXT", "Q12345678.TXT"])
def test_an_id_the_schema_refuses_is_not_imported(tmp_path: Path, name: str) -> None:
    result = kb_import(str(HOSTILE / "sources" / name), "--out", str(tmp_path))
    assert result.exit_code == 1
    assert f"{HOSTILE / 'sources' / name}:1: DOCUMENT: bad article id" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_article_over_the_record_limit_is_refused_at_import_with_a_located_line(tmp_path: Path, q254893_txt: Path) -> None:
    data = q254893_txt.read_bytes()
    cut = data.index(b"\r\n\r\n", data.index(b"SYMPTOMS")) + 2
    huge = data[:cut] + b"This line makes the article huge.\r\n" * (9_300_000 // 35) + data[cut:]
    source = tmp_path / "Q254893.TXT"
    source.write_bytes(huge)
    out = tmp_path / "out"
    result = kb_import(str(source), str(q254893_txt.parent / "Q192939.TXT"), "--out", str(out))
    assert result.exit_code == 1
    assert f"{source}:1: file is {len(huge)} bytes, limit is {MAX_RECORD_BYTES}" in result.stderr
    assert [p.name for p in out.iterdir()] == ["Q192939.yaml"]
    load_article(out / "Q192939.yaml")  # what import writes, load reads


def test_an_unreadable_file_is_one_located_line_and_the_others_import(tmp_path: Path, q254893_txt: Path) -> None:
    source = tmp_path / "Q254893.TXT"
    shutil.copy2(q254893_txt, source)
    source.chmod(0)
    if os.access(source, os.R_OK):
        pytest.skip("running as root: a mode-000 file is still readable")
    out = tmp_path / "out"
    result = kb_import(str(source), str(q254893_txt.parent / "Q192939.TXT"), "--out", str(out))
    assert result.exit_code == 1
    assert f"{source}: cannot read: Permission denied" in result.stderr
    assert [p.name for p in out.iterdir()] == ["Q192939.yaml"]


def test_a_file_that_fails_while_reading_is_one_located_line_and_the_others_import(tmp_path: Path, q254893_txt: Path) -> None:
    # /proc/self/mem is a regular file whose first page cannot be read (EIO), even as root.
    out = tmp_path / "out"
    result = kb_import("/proc/self/mem", str(q254893_txt), "--out", str(out))
    assert result.exit_code == 1
    assert "/proc/self/mem: cannot read: " in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["Q254893.yaml"]


def test_symlink_loops_dangling_links_and_fifos_in_a_folder_are_warned_about_and_never_opened(tmp_path: Path, q254893_txt: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy2(q254893_txt, folder / "Q254893.TXT")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "dangling.TXT").symlink_to(folder / "nowhere.TXT")
    os.mkfifo(folder / "fifo.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)  # a folder loop is not followed
    out = tmp_path / "out"
    result = kb_import(str(folder), "--out", str(out))
    err = result.stderr
    assert f"{folder / 'loop.txt'}: warning: symbolic link loop, skipped" in err
    assert f"{folder / 'dangling.TXT'}: warning: dangling symbolic link, skipped" in err
    assert f"{folder / 'fifo.txt'}: warning: is a FIFO, not a regular file; skipped" in err
    assert result.exit_code == 0, err
    assert [p.name for p in out.iterdir()] == ["Q254893.yaml"]


@pytest.mark.parametrize("name", ["repro-quoted-key.yaml", "repro-spaced-key.yaml", "repro-json.yaml"])
def test_re_import_keeps_a_hand_written_repro_block_whatever_its_yaml_spelling(tmp_path: Path, q254893_txt: Path, name: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy2(HOSTILE / "records" / name, out / "Q254893.yaml")
    result = kb_import(str(q254893_txt), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert load_record(out / "Q254893.yaml")["repro"] == {
        "script": "repro/Q254893.py", "releases": ["Exchange Server 5.5 SP2"]}


def test_re_import_refuses_to_overwrite_a_record_it_cannot_read(tmp_path: Path, q254893_txt: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    before = (HOSTILE / "records" / "repro-non-utf8.yaml").read_bytes()
    (out / "Q254893.yaml").write_bytes(before)
    result = kb_import(str(q254893_txt), "--out", str(out))
    assert result.exit_code == 1
    assert f"{out / 'Q254893.yaml'}:2: record is not UTF-8 (byte 0xff); the existing record is kept" in result.stderr
    assert (out / "Q254893.yaml").read_bytes() == before


def test_a_permission_error_on_a_file_or_a_folder_is_one_located_line_each(
        tmp_path: Path, q254893_txt: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root nothing is unreadable, so the operating system's answer is simulated where kb asks.
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy2(q254893_txt, folder / "Q254893.TXT")
    shutil.copy2(q254893_txt.parent / "Q192939.TXT", folder / "locked" / "Q192939.TXT")
    secret = tmp_path / "Q228998.TXT"
    shutil.copy2(q254893_txt.parent / "Q228998.TXT", secret)
    real_open, real_scandir = os.open, os.scandir

    def refusing_open(path: object, *args: object, **kwargs: object) -> int:
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def refusing_scandir(path: object = ".") -> object:
        if str(path) == str(folder / "locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setattr(os, "scandir", refusing_scandir)
    out = tmp_path / "out"
    result = kb_import(str(secret), str(folder), "--out", str(out))
    err = result.stderr
    assert f"{secret}: cannot read: Permission denied" in err
    assert f"{folder / 'locked'}: warning: cannot list: Permission denied" in err
    assert result.exit_code == 1
    assert [p.name for p in out.iterdir()] == ["Q254893.yaml"]
