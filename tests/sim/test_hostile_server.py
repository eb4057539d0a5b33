"""Abuse of ``kb sim serve``: bad API input, cross-site requests, a frozen loop, many recipients."""

from __future__ import annotations

import http.client
import json
import socket
import tracemalloc
from typing import Any, Iterator

import pytest

from kb.sim import Organisation
from kb.sim.config import load_org
from kb.sim.ims.session import MAPI_RECIPIENT_LIMIT
from kb.sim.serve import Bound, SimServer


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[SimServer, Bound]]:
    """A running simulator (SMTP + API on free ports of 127.0.0.1)."""
    server = SimServer(load_org("Exchange Server 5.5 SP3"), ("127.0.0.1", 0), ("127.0.0.1", 0))
    with server.running() as bound:
        yield server, bound


def request(bound: Bound, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """Send one HTTP request to the API; return (status, decoded JSON)."""
    connection = http.client.HTTPConnection("127.0.0.1", bound.api[1], timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        answer = connection.getresponse()
        data = answer.read()
        assert answer.getheader("Content-Type") == "application/json"
        return answer.status, json.loads(data)
    finally:
        connection.close()


def first_alias(bound: Bound) -> str:
    """Return a mailbox alias of the served organisation."""
    status, boxes = request(bound, "GET", "/api/v1/mailboxes")
    assert status == 200 and boxes
    return str(boxes[0]["alias"])


@pytest.mark.parametrize("payload", [
    b'{"to": "someone@example.net", "cc": 5}',
    b'{"to": "someone@example.net", "bcc": [1, 2]}',
    b'{"to": 7}',
])
def test_a_send_with_recipients_of_the_wrong_type_is_a_400_json_answer(served: tuple[SimServer, Bound], payload: bytes) -> None:
    _, bound = served
    status, answer = request(bound, "POST", f"/api/v1/mailboxes/{first_alias(bound)}/send", payload)
    assert status == 400 and "must be a string or a list of strings" in answer["error"]


@pytest.mark.parametrize("payload", [b'{"seconds": NaN}', b'{"seconds": Infinity}', b'{"hours": 1e8}',
                                     b'{"minutes": 1e300}', b'{"seconds": -1}'])
def test_a_clock_advance_by_nan_or_centuries_is_a_400_json_answer(served: tuple[SimServer, Bound], payload: bytes) -> None:
    _, bound = served
    status, answer = request(bound, "POST", "/api/v1/clock/advance", payload)
    assert status == 400 and "error" in answer
    status, server = request(bound, "GET", "/api/v1/server")
    assert status == 200  # the clock still works


def test_deeply_nested_json_is_a_400_json_answer(served: tuple[SimServer, Bound]) -> None:
    _, bound = served
    status, answer = request(bound, "POST", "/api/v1/clock/advance", b"[" * 100_000 + b"]" * 100_000)
    assert status == 400 and "nested too deeply" in answer["error"]


def test_a_five_thousand_digit_event_id_is_a_400_json_answer(served: tuple[SimServer, Bound]) -> None:
    _, bound = served
    status, answer = request(bound, "GET", "/api/v1/eventlog?event_id=" + "9" * 5000)
    assert status == 400 and "event_id must be a number of at most 10 digits" in answer["error"]


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:1"},
    {"Host": "evil.example"},
    {"Host": "rebound.attacker.example:8025"},
])
def test_a_cross_site_post_or_a_foreign_host_is_refused_with_403(served: tuple[SimServer, Bound], headers: dict[str, str]) -> None:
    server, bound = served
    status, answer = request(bound, "POST", f"/api/v1/mailboxes/{first_alias(bound)}/send",
                             b'{"to": "victim@example.net", "subject": "csrf"}', headers)
    assert status == 403 and "error" in answer
    assert not any(m.subject == "csrf" for box in server.org.directory.mailboxes()
                   for m in server.org.mailbox_folder(box.alias, "Sent Items"))


