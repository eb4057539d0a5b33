"""kb.site.watch: the preview's polling watcher rebuilds after a change, and only then."""

from __future__ import annotations

import os
from pathlib import Path

from kb.site.watch import SiteWatcher, fingerprint, watched_paths


def test_the_fingerprint_changes_with_a_file_and_ignores_a_missing_one(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("one", encoding="utf-8")
    before = fingerprint([tmp_path, tmp_path / "absent.json"])
    (tmp_path / "a.yaml").write_text("two!", encoding="utf-8")
    assert fingerprint([tmp_path, tmp_path / "absent.json"]) != before


def test_a_poll_rebuilds_once_per_change(tmp_path: Path) -> None:
    record = tmp_path / "Q1.yaml"
    record.write_text("one", encoding="utf-8")
    calls: list[int] = []
    watcher = SiteWatcher([tmp_path], lambda: calls.append(1), interval=0.05)
    watcher._last = fingerprint(watcher.watched)
    assert watcher.poll() is False
    record.write_text("changed", encoding="utf-8")
    os.utime(record, ns=(1, 1))
    assert watcher.poll() is True and calls == [1]
    assert watcher.poll() is False and calls == [1]


def test_a_rebuild_error_is_said_and_the_watcher_keeps_going(tmp_path: Path) -> None:
    from kb.exceptions import ConfigError

    said: list[str] = []

    def broken() -> None:
        raise ConfigError(str(tmp_path / "kb.yaml"), 2, "base_url: got 'x'")

    watcher = SiteWatcher([tmp_path], broken, interval=0.05, say=said.append)
    watcher._last = fingerprint(watcher.watched)
    (tmp_path / "kb.yaml").write_text("base_url: x\n", encoding="utf-8")
    assert watcher.poll() is True
    assert said == [f"{tmp_path / 'kb.yaml'}:2: base_url: got 'x'"]


def test_the_preview_watches_records_results_config_and_templates(tmp_path: Path) -> None:
    names = [p.name for p in watched_paths(tmp_path / "articles", tmp_path / ".kb" / "verify-results.json")]
    assert names[:4] == ["articles", "verify-results.json", "kb.yaml", "pyproject.toml"]
    assert "templates" in names and "static" in names
