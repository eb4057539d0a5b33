"""kb site build / kb site serve through the CLI."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli

from kb_roots import shipped_kb  # type: ignore[import-not-found]



def free_port() -> int:
    """Return a port of 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_site_build_writes_the_site_beside_articles_by_default(tmp_path: Path, monkeypatch) -> None:
    root = shipped_kb(tmp_path / "kb")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["site", "build", "--no-search", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["articles"] == report["rendered_articles"] == len(list((root / "articles").glob("Q*.yaml")))
    assert (root / "site" / "Q254893" / "index.html").is_file()
    assert (root / "site" / "index.html").is_file()


def test_site_build_reports_progress_on_stderr_and_keeps_stdout_for_json(tmp_path: Path) -> None:
    root = shipped_kb(tmp_path / "kb")
    result = CliRunner().invoke(cli, ["site", "build", str(root / "articles"), "--out",
                                      str(tmp_path / "out"), "--no-search", "--json"])
    assert result.exit_code == 0, result.output
    count = len(list((root / "articles").glob("Q*.yaml")))
    assert f"kb site: records: {count} found, {count} to render" in result.stderr
    json.loads(result.stdout)


def test_site_build_of_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["site", "build", str(tmp_path / "nope"), "--no-search"])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("nope: no such articles folder")
    assert "Traceback" not in result.output


def test_site_build_exits_non_zero_when_a_record_is_bad_but_builds_the_rest(tmp_path: Path) -> None:
    root = shipped_kb(tmp_path / "kb")
    (root / "articles" / "Q000001.yaml").write_text("id: [\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["site", "build", str(root / "articles"), "--no-search"])
    assert result.exit_code == 1
    assert "Q000001.yaml" in result.stderr
    assert (root / "site" / "Q254893" / "index.html").is_file()


def test_site_serve_without_a_built_site_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["site", "serve", "--dir", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1
    assert "no built site here" in result.stderr


def _serve_and_stop(tmp_path: Path, stop: signal.Signals, ignore_sigint: bool = False) -> None:
    """Start ``kb site serve`` on a free port, fetch a page, send ``stop``; check a clean exit."""
    root = shipped_kb(tmp_path / "kb")
    assert CliRunner().invoke(cli, ["site", "build", str(root / "articles"), "--no-search"]).exit_code == 0
    port = free_port()
    inherit = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None
    proc = subprocess.Popen([sys.executable, "-m", "kb", "site", "serve", "--port", str(port),
                             "--dir", str(root / "site")], stderr=subprocess.PIPE, text=True,
                            preexec_fn=inherit)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/Q254893/index.html") as reply:
                    body = reply.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert "Internet Mail Service Does Not Generate the NDR" in body
    finally:
        proc.send_signal(stop)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in err and "Stopped." in err


def test_site_serve_serves_on_127_0_0_1_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    _serve_and_stop(tmp_path, signal.SIGINT)


def test_site_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    _serve_and_stop(tmp_path, signal.SIGTERM)


def test_site_serve_stops_on_sigint_even_when_its_parent_ignored_sigint(tmp_path: Path) -> None:
    _serve_and_stop(tmp_path, signal.SIGINT, ignore_sigint=True)


def test_a_bad_port_is_a_usage_error_that_exits_2() -> None:
    result = CliRunner().invoke(cli, ["site", "serve", "--port", "70000"])
    assert result.exit_code == 2 and "Error: Invalid value for '--port'" in result.stderr
