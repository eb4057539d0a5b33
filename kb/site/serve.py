"""Preview a built site on 127.0.0.1 with the standard library's HTTP server."""

from __future__ import annotations

import functools
import http.server
import signal
import threading
from pathlib import Path

from kb.exceptions import NotFoundError


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files with the right types for Pagefind's bundle, without logging every request."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".pagefind": "application/octet-stream",
        ".pf_meta": "application/octet-stream",
        ".pf_index": "application/octet-stream",
        ".pf_fragment": "application/octet-stream",
        ".pf_filter": "application/octet-stream",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        """Stay quiet: the CLI prints the address once."""


class SiteServer(http.server.ThreadingHTTPServer):
    """An HTTP server bound to 127.0.0.1 that serves one site folder."""

    daemon_threads = True
    # AF_INET only: server_bind() stores socket.getsockname(), a (host str, port) pair.
    server_address: tuple[str, int]


def make_server(directory: Path, port: int = 8000) -> SiteServer:
    """Return a server for ``directory`` on 127.0.0.1:``port`` (0 picks a free port)."""
    if not (directory / "index.html").is_file():
        raise NotFoundError(f"{directory}: no built site here (run `kb site build` first)")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    return SiteServer(("127.0.0.1", port), handler)


def serve_in_thread(directory: Path, port: int = 0) -> tuple[SiteServer, threading.Thread]:
    """Start serving ``directory`` in a background thread; return the server and the thread."""
    server = make_server(directory, port)
    thread = threading.Thread(target=server.serve_forever, name="kb-site-serve", daemon=True)
    thread.start()
    return server, thread


def serve_until_signal(server: SiteServer) -> int:
    """Serve until SIGINT or SIGTERM; return the signal number that stopped the server.

    The handlers are installed explicitly, so a SIGINT disposition inherited as "ignored" (a
    parent that ignores Ctrl-C) cannot leave the preview running.
    """
    stopped: list[int] = []
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        stopped.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.serve_forever, name="kb-site-serve", daemon=True)
    thread.start()
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return stopped[0]
