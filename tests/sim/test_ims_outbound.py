"""The IMS outbound path: routing, SMTP replies, retries on the virtual clock, expiry, limits."""

from __future__ import annotations

from kb.sim import DomainRoute, ImsConfig, Organisation


def _org(release: str = "Exchange Server 5.5 SP3", **ims: object) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(**ims))  # type: ignore[arg-type]
    org.add_mailbox("alice", "Alice Smith")
    return org


def test_a_remote_5xx_to_rcpt_gives_an_ndr_with_code_3000_plus_the_reply() -> None:
    org = _org()
    org.add_remote_host("mx.example.net", "192.0.2.25", recipients={"nobody@example.net": "550 mailbox unavailable"})
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    client = org.client("alice")
    client.send(["SMTP:nobody@example.net", "SMTP:carol@example.net"], subject="s")
    (ndr,) = client.ndrs()
    assert [r.address for r in ndr.recipients] == ["nobody@example.net"]
    assert ndr.recipients[0].supplementary == "MSEXCH:IMS:Contoso:Redmond:EXCH01 3550 (000C05A6) 550 mailbox unavailable"
    assert org.internet.host("mx.example.net").received[0].rcpt_to == ("carol@example.net",)


def test_a_temporary_failure_is_retried_on_the_connector_schedule_and_delivered_later() -> None:
    org = _org()
    host = org.add_remote_host("mx.example.net", "192.0.2.25", behaviour="tempfail")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    org.client("alice").send("SMTP:carol@example.net", subject="later")
    (entry,) = org.ims.queues()["outbound_awaiting_delivery"]
    assert entry["next_try"] == "2000-01-11T09:15:00"
    assert any("499 No routing hosts are reachable for example.net" in line for line in org.ims.protocol_log.lines())
    host.behaviour = "accept"
    org.advance(14 * 60)
    assert host.received == []
    org.advance(60)
    assert len(host.received) == 1
    assert org.ims.queues()["outbound_awaiting_delivery"] == []
    assert org.client("alice").ndrs() == []


def test_a_host_that_never_answers_expires_after_the_message_time_out_with_an_ndr() -> None:
    org = _org()
    org.add_remote_host("mx.example.net", "192.0.2.25", behaviour="nobanner")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    client = org.client("alice")
    client.send("SMTP:carol@example.net", subject="never")
    org.advance(47 * 3600)
    assert client.ndrs() == []
    org.advance(3600)
    (ndr,) = client.ndrs()
    assert ndr.recipients[0].supplementary.endswith("Maximum time for delivery expired")
    assert org.ims.spool.list("OUT") == []


def test_a_dns_time_out_is_temporary_and_nxdomain_is_permanent() -> None:
    org = _org()
    org.dns.add_zone("slow.example", timeout=True)
    client = org.client("alice")
    client.send(["SMTP:a@slow.example", "SMTP:b@nxdomain.example"], subject="dns")
    assert [n.recipients[0].address for n in client.ndrs()] == ["b@nxdomain.example"]
    assert len(org.ims.queues()["outbound_awaiting_delivery"]) == 1


def test_a_domain_without_mx_is_delivered_to_its_a_record() -> None:
    org = _org()
    host = org.add_remote_host("example.org", "192.0.2.80")
    org.client("alice").send("SMTP:dave@example.org", subject="a record")
    assert len(host.received) == 1


def test_forward_all_messages_to_host_sends_everything_to_the_smart_host() -> None:
    org = _org(forward_host="smarthost.isp.example")
    smart = org.add_remote_host("smarthost.isp.example", "192.0.2.99")
    org.client("alice").send(["SMTP:x@nxdomain.example", "SMTP:y@other.example"], subject="via isp")
    assert sorted(smart.received[0].rcpt_to) == ["x@nxdomain.example", "y@other.example"]


def test_the_per_domain_size_limit_gives_a_3903_ndr() -> None:
    org = _org(domain_routes=[DomainRoute("example.net", max_size_kb=1)])
    org.add_remote_host("mx.example.net", "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    client = org.client("alice")
    client.send("SMTP:carol@example.net", subject="big", body="x" * 4000)
    (ndr,) = client.ndrs()
    assert "3903 (000B099C) Message exceeds size limit" in ndr.recipients[0].supplementary
    assert org.internet.host("mx.example.net").received == []


def test_message_archival_keeps_outbound_copies_in_out_archive() -> None:
    org = _org(logging={"message_archival": 1})
    org.add_remote_host("example.org", "192.0.2.80")
    org.client("alice").send("SMTP:dave@example.org", subject="archived")
    (copy,) = org.ims.spool.list("OUT\\ARCHIVE")
    assert b"Subject: archived" in copy.data
    assert org.ims.spool.list("OUT") == []


def test_a_custom_recipient_and_a_distribution_list_are_expanded_by_the_mta() -> None:
    org = _org()
    org.add_mailbox("bob")
    org.add_custom_recipient("carol", "SMTP:carol@example.org")
    org.add_distribution_list("team", ["bob", "carol"])
    host = org.add_remote_host("example.org", "192.0.2.80")
    org.client("alice").send("team", subject="team news")
    assert [m.subject for m in org.client("bob").inbox()] == ["team news"]
    assert host.received[0].rcpt_to == ("carol@example.org",)


def test_a_trailing_space_in_the_domain_bypasses_the_per_domain_route_only_before_ims_2594(release: str) -> None:
    org = Organisation(release, ims_config=ImsConfig(domain_routes=[DomainRoute("partner.example", host="gw.partner.example")]))
    org.add_mailbox("alice")
    gateway = org.add_remote_host("gw.partner.example", "198.51.100.10")
    mx = org.add_remote_host("mx.partner.example", "198.51.100.25")
    org.dns.add_zone("partner.example", mx=[(10, "mx.partner.example")])
    org.client("alice").send("SMTP:user@partner.example ", subject="order")
    misrouted = org.builds.ims < org.builds.ims.parse("5.5.2594.0")
    assert (len(mx.received), len(gateway.received)) == ((1, 0) if misrouted else (0, 1))
    assert misrouted == (release in ("Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2"))


def test_protocol_log_files_are_written_to_the_log_directory_only_when_logging_is_on() -> None:
    quiet = _org()
    quiet.add_remote_host("example.org", "192.0.2.80")
    quiet.client("alice").send("SMTP:dave@example.org", subject="quiet")
    assert quiet.ims.spool.list("LOG") == []
    assert quiet.ims.protocol_log.lines()  # kept in memory for inspection anyway
    logged = _org(logging={"smtp_protocol_log": "Medium"})  # commands from Medium up (Q154505)
    logged.add_remote_host("example.org", "192.0.2.80")
    logged.client("alice").send("SMTP:dave@example.org", subject="logged")
    (log,) = logged.ims.spool.list("LOG")
    assert log.name == "L0000000.LOG"
    assert b"RCPT TO:<dave@example.org>" in log.data
