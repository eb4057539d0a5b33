"""Atomic writes: the target holds the old bytes or the new ones, never a partial file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.files import write_atomic


def test_a_write_creates_missing_folders_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "Q254893.yaml"
    write_atomic(target, "id: Q254893\n")
    assert target.read_text() == "id: Q254893\n"
    assert [p.name for p in target.parent.iterdir()] == ["Q254893.yaml"]


def test_bytes_are_written_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "raw.txt"
    write_atomic(target, b"\x81\x92\r\n\x1a")
    assert target.read_bytes() == b"\x81\x92\r\n\x1a"


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "record.yaml"
    target.write_text("old\n")

    def refuse(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kb.files.os.replace", refuse)
    with pytest.raises(OSError):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["record.yaml"]
