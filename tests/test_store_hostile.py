"""Hostile record files: duplicate keys, FIFOs and devices, absurd layout numbers."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner, Result

from kb.cli import cli
from kb.exceptions import RecordError
from kb.store import load_record

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile" / "records"


def run(*args: str) -> Result:
    """Invoke ``kb`` with stdout and stderr kept apart."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_duplicate_key_is_an_error_naming_its_line() -> None:
    with pytest.raises(RecordError) as caught:
        load_record(HOSTILE / "duplicate-key.yaml")
    assert caught.value.line == 6 and "duplicate key 'category'" in caught.value.message


def test_a_duplicate_key_in_a_nested_mapping_is_an_error_too(tmp_path: Path) -> None:
    path = tmp_path / "Q1.yaml"
    path.write_text("id: Q12345\nsource:\n  file: a\n  file: b\n")
    with pytest.raises(RecordError, match="duplicate key 'file'") as caught:
        load_record(path)
    assert caught.value.line == 4


def test_validate_refuses_body_tail_blanks_of_a_hundred_million() -> None:
    result = run("validate", str(HOSTILE / "body-tail-blanks.yaml"))
    assert result.exit_code == 1
    assert "layout.body_tail_blanks: 100000000 is greater than the maximum" in result.stderr


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """Return a FIFO named like a record (nobody ever writes to it)."""
    path = tmp_path / "Q254893.yaml"
    os.mkfifo(path)
    return path


def _within(seconds: float, work: Callable[[], Any]) -> Any:
    """Run ``work`` in a thread; fail when it has not returned within ``seconds``."""
    box: list[object] = []
    thread = threading.Thread(target=lambda: box.append(work()), daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        # Unblock the reader so the test process can end, then fail.
        pytest.fail(f"still reading after {time.monotonic() - started:.1f} s")
    return box[0]


@pytest.mark.parametrize("command", ["validate", "render"])
def test_a_fifo_named_on_the_command_line_is_one_line_at_once(fifo: Path, command: str) -> None:
    try:
        result = _within(10, lambda: CliRunner().invoke(cli, [command, str(fifo)]))
    finally:
        # Open the write end non-blocking: frees a reader stuck in open() on old code.
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{fifo}: is a FIFO")


@pytest.mark.parametrize("command", ["validate", "render"])
def test_dev_zero_is_refused_without_reading_it(command: str) -> None:
    result = _within(10, lambda: CliRunner().invoke(cli, [command, "/dev/zero"]))
    assert result.exit_code == 1
    assert "/dev/zero: is a character device" in result.stderr


def test_a_fifo_inside_a_folder_is_reported_and_the_records_still_validate(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy2(Path(__file__).resolve().parents[1] / "articles" / "Q254893.yaml", folder / "Q254893.yaml")
    os.mkfifo(folder / "Q999999.yaml")
    (folder / "Q888888.yaml").symlink_to(folder / "missing.yaml")
    result = _within(10, lambda: CliRunner().invoke(cli, ["validate", str(folder)]))
    err = result.stderr
    assert f"{folder / 'Q999999.yaml'}: is a FIFO" in err
    assert f"{folder / 'Q888888.yaml'}: dangling symbolic link" in err
    assert "Q254893.yaml" not in err


def test_site_build_warns_about_a_fifo_and_a_dangling_link_among_the_records_and_builds_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "kb" / "articles"
    folder.mkdir(parents=True)
    shutil.copy2(Path(__file__).resolve().parents[1] / "articles" / "Q254893.yaml", folder / "Q254893.yaml")
    os.mkfifo(folder / "Q999999.yaml")
    (folder / "Q888888.yaml").symlink_to(folder / "missing.yaml")
    site = tmp_path / "kb" / "site"
    result = _within(60, lambda: CliRunner().invoke(cli, ["site", "build", str(folder), "--out", str(site), "--no-search"]))
    assert result.exit_code == 0, result.output
    assert f"{folder / 'Q999999.yaml'}: warning: is a FIFO, not a regular file; skipped" in result.stderr
    assert f"{folder / 'Q888888.yaml'}: warning: dangling symbolic link, skipped" in result.stderr
    assert (site / "Q254893" / "index.html").is_file()


def test_verify_reports_a_fifo_among_the_records_as_one_line_and_never_opens_it(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    os.mkfifo(folder / "Q999999.yaml")
    result = _within(60, lambda: CliRunner().invoke(cli, ["verify", "--articles", str(folder), "--no-cache"]))
    assert f"{folder / 'Q999999.yaml'}: is a FIFO, not a regular file, expected a .yaml record" in result.output
