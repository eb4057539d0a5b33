"""The JSON HTTP inspection API (in the spirit of Mailpit's), on the stdlib http.server."""

from __future__ import annotations

import json
import math
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from kb.exceptions import KbError, SimError
from kb.sim.core.directory import Mailbox
from kb.sim.ims.spool import DIRECTORIES, normalise_dir
from kb.sim.org import Organisation
from kb.sim.store.infostore import IMS_FOLDERS

MAX_BODY = 1_000_000
#: The furthest one clock/advance call may move virtual time (ten years of seconds).
MAX_ADVANCE_SECONDS = 10 * 365 * 24 * 3600
#: Recipients one message may have (MAPI's recipient table limit, 0x7FFE).
MAX_RECIPIENTS = 0x7FFE
#: Seconds a client may take to send a request before the API closes the connection (slowloris).
REQUEST_TIMEOUT = 30.0
#: Names a browser may use for the API: it is a local test tool, never served to other hosts.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _reject_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which json.loads accepts but JSON (RFC 8259 §6) does not."""
    raise ValueError(f"{name} is not a JSON number")


def parse_body(raw: bytes) -> Any:
    """Parse a request body as strict JSON; raise ApiError 400 for anything else (deep nesting too)."""
    try:
        return json.loads(raw, parse_constant=_reject_constant) if raw else {}
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {error}") from None
    except RecursionError:
        raise ApiError(HTTPStatus.BAD_REQUEST, "the body is not JSON this API takes: nested too deeply") from None


def _host_and_port(text: str) -> tuple[str, int | None]:
    """Split a Host header or an Origin's authority into (lower-case host, port or None)."""
    text = text.strip().lower()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port_text = text.partition(":")
    if port_text and not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5):
        return host, -1
    return host, int(port_text) if port_text else None


def header_refusal(host: str | None, origin: str | None, port: int) -> str | None:
    """Return why a request must be refused (DNS rebinding, a cross-site page), or None.

    The API is a local test tool: the Host must be a loopback name (or address) of the serving
    port, and a browser's Origin, when sent, must be such a page too. A web page on another site
    can otherwise POST mail to it (its form posts carry that site's Origin), and a rebound DNS
    name reaches it with a foreign Host.
    """
    if not host:
        return "a Host header is required"
    name, given = _host_and_port(host)
    if name not in LOOPBACK_NAMES or given not in (None, port):
        return f"Host {host!r} is not this local API (expected localhost, 127.0.0.1 or [::1] on port {port})"
    if origin is None:
        return None
    scheme, sep, authority = origin.strip().partition("://")
    if not sep or scheme.lower() != "http":
        return f"Origin {origin!r} is not a page of this local API"
    name, given = _host_and_port(authority.rstrip("/"))
    if name not in LOOPBACK_NAMES or given != port:
        return f"Origin {origin!r} is not a page of this local API (cross-site requests are refused)"
    return None


def _strings(body: dict[str, Any], key: str, required: bool = False) -> str | list[str]:
    """Return a recipients field: a string or a list of strings; raise ApiError 400 otherwise."""
    value = body.get(key)
    if value is None and not required:
        return []
    if isinstance(value, str) and (value or not required):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value) and (value or not required):
        return value
    raise ApiError(HTTPStatus.BAD_REQUEST, f'"{key}" must be a string or a list of strings, got {_shown(value)}')


def _shown(value: Any) -> str:
    """Return a short repr of a bad value for a message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class ApiError(Exception):
    """An HTTP error answer."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


