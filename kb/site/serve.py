"""Preview a built site with the standard library's HTTP server (127.0.0.1 unless told)."""

from __future__ import annotations

import functools
import http.server
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from kb.exceptions import KbError, NotFoundError


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

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a missing page with the site's own 404 page, as a static host would."""
        page = Path(self.directory) / "404.html"
        if code != 404 or self.command == "HEAD" or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


class SiteServer(http.server.ThreadingHTTPServer):
    """An HTTP server bound to one address (127.0.0.1 by default) that serves one site folder."""

    daemon_threads = True
    # server_bind() stores socket.getsockname(): (host, port) for IPv4, 4 items for IPv6.
    server_address: tuple[str, int]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing when a browser goes away mid-answer (a tab closed while the search
        bundles load); report any other error as the standard library does."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class SiteServer6(SiteServer):
    """The same server on an IPv6 address (``--bind ::1``)."""

    address_family = socket.AF_INET6


def make_server(directory: Path, port: int = 8000, bind: str = "127.0.0.1") -> SiteServer:
    """Return a server for ``directory`` on ``bind``:``port`` (0 picks a free port)."""
    if not (directory / "index.html").is_file():
        raise NotFoundError(f"{directory}: no built site here (run `kb site build` first)")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    kind = SiteServer6 if ":" in bind else SiteServer
    try:
        return kind((bind, port), handler)
    except (OSError, OverflowError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise KbError(f"{bind}:{port}: cannot serve there: {reason}") from None


def serve_in_thread(directory: Path, port: int = 0, bind: str = "127.0.0.1") -> tuple[SiteServer, threading.Thread]:
    """Start serving ``directory`` in a background thread; return the server and the thread."""
    server = make_server(directory, port, bind)
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
