"""kb site build / kb site serve through the CLI."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
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


def _fetch(url: str, deadline: float) -> tuple[int, str]:
    """Return (status, body) of ``url``, retrying until the server answers or ``deadline``."""
    while True:
        try:
            with urllib.request.urlopen(url) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_site_serve_builds_watches_and_rebuilds_what_changed(tmp_path: Path) -> None:
    root = shipped_kb(tmp_path / "kb")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kb", "site", "serve", str(root / "articles"),
                             "--bind", "127.0.0.1", "--port", str(port), "--interval", "0.2"],
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        page = f"http://127.0.0.1:{port}/Q254893/index.html"
        status, body = _fetch(page, deadline)
        assert status == 200 and "Does Not Generate the NDR" in body  # built before serving
        record = root / "articles" / "Q254893.yaml"
        record.write_text(record.read_text(encoding="utf-8").replace(
            "Does Not Generate the NDR", "Does Not Generate the Second NDR", 1), encoding="utf-8")
        while "Second NDR" not in _fetch(page, deadline)[1]:
            assert time.monotonic() < deadline, "the edit never reached the served page"
            time.sleep(0.2)
        status, body = _fetch(f"http://127.0.0.1:{port}/Q999999/index.html", deadline)
        assert status == 404 and "Page not found" in body
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "rebuilt: 1 article and " in err and "Traceback" not in err


def test_site_serve_on_an_address_it_cannot_bind_is_a_one_line_error(tmp_path: Path) -> None:
    root = shipped_kb(tmp_path / "kb")
    assert CliRunner().invoke(cli, ["site", "build", str(root / "articles"), "--no-search"]).exit_code == 0
    result = CliRunner().invoke(cli, ["site", "serve", "--dir", str(root / "site"), "--no-watch",
                                      "--bind", "192.0.2.1", "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "192.0.2.1:0: cannot serve there" in result.stderr


def test_a_cached_verify_rerenders_nothing_and_keeps_the_time_of_the_run(tmp_path: Path) -> None:
    from kb_roots import PROJECT  # type: ignore[import-not-found]

    root = shipped_kb(tmp_path / "kb")
    (root / "repro").mkdir()
    shutil.copy(PROJECT / "repro" / "Q254893.py", root / "repro")
    articles = str(root / "articles")
    assert CliRunner().invoke(cli, ["verify", "Q254893", "--articles", articles]).exit_code == 0
    assert CliRunner().invoke(cli, ["site", "build", articles, "--no-search"]).exit_code == 0
    page = (root / "site" / "Q254893" / "index.html").read_text(encoding="utf-8")
    time.sleep(1.1)  # a restamp would show as a later second
    again = CliRunner().invoke(cli, ["verify", "Q254893", "--articles", articles, "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["summary"]["cached"] > 0
    result = CliRunner().invoke(cli, ["site", "build", articles, "--no-search", "--json"])
    report = json.loads(result.stdout)
    assert (report["rendered_articles"], report["rendered_indexes"]) == (0, 0)
    assert (root / "site" / "Q254893" / "index.html").read_text(encoding="utf-8") == page


def test_a_bad_port_is_a_usage_error_that_exits_2() -> None:
    result = CliRunner().invoke(cli, ["site", "serve", "--port", "70000"])
    assert result.exit_code == 2 and "Error: Invalid value for '--port'" in result.stderr


def test_a_pagefind_that_fails_is_a_one_line_error_and_the_last_search_bundle_stays(tmp_path: Path, monkeypatch) -> None:
    root = shipped_kb(tmp_path / "kb")
    out = tmp_path / "out"
    first = CliRunner().invoke(cli, ["site", "build", str(root / "articles"), "--out", str(out)])
    assert first.exit_code == 0, first.output
    entry = (out / "pagefind" / "pagefind-entry.json").read_bytes()
    (root / "articles" / "Q254893.yaml").write_text(
        (root / "articles" / "Q254893.yaml").read_text().replace("Does Not Generate", "Never Generates"))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", shutil.which("false") or "/bin/false")
    result = CliRunner().invoke(cli, ["site", "build", str(root / "articles"), "--out", str(out)])
    assert result.exit_code == 1
    assert "Pagefind failed on pagefind" in result.stderr and "Traceback" not in result.output
    assert (out / "pagefind" / "pagefind-entry.json").read_bytes() == entry