class SimApi:
    """The routes of the API over one organisation; every call holds ``lock``."""

    def __init__(self, org: Organisation, lock: threading.Lock) -> None:
        self.org = org
        self.lock = lock
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("GET", re.compile(r"^/api/v1/?$"), self.server),
            ("GET", re.compile(r"^/api/v1/server$"), self.server),
            ("GET", re.compile(r"^/api/v1/mailboxes$"), self.mailboxes),
            ("GET", re.compile(r"^/api/v1/mailboxes/([^/]+)/messages$"), self.messages),
            ("GET", re.compile(r"^/api/v1/mailboxes/([^/]+)/messages/([0-9A-Fa-f]+)$"), self.message),
            ("POST", re.compile(r"^/api/v1/mailboxes/([^/]+)/send$"), self.send),
            ("POST", re.compile(r"^/api/v1/mailboxes/([^/]+)/messages/([0-9A-Fa-f]+)/send-again$"), self.send_again),
            ("GET", re.compile(r"^/api/v1/eventlog$"), self.eventlog),
            ("GET", re.compile(r"^/api/v1/queues$"), self.queues),
            ("GET", re.compile(r"^/api/v1/folders/(.+)$"), self.folder),
            ("GET", re.compile(r"^/api/v1/protocol-log$"), self.protocol_log),
            ("GET", re.compile(r"^/api/v1/internet$"), self.internet),
            ("POST", re.compile(r"^/api/v1/clock/advance$"), self.advance),
        ]

    def allowed(self, path: str) -> list[str]:
        """Return the methods ``path`` answers (GET brings HEAD; OPTIONS always), or [] when unknown."""
        verbs = {verb for verb, pattern, _ in self.routes if pattern.match(path)}
        if not verbs:
            return []
        if "GET" in verbs:
            verbs.add("HEAD")
        return sorted(verbs | {"OPTIONS"})

    def dispatch(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Any:
        """Return the JSON answer of one request; raise ApiError."""
        known_path = False
        for verb, pattern, action in self.routes:
            match = pattern.match(path)
            if match is None:
                continue
            known_path = True
            if verb != method:
                continue
            with self.lock:
                try:
                    args = [unquote(g) for g in match.groups()]
                    return action(*args, query=query, body=body)
                except KbError as error:
                    raise ApiError(HTTPStatus.NOT_FOUND, str(error)) from None
        if known_path:
            raise ApiError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed on {path}")
        raise ApiError(HTTPStatus.NOT_FOUND, f"no such endpoint: {path}")

    # -- routes ------------------------------------------------------------------------------
    def server(self, query: Any = None, body: Any = None) -> Any:
        """Describe the simulated server."""
        return self.org.describe() | {"counters": self.org.ims.counters()}

    def mailboxes(self, query: Any = None, body: Any = None) -> Any:
        """List the mailboxes with alias and primary SMTP address."""
        return [
            {"alias": m.alias, "address": m.address, "display_name": m.display_name, "smtp": list(m.smtp),
             "messages": len(self.org.mailbox_folder(m.alias, "Inbox"))}
            for m in self.org.directory.mailboxes()
        ]

    def _mailbox(self, alias: str) -> Mailbox:
        entry = self.org.directory.find(alias)
        if not isinstance(entry, Mailbox):
            raise ApiError(HTTPStatus.NOT_FOUND, f"no mailbox {alias!r}")
        return entry

    def messages(self, alias: str, query: dict[str, list[str]], body: Any = None) -> Any:
        """List the messages of a mailbox folder (``?folder=Inbox`` by default)."""
        mailbox = self._mailbox(alias)
        folder = (query.get("folder") or ["Inbox"])[0]
        messages = [m.to_json() for m in self.org.mailbox_folder(mailbox.alias, folder)]
        return {"alias": mailbox.alias, "folder": folder, "messages": messages, "total": len(messages)}

    def message(self, alias: str, entry_id: str, query: Any = None, body: Any = None) -> Any:
        """Return one message."""
        mailbox = self._mailbox(alias)
        return self.org.store.find(mailbox.alias, entry_id.upper()).to_json()

    def send(self, alias: str, query: Any = None, body: Any = None) -> Any:
        """Submit a message from a mailbox: JSON ``{"to", "subject", "body", "cc", "bcc"}``."""
        mailbox = self._mailbox(alias)
        if not isinstance(body, dict) or not body.get("to"):
            raise ApiError(HTTPStatus.BAD_REQUEST, 'expected a JSON object with "to" (string or list), "subject", "body"')
        to = _strings(body, "to", required=True)
        cc, bcc = _strings(body, "cc"), _strings(body, "bcc")
        count = sum(1 if isinstance(v, str) else len(v) for v in (to, cc, bcc))
        if count > MAX_RECIPIENTS:  # MAPI's recipient table limit (Emsmdb32.dll, ims-domain §2.5.1)
            raise ApiError(HTTPStatus.BAD_REQUEST, f"{count} recipients, a message takes at most {MAX_RECIPIENTS}")
        for key in ("subject", "body"):
            if not isinstance(body.get(key, ""), str):
                raise ApiError(HTTPStatus.BAD_REQUEST, f'"{key}" must be a string')
        client = self.org.client(mailbox.alias)
        try:
            message = client.send(to, subject=body.get("subject", ""), body=body.get("body", ""),
                                  cc=cc or [], bcc=bcc or [])
        except SimError as error:  # an unknown alias among the recipients is the caller's mistake
            raise ApiError(HTTPStatus.BAD_REQUEST, str(error)) from None
        return {"entry_id": message.entry_id, "mts_id": message.mts_id, "message_id": message.message_id}

    def send_again(self, alias: str, entry_id: str, query: Any = None, body: Any = None) -> Any:
        """Click Send Again on an NDR in the mailbox."""
        mailbox = self._mailbox(alias)
        message = self.org.client(mailbox.alias).send_again(entry_id.upper())
        return {"entry_id": message.entry_id, "mts_id": message.mts_id}

    def eventlog(self, query: dict[str, list[str]], body: Any = None) -> Any:
        """Return the event log (``?source=`` and ``?event_id=`` filter)."""
        sources = query.get("source")
        event_ids = query.get("event_id")
        source = sources[0] if sources else None
        event_id = event_ids[0] if event_ids else None
        if event_id is not None and not (event_id.isascii() and event_id.isdigit() and len(event_id) <= 10):
            raise ApiError(HTTPStatus.BAD_REQUEST, f"event_id must be a number of at most 10 digits, got {_shown(event_id)}")
        return [e.to_json() for e in self.org.eventlog.entries(source, int(event_id) if event_id else None)]

    def queues(self, query: Any = None, body: Any = None) -> Any:
        """Return the IMS queues."""
        return self.org.ims.queues()

    def folder(self, name: str, query: Any = None, body: Any = None) -> Any:
        """Return an IMS store folder (MTS-IN, MTS-OUT) or a spool directory (IN, OUT/ARCHIVE, ...)."""
        for folder in IMS_FOLDERS:
            if folder.lower() == name.lower():
                items = self.org.store.queue(folder)
                return {"name": folder, "kind": "store",
                        "items": [getattr(i, "message", i).summary() for i in items]}
        try:
            directory = normalise_dir(name)
        except KbError:
            known = ", ".join(IMS_FOLDERS + DIRECTORIES)
            raise ApiError(HTTPStatus.NOT_FOUND, f"no folder {name!r} (expected one of {known})") from None
        return {"name": directory, "kind": "spool",
                "items": [f.to_json(with_data=True) for f in self.org.ims.spool.list(directory)]}

    def protocol_log(self, query: Any = None, body: Any = None) -> Any:
        """Return the SMTP protocol log sessions."""
        return [s.to_json() for s in self.org.ims.protocol_log.sessions]

    def internet(self, query: Any = None, body: Any = None) -> Any:
        """Return the simulated remote hosts with what they received."""
        return [h.to_json() for h in self.org.internet.hosts()]

    def advance(self, query: Any = None, body: Any = None) -> Any:
        """Advance virtual time: JSON ``{"seconds": n}`` (or ``minutes``/``hours``)."""
        if not isinstance(body, dict):
            raise ApiError(HTTPStatus.BAD_REQUEST, 'expected a JSON object such as {"seconds": 900}')
        seconds = 0.0
        for key, factor in (("seconds", 1), ("minutes", 60), ("hours", 3600)):
            value = body.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value < 0 or value * factor > MAX_ADVANCE_SECONDS:
                raise ApiError(HTTPStatus.BAD_REQUEST, f'"{key}" must be a non-negative number of at most '
                               f'{MAX_ADVANCE_SECONDS // factor} {key}, got {_shown(value)}')
            seconds += value * factor
        if seconds > MAX_ADVANCE_SECONDS:
            raise ApiError(HTTPStatus.BAD_REQUEST, f"cannot advance the clock more than {MAX_ADVANCE_SECONDS} s at once")
        tasks = self.org.advance(seconds)
        return {"now": self.org.clock.now().isoformat(), "tasks_run": tasks}


def make_http_server(org: Organisation, lock: threading.Lock, host: str, port: int) -> ThreadingHTTPServer:
    """Return a bound (not yet serving) HTTP server for the API."""
    api = SimApi(org, lock)

    class Handler(BaseHTTPRequestHandler):
        server_version = "kb-sim/1"
        protocol_version = "HTTP/1.1"
        timeout = REQUEST_TIMEOUT  # socket timeout: a client that stalls mid-request is dropped

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            """Stay quiet: library code never prints."""

        def _answer(self, status: int, payload: Any, allow: list[str] | None = None) -> None:
            data = json.dumps(payload, sort_keys=True, indent=2).encode("utf-8") + b"\n"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if allow:
                self.send_header("Allow", ", ".join(allow))
            self.end_headers()
            if self.command != "HEAD":  # RFC 9110 §9.3.2: HEAD gets GET's headers, no content
                self.wfile.write(data)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """Answer the stdlib's own errors (bad request line, header too long...) in JSON too."""
            self.close_connection = True
            self._answer(code, {"error": message or HTTPStatus(code).phrase})

        def __getattr__(self, name: str) -> Any:
            """Route every method (PUT, DELETE, OPTIONS, made-up ones) to _handle, never a 501 page."""
            if name.startswith("do_") and name[3:]:
                return lambda: self._handle(name[3:])
            raise AttributeError(name)

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/") or "/"
            try:
                refusal = header_refusal(self.headers.get("Host"), self.headers.get("Origin"),
                                         int(self.server.server_address[1]))  # type: ignore[index]
                if refusal is not None:
                    self.close_connection = True
                    raise ApiError(HTTPStatus.FORBIDDEN, refusal)
                body: Any = None
                if method == "OPTIONS":
                    allowed = api.allowed(path)
                    if not allowed:
                        raise ApiError(HTTPStatus.NOT_FOUND, f"no such endpoint: {path}")
                    self._answer(HTTPStatus.OK, {"allow": allowed}, allow=allowed)
                    return
                if method not in ("GET", "HEAD"):
                    # a body is read (and for POST parsed) whatever the method, so the next
                    # request on a kept-alive connection starts where it should
                    try:
                        length = int(self.headers.get("Content-Length") or 0)
                    except ValueError:
                        raise ApiError(HTTPStatus.BAD_REQUEST, "Content-Length is not a number") from None
                    if length < 0 or length > MAX_BODY:
                        raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body larger than {MAX_BODY} bytes")
                    raw = self.rfile.read(length) if length else b""
                    if method == "POST":
                        body = parse_body(raw)
                result = api.dispatch("GET" if method == "HEAD" else method, path, parse_qs(parts.query), body)
                self._answer(HTTPStatus.OK, result)
            except ApiError as error:
                allow = api.allowed(path) if error.status == HTTPStatus.METHOD_NOT_ALLOWED else None
                if error.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
                    self.close_connection = True  # the body was not read
                self._answer(error.status, {"error": error.message}, allow=allow)
            except Exception as error:  # noqa: BLE001 - the API must keep serving
                self._answer(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{type(error).__name__}: {error}"})

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            """Answer GET."""
            self._handle("GET")

        def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
            """Answer HEAD as GET, without the content."""
            self._handle("HEAD")

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            """Answer POST."""
            self._handle("POST")

    httpd = ThreadingHTTPServer((host, port), Handler)
    httpd.daemon_threads = True
    return httpd
