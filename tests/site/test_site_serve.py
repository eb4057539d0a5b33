"""The preview server: quiet when a browser goes away, loud about anything else."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

import pytest

from kb.site.serve import serve_in_thread


def site_with_a_large_file(root: Path) -> Path:
    root.mkdir()
    (root / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    (root / "big.bin").write_bytes(b"\0" * (16 << 20))  # far more than a socket buffer holds
    return root


def test_a_browser_that_hangs_up_mid_answer_leaves_no_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server, thread = serve_in_thread(site_with_a_large_file(tmp_path / "site"), 0)
    try:
        for _ in range(3):
            client = socket.create_connection(server.server_address[:2])
            client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(4096)  # the answer has started
            # Hang up with a reset (SO_LINGER 0), as a closed tab does.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        time.sleep(0.5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert "Traceback" not in capsys.readouterr().err


def test_any_other_error_while_answering_is_still_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server, thread = serve_in_thread(site_with_a_large_file(tmp_path / "site"), 0)
    try:
        try:
            raise ValueError("a bug in a handler")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert "ValueError: a bug in a handler" in capsys.readouterr().err
