"""``kb sim serve`` end to end: a real process, real SMTP (smtplib) and the JSON API (urllib)."""

from __future__ import annotations

import json
import re
import signal
import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from kb.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sim"


class Served:
    """A running ``kb sim serve`` and its bound addresses."""

    def __init__(self, process: subprocess.Popen[str], smtp_port: int, api_port: int) -> None:
        self.process = process
        self.smtp_port = smtp_port
        self.api_port = api_port

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}{path}", timeout=10) as answer:
            return json.load(answer)

    def post(self, path: str, payload: Any) -> Any:
        request = urllib.request.Request(f"http://127.0.0.1:{self.api_port}{path}", data=json.dumps(payload).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)


def start(*args: str) -> Served:
    """Start ``kb sim serve`` on free ports and wait for it to print its addresses."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kb", "sim", "serve", "--smtp", "127.0.0.1:0", "--api", "127.0.0.1:0", *args],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    smtp_port = api_port = 0
    deadline = time.monotonic() + 30
    assert process.stderr is not None
    while not (smtp_port and api_port) and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        if match := re.search(r"SMTP on 127\.0\.0\.1:(\d+)", line):
            smtp_port = int(match.group(1))
        if match := re.search(r"API on http://127\.0\.0\.1:(\d+)/", line):
            api_port = int(match.group(1))
    if not (smtp_port and api_port):
        process.kill()
        raise AssertionError(f"kb sim serve did not start: {process.stderr.read()}")
    return Served(process, smtp_port, api_port)


def stop(served: Served) -> tuple[int, str]:
    """Send SIGTERM and return (exit code, rest of stderr)."""
    served.process.send_signal(signal.SIGTERM)
    _, err = served.process.communicate(timeout=15)
    return served.process.returncode, err


@pytest.fixture(scope="module")
def sp3() -> Iterator[Served]:
    served = start("--release", "Exchange Server 5.5 SP3")
    yield served
    if served.process.poll() is None:
        stop(served)


def test_the_banner_names_the_ims_build(sp3: Served) -> None:
    with socket_banner(sp3.smtp_port) as line:
        assert re.fullmatch(
            r"220 exch01\.contoso\.com ESMTP Server \(Microsoft Exchange Internet Mail Service 5\.5\.2650\) Ready", line
        )


class socket_banner:
    """Read the first line the server sends on a raw socket."""

    def __init__(self, port: int) -> None:
        import socket

        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)

    def __enter__(self) -> str:
        data = b""
        while not data.endswith(b"\r\n"):
            data += self.sock.recv(1024)
        return data.decode().strip()

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_a_message_from_smtplib_reaches_the_mailbox_shown_by_the_api(sp3: Served) -> None:
    message = b"From: Someone <someone@example.net>\r\nTo: Bob <bob@contoso.com>\r\nSubject: smtplib e2e\r\n\r\nHello Bob.\r\n"
    with smtplib.SMTP("127.0.0.1", sp3.smtp_port, timeout=10) as client:
        refused = client.sendmail("someone@example.net", ["bob@contoso.com"], message)
    assert refused == {}
    mailboxes = {m["alias"]: m["address"] for m in sp3.get("/api/v1/mailboxes")}
    assert mailboxes["bob"] == "bob@contoso.com"
    messages = sp3.get("/api/v1/mailboxes/bob/messages")["messages"]
    assert [m["subject"] for m in messages] == ["smtplib e2e"]
    assert "Hello Bob." in messages[0]["body"]


def test_relaying_from_loopback_is_refused_by_the_default_org(sp3: Served) -> None:
    with smtplib.SMTP("127.0.0.1", sp3.smtp_port, timeout=10) as client:
        client.ehlo("tester")
        client.mail("spam@example.net")
        code, text = client.rcpt("victim@elsewhere.example")
    assert (code, text) == (550, b"Relaying is prohibited")


def test_malformed_commands_get_5xx_and_the_session_goes_on(sp3: Served) -> None:
    with smtplib.SMTP("127.0.0.1", sp3.smtp_port, timeout=10) as client:
        assert client.docmd("BOGUS")[0] == 500
        assert client.docmd("MAIL", "FROM:<<<>")[0] >= 500
        assert client.docmd("RCPT", "TO:<x@contoso.com>")[0] == 503
        assert client.docmd("X" * 2000)[0] == 500
        assert client.noop()[0] == 250


def test_send_again_through_the_api_shows_the_sp3_symptom(sp3: Served) -> None:
    sp3.post("/api/v1/mailboxes/joeuser/send", {"to": "SMTP:joeuser@invaliddomain.com ", "subject": "api flow"})
    inbox = sp3.get("/api/v1/mailboxes/joeuser/messages")["messages"]
    ndr = next(m for m in inbox if m["subject"] == "Undeliverable: api flow")
    assert "3902 (000B099C) Host Unknown" in ndr["body"]
    sp3.post(f"/api/v1/mailboxes/joeuser/messages/{ndr['entry_id']}/send-again", {})
    inbox = sp3.get("/api/v1/mailboxes/joeuser/messages")["messages"]
    assert [m["subject"] for m in inbox].count("Undeliverable: api flow") == 1
    events = sp3.get("/api/v1/eventlog?event_id=4120")
    assert [(e["source"], e["type"], e["category"]) for e in events] == [("MSExchangeIMC", "Error", "Internal Processing")]
    archive = sp3.get("/api/v1/folders/OUT/ARCHIVE")
    assert archive["kind"] == "spool" and [f["note"] for f in archive["items"]] == ["event 4120"]


def test_virtual_time_moves_only_through_the_api(sp3: Served) -> None:
    sp3.post("/api/v1/mailboxes/alice/send", {"to": "SMTP:x@busy.example", "subject": "retry me"})
    queued = sp3.get("/api/v1/queues")["outbound_awaiting_delivery"]
    assert [q["subject"] for q in queued] == ["retry me"]
    before = sp3.get("/api/v1/server")["time"]
    answer = sp3.post("/api/v1/clock/advance", {"hours": 49})
    assert answer["now"] > before
    assert sp3.get("/api/v1/queues")["outbound_awaiting_delivery"] == []
    subjects = [m["subject"] for m in sp3.get("/api/v1/mailboxes/alice/messages")["messages"]]
    assert "Undeliverable: retry me" in subjects


def test_api_errors_are_json_with_a_status(sp3: Served) -> None:
    for path, status in (("/api/v1/mailboxes/nobody/messages", 404), ("/api/v1/nothing", 404), ("/api/v1/folders/C:", 404)):
        with pytest.raises(urllib.error.HTTPError) as caught:
            sp3.get(path)
        assert caught.value.code == status
        assert "error" in json.load(caught.value)
    with pytest.raises(urllib.error.HTTPError) as caught:
        sp3.post("/api/v1/clock/advance", {"seconds": -5})
    assert caught.value.code == 400


def test_sigterm_stops_the_server_cleanly() -> None:
    served = start("--release", "Exchange Server 5.5 SP4", "--config", str(FIXTURES / "small-org.yaml"))
    assert [m["alias"] for m in served.get("/api/v1/mailboxes")] == ["dana"]
    with smtplib.SMTP("127.0.0.1", served.smtp_port, timeout=10) as client:
        client.sendmail("someone@example.net", ["dana@fabrikam.example"], b"Subject: archived\r\n\r\nhi\r\n")
    archive = served.get("/api/v1/folders/IN/ARCHIVE")["items"]
    assert len(archive) == 1 and "Subject: archived" in archive[0]["data"]
    assert "(Microsoft Exchange Internet Mail Service Version 5.5.2653)" in archive[0]["data"]
    code, err = stop(served)
    assert code == 0
    assert "kb sim: stopped" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("option", "value"), [("--smtp", "localhost"), ("--api", "127.0.0.1:70000"),
                                               ("--smtp", "127.0.0.1:x")])
def test_a_bad_listen_address_or_port_is_a_usage_error_that_exits_2(option: str, value: str) -> None:
    result = CliRunner().invoke(cli, ["sim", "serve", option, value])
    assert result.exit_code == 2
    assert f"Error: Invalid value for '{option}': '{value}' is not an address (expected HOST:PORT" in result.stderr


def test_a_bad_org_file_is_a_located_error() -> None:
    path = FIXTURES / "bad-relay-flags.yaml"
    result = CliRunner().invoke(cli, ["sim", "serve", "--config", str(path)])
    assert result.exit_code == 1
    assert f"{path}:6: ims.relay.flags: 99 is greater than the maximum of 15" in result.output


def test_a_peer_whose_host_holds_this_servers_address_is_a_one_line_located_error(tmp_path: Path) -> None:
    (tmp_path / "peer.yaml").write_text("domain: peer.example\nremote_hosts:\n  - {name: mx, ip: 192.0.2.1}\n")
    org = tmp_path / "org.yaml"
    org.write_text("peers:\n  - file: peer.yaml\n")
    result = CliRunner().invoke(cli, ["sim", "serve", "--config", str(org)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == f"{org}:2: peers.0: ip '192.0.2.1' is already 'mx''s (expected a free address)"


def test_an_unknown_release_is_refused() -> None:
    result = CliRunner().invoke(cli, ["sim", "serve", "--release", "Exchange Server 5.5 SP9"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_the_help_shows_an_example() -> None:
    result = CliRunner().invoke(cli, ["sim", "serve", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "--release" in result.output


def test_sending_to_an_unknown_alias_is_a_bad_request(sp3: Served) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        sp3.post("/api/v1/mailboxes/alice/send", {"to": "nosuchalias", "subject": "x"})
    assert caught.value.code == 400
    assert "nosuchalias" in json.load(caught.value)["error"]


def test_a_message_larger_than_the_listener_limit_is_refused_and_the_server_carries_on(sp3: Served) -> None:
    big = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 11000
    with smtplib.SMTP("127.0.0.1", sp3.smtp_port, timeout=30) as client:
        with pytest.raises(smtplib.SMTPException):
            client.sendmail("someone@example.net", ["bob@contoso.com"], big)
    with smtplib.SMTP("127.0.0.1", sp3.smtp_port, timeout=10) as client:
        assert client.noop()[0] == 250


def test_a_port_in_use_is_a_one_line_error() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["sim", "serve", "--smtp", f"127.0.0.1:{port}", "--api", "127.0.0.1:0"])
    assert result.exit_code == 1
    assert f"cannot listen for SMTP on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def _raw(served: Served, method: str, path: str, body: bytes | None = None,
         connection: Any = None) -> tuple[int, dict[str, str], bytes]:
    """Send one request with http.client; return status, headers and the raw content."""
    import http.client

    conn = connection or http.client.HTTPConnection("127.0.0.1", served.api_port, timeout=10)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    answer = conn.getresponse()
    data = answer.read()
    headers = {k.lower(): v for k, v in answer.getheaders()}
    if connection is None:
        conn.close()
    return answer.status, headers, data


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "BREW"])
def test_a_wrong_method_on_a_known_path_is_a_json_405_with_allow(sp3: Served, method: str) -> None:
    status, headers, data = _raw(sp3, method, "/api/v1/mailboxes", b"{}")
    assert status == 405 and headers["content-type"] == "application/json"
    assert headers["allow"] == "GET, HEAD, OPTIONS"
    assert json.loads(data) == {"error": f"{method} is not allowed on /api/v1/mailboxes"}
    status, headers, _ = _raw(sp3, "GET", "/api/v1/clock/advance")
    assert status == 405 and headers["allow"] == "OPTIONS, POST"


def test_an_unknown_path_is_a_json_404_whatever_the_method(sp3: Served) -> None:
    for method in ("GET", "POST", "DELETE", "OPTIONS"):
        status, headers, data = _raw(sp3, method, "/api/v1/nothing", b"{}" if method != "GET" else None)
        assert status == 404 and headers["content-type"] == "application/json", method
        assert json.loads(data) == {"error": "no such endpoint: /api/v1/nothing"}


def test_head_answers_where_get_does_with_its_headers_and_no_content(sp3: Served) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", sp3.api_port, timeout=10)
    get_status, get_headers, get_data = _raw(sp3, "GET", "/api/v1/mailboxes", connection=connection)
    status, headers, data = _raw(sp3, "HEAD", "/api/v1/mailboxes", connection=connection)
    assert (status, data) == (get_status, b"") and get_status == 200
    assert headers["content-length"] == get_headers["content-length"] == str(len(get_data))
    # the kept-alive connection is still in step after HEAD and a refused PUT with a body
    assert _raw(sp3, "PUT", "/api/v1/server", b'{"x": 1}', connection=connection)[0] == 405
    assert _raw(sp3, "GET", "/api/v1/server", connection=connection)[0] == 200
    connection.close()


def test_options_lists_the_allowed_methods(sp3: Served) -> None:
    status, headers, data = _raw(sp3, "OPTIONS", "/api/v1/mailboxes/alice/send")
    assert status == 200 and json.loads(data) == {"allow": ["OPTIONS", "POST"]} and headers["allow"] == "OPTIONS, POST"


def test_a_request_the_stdlib_refuses_is_answered_in_json_too(sp3: Served) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", sp3.api_port), timeout=10) as raw:
        raw.sendall(b"GET /api/v1/server HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n")
        answer = b""
        while chunk := raw.recv(4096):
            answer += chunk
    head, _, content = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b"Content-Type: application/json" in head
    assert json.loads(content)["error"]
