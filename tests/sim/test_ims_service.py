"""The MSExchangeIMC service: stopping and starting it (the state fatal errors leave it in)."""

from __future__ import annotations

import pytest

from kb.exceptions import SimError
from kb.sim import Organisation


def _org(release: str) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mx.example.net", "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    return org


def test_a_stopped_ims_refuses_connections_and_logs_1001(release: str) -> None:
    org = _org(release)
    org.ims.stop()
    assert org.ims.state == "stopped" and org.ims.queues()["service"] == "stopped"
    assert [e.event_id for e in org.eventlog.entries(source="MSExchangeIMC")] == [1001]
    with pytest.raises(SimError, match="port 25 refused"):
        org.ims.session("192.0.2.7")


def test_outbound_mail_waits_in_mts_out_while_stopped_and_leaves_after_start(release: str) -> None:
    org = _org(release)
    org.ims.stop()
    org.client("alice").send("SMTP:carol@example.net", subject="queued", body="hi")
    assert [m["subject"] for m in org.ims.queues()["outbound_awaiting_conversion"]] == ["queued"]
    assert org.internet.host("mx.example.net").received == []
    org.ims.start()
    org.run()
    assert org.ims.queues()["outbound_awaiting_conversion"] == []
    assert len(org.internet.host("mx.example.net").received) == 1


def test_a_queued_delivery_is_held_while_stopped_and_retried_at_start(release: str) -> None:
    org = _org(release)
    org.internet.host("mx.example.net").behaviour = "tempfail"
    org.client("alice").send("SMTP:carol@example.net", subject="deferred", body="hi")
    org.ims.stop()
    org.internet.host("mx.example.net").behaviour = "accept"
    org.advance(4 * 3600)
    assert org.internet.host("mx.example.net").received == []
    org.ims.start()
    org.run()
    assert len(org.internet.host("mx.example.net").received) == 1


def test_inbound_mail_spooled_before_a_stop_is_delivered_after_start(release: str) -> None:
    org = _org(release)
    session = org.ims.session("192.0.2.7")
    session.mail("pat@example.net")
    session.rcpt("alice@contoso.com")
    org.ims.stop()
    session.data(b"Subject: late\r\n\r\nhi\r\n")
    org.run()
    assert org.client("alice").inbox() == [] and len(org.ims.spool.list("IN")) == 1
    org.ims.start()
    org.run()
    assert [m.subject for m in org.client("alice").inbox()] == ["late"]
