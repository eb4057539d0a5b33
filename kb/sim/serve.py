"""Run the simulated server: SMTP (aiosmtpd, asyncio) plus the JSON API (a thread), one org, one lock."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from kb.exceptions import SimError
from kb.sim.api import make_http_server
from kb.sim.config import load_org
from kb.sim.org import Organisation
from kb.sim.ims.smtp_face import smtp_factory


def parse_address(text: str, option: str) -> tuple[str, int]:
    """Parse ``host:port`` (port 0 = any free port); raise SimError with the bad value."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise SimError(f"{option} {text!r} is not an address (expected HOST:PORT, e.g. 127.0.0.1:2525)")
    return host.strip("[]"), int(port)


@dataclass
class Bound:
    """The addresses the server actually listens on."""

    smtp: tuple[str, int]
    api: tuple[str, int]


class SimServer:
    """Owns the organisation, the SMTP listener and the API server."""

    def __init__(self, org: Organisation, smtp: tuple[str, int], api: tuple[str, int]) -> None:
        self.org = org
        self.lock = threading.Lock()
        self.smtp_address = smtp
        self.api_address = api
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _run(self, on_ready: Callable[[Bound], None]) -> None:
        # aiosmtpd logs every protocol error; the simulator keeps its own protocol log.
        quiet = logging.getLogger("mail.log")
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stop = asyncio.Event()
        try:
            smtp_server = await loop.create_server(smtp_factory(self.org, self.lock), *self.smtp_address)
        except OSError as error:
            raise SimError(f"cannot listen for SMTP on {self.smtp_address[0]}:{self.smtp_address[1]}: {error.strerror}") from None
        try:
            httpd = make_http_server(self.org, self.lock, *self.api_address)
        except OSError as error:
            smtp_server.close()
            raise SimError(f"cannot listen for the API on {self.api_address[0]}:{self.api_address[1]}: {error.strerror}") from None
        thread = threading.Thread(target=httpd.serve_forever, name="kb-sim-api", daemon=True)
        thread.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._stop.set)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (tests): stop() is used instead
        sock = smtp_server.sockets[0].getsockname()
        api_sock = httpd.socket.getsockname()  # what httpd.server_address holds, as the socket reports it
        on_ready(Bound(smtp=(sock[0], sock[1]), api=(api_sock[0], api_sock[1])))
        try:
            await self._stop.wait()
        finally:
            smtp_server.close()
            await smtp_server.wait_closed()
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)

    def run(self, on_ready: Callable[[Bound], None] = lambda bound: None) -> None:
        """Serve until SIGINT/SIGTERM (or ``stop()``)."""
        asyncio.run(self._run(on_ready))

    def stop(self) -> None:
        """Ask a running server to stop (thread-safe)."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    @contextmanager
    def running(self, timeout: float = 10.0) -> Iterator[Bound]:
        """Serve in a background thread for the ``with`` block; yield the bound addresses.

        A server that cannot start (a port in use) raises its error here instead of hanging.
        """
        ready = threading.Event()
        bound: list[Bound] = []
        failed: list[BaseException] = []

        def on_ready(addresses: Bound) -> None:
            bound.append(addresses)
            ready.set()

        def serve_until_stopped() -> None:
            try:
                self.run(on_ready)
            except BaseException as error:  # handed to the caller's thread below
                failed.append(error)
                ready.set()

        thread = threading.Thread(target=serve_until_stopped, name="kb-sim-serve", daemon=True)
        thread.start()
        if not ready.wait(timeout):
            raise SimError(f"the simulated server did not start within {timeout:g} s")
        if failed:
            raise failed[0]
        try:
            yield bound[0]
        finally:
            self.stop()
            thread.join(timeout)


def serve(release: str, smtp: str = "127.0.0.1:2525", api: str = "127.0.0.1:8025", config: str | Path | None = None,
          on_ready: Callable[[Bound], None] = lambda bound: None) -> None:
    """Load the org and serve it until a signal arrives."""
    smtp_address = parse_address(smtp, "--smtp")
    api_address = parse_address(api, "--api")
    org = load_org(release, config)
    SimServer(org, smtp_address, api_address).run(on_ready)