def test_a_same_origin_request_on_a_loopback_name_is_served(served: tuple[SimServer, Bound]) -> None:
    _, bound = served
    port = bound.api[1]
    for host, origin in ((f"localhost:{port}", f"http://localhost:{port}"),
                         (f"127.0.0.1:{port}", f"http://127.0.0.1:{port}"), (f"[::1]:{port}", None)):
        headers = {"Host": host} | ({"Origin": origin} if origin else {})
        status, _ = request(bound, "GET", "/api/v1/server", headers=headers)
        assert status == 200, host


def test_smtp_connections_are_served_while_the_model_lock_is_held(served: tuple[SimServer, Bound]) -> None:
    server, bound = served
    first = socket.create_connection(("127.0.0.1", bound.smtp[1]), timeout=10)
    second: socket.socket | None = None
    try:
        assert first.recv(1024).startswith(b"220")
        with server.lock:  # what an API send holds while it works
            first.sendall(b"HELO client.example\r\nMAIL FROM:<a@example.net>\r\n")
            second = socket.create_connection(("127.0.0.1", bound.smtp[1]), timeout=3)
            # A loop blocked on the lock would not greet a new connection at all.
            assert second.recv(1024).startswith(b"220")
        first.settimeout(10)
        replies = b""
        while replies.count(b"\r\n") < 2:
            replies += first.recv(1024)
        assert b"\r\n250" in replies
    finally:
        first.close()
        if second is not None:
            second.close()


def test_the_ims_answers_452_past_its_recipient_limit() -> None:
    org = Organisation("Exchange Server 5.5 SP3")
    org.add_mailbox("user1")
    session = org.ims.session(peer_ip="127.0.0.1")
    session.helo("client.example")
    session.mail("pat@example.net")
    for _ in range(MAPI_RECIPIENT_LIMIT):
        assert session.rcpt(f"user1@{org.domain}").code == 250
    reply = session.rcpt(f"user1@{org.domain}")
    assert (reply.code, reply.text) == (452, "Requested action not taken: Exceed Recipient Limit")


def _peak_bytes(recipients: int) -> int:
    """Return the peak memory of receiving and delivering one message to ``recipients`` local RCPTs."""
    org = Organisation("Exchange Server 5.5 SP3")
    for n in range(recipients):
        org.add_mailbox(f"u{n}")
    session = org.ims.session(peer_ip="127.0.0.1")
    session.helo("client.example")
    session.mail("pat@example.net")
    tracemalloc.start()
    try:
        for n in range(recipients):
            session.rcpt(f"u{n}@{org.domain}")
        session.data(b"From: pat@example.net\r\nSubject: many\r\n\r\nHi.\r\n")
        org.run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_one_message_to_many_local_recipients_costs_memory_linear_in_their_number() -> None:
    small, large = _peak_bytes(200), _peak_bytes(800)
    # Four times the recipients: linear cost is about 4x; the deep copy per delivery gave 16x.
    assert large < 8 * small, (small, large)


def test_a_send_to_more_recipients_than_a_message_takes_is_a_400_json_answer(served: tuple[SimServer, Bound]) -> None:
    _, bound = served
    payload = json.dumps({"to": [f"r{n}@example.net" for n in range(MAPI_RECIPIENT_LIMIT + 1)]}).encode()
    status, answer = request(bound, "POST", f"/api/v1/mailboxes/{first_alias(bound)}/send", payload)
    assert status == 400 and "a message takes at most 32766" in answer["error"]


def test_a_client_that_stalls_mid_request_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.sim.api

    monkeypatch.setattr(kb.sim.api, "REQUEST_TIMEOUT", 1.0)
    server = SimServer(load_org("Exchange Server 5.5 SP3"), ("127.0.0.1", 0), ("127.0.0.1", 0))
    with server.running() as bound:
        with socket.create_connection(("127.0.0.1", bound.api[1]), timeout=10) as stalled:
            stalled.sendall(b"GET /api/v1/server HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            assert stalled.recv(1024) == b""  # closed by the server after its timeout
