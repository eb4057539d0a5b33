"""Store conversion bugs of inbound mail driven through real SMTP against ``kb sim serve`` (Q231748, Q235219).

Read back through the JSON API only: mailboxes and the event log.
"""

from __future__ import annotations

from typing import Any

import pytest

from test_inbound_bugs_over_smtp import serve  # noqa: F401 - the fixture that starts kb sim serve

SP2, SP3 = "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP3"


@pytest.mark.parametrize("release", [SP2, SP3])
def test_a_comment_in_cc_stops_the_store_only_before_sp3(serve: Any, release: str) -> None:  # noqa: F811
    server = serve("inbound-conversion.yaml", release)
    body = "From: pat@example.org\r\nTo: kato@contoso.com\r\nCc: mchiba (M,Chiba); \r\nSubject: Notes\r\n\r\nx\r\n"
    with server.smtp() as client:
        assert client.sendmail("pat@example.org", ["kato@contoso.com", "mchiba@contoso.com"], body) == {}
    events = [(e["source"], e["event_id"]) for e in server.get("/api/v1/eventlog")]
    if release == SP2:
        assert ("Service Control Manager", 7031) in events and ("MSExchangeIMC", 3039) in events
        assert server.inbox("kato") == [] and server.get("/api/v1/queues")["service"] == "stopped"
    else:
        assert events == [] and server.inbox("kato") == ["Notes"] and server.inbox("mchiba") == ["Notes"]


@pytest.mark.parametrize("release", [SP2, SP3])
def test_a_long_crlf_series_in_japanese_mail_is_cut_only_before_sp3(serve: Any, release: str) -> None:  # noqa: F811
    server = serve("inbound-conversion.yaml", release)
    text = "\u3042\r\n" + "\r\n" * 2100 + "\u3093END\r\n"
    body = (b"From: hanako@example.jp\r\nTo: kato@contoso.com\r\nSubject: Minutes\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            + text.encode("iso2022_jp"))
    with server.smtp() as client:
        assert client.sendmail("hanako@example.jp", ["kato@contoso.com"], body) == {}
    [summary] = server.get("/api/v1/mailboxes/kato/messages")["messages"]
    message = server.get(f"/api/v1/mailboxes/kato/messages/{summary['entry_id']}")
    assert ("END" in message["body"]) == (release == SP3)
