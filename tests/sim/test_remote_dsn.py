"""Remote hosts scripted beyond the session, and the DSNs they send on their own."""

from __future__ import annotations

from datetime import datetime

import pytest

from kb.exceptions import ConfigError
from kb.sim import Organisation, dsn_fields
from kb.sim.outside.remote import RemoteHost
from kb.sim.outside.remote_dsn import compose_dsn, dsn_status, enhanced_status
from kb.sim.store.report import parse_report

GONE = "550 5.1.1 <gone@example.net>... User unknown"


def unix_org(**host: object) -> tuple[Organisation, RemoteHost]:
    org = Organisation("Exchange Server 5.5 SP4")
    org.add_mailbox("alice", "Alice Smith")
    options: dict[str, object] = {"bounces": {"gone@example.net": GONE}}
    options.update(host)
    unix = org.add_remote_host("unix.example.net", "198.51.100.25", **options)  # type: ignore[arg-type]
    org.dns.add_zone("example.net", mx=[(10, "unix.example.net")])
    return org, unix


@pytest.mark.parametrize(("reply", "status"), [
    ("550 5.1.1 <a@b>... User unknown", "5.1.1"), ("554 5.7.1 Relaying denied", "5.7.1"),
    ("550 User unknown", "5.0.0"), ("451-4.3.0 try later", "4.3.0"), ("550 5.1.1x bad", "5.0.0"),
])
def test_the_status_of_a_failure_is_the_replys_enhanced_code_else_x_0_0(reply: str, status: str) -> None:
    assert dsn_status(reply) == status
    assert (enhanced_status(reply) is None) == status.endswith(".0.0")


def test_a_composed_dsn_is_a_multipart_report_with_one_block_per_failure() -> None:
    when = datetime(2000, 1, 11, 9, 0)
    data = compose_dsn("unix.example.net", when, when, 7, "alice@contoso.com",
                       [("gone@example.net", GONE), ("old@example.net", "550 5.1.6 <old@example.net>... moved")],
                       b"Subject: Minutes\r\n\r\nbody\r\n", client="exch01.contoso.com")
    report = parse_report(data)
    assert report.get_content_type() == "multipart/report" and report.get_param("report-type") == "delivery-status"
    assert [p.get_content_type() for p in report.iter_parts()] == ["text/plain", "message/delivery-status",
                                                                  "message/rfc822"]
    assert report["Subject"] == "Returned mail: see transcript for details"  # two different reasons
    assert report["From"] == "Mail Delivery Subsystem <MAILER-DAEMON@unix.example.net>"
    fields = dsn_fields(data)
    assert [f["Status"] for f in fields.recipients] == ["5.1.1", "5.1.6"]
    assert fields.recipient("old@example.net")["Action"] == "failed"


def test_an_undeliverable_dsn_is_retried_hourly_and_given_up_after_five_days() -> None:
    org, unix = unix_org(bounce_after=60)
    org.client("alice").send("SMTP:gone@example.net", subject="x")
    org.ims.stop()  # the host's DSN comes a minute later and finds the IMS stopped
    org.advance(60)
    assert [(r.state, [text[:3] for _, text in r.attempts]) for r in unix.reports] == [("queued", ["421"])]
    org.advance(5 * 24 * 3600)
    (report,) = unix.reports
    assert report.state == "expired"
    times = [when for when, _ in report.attempts]
    assert {(b - a).total_seconds() for a, b in zip(times, times[1:])} == {3600.0}
    assert (times[-1] - report.made).total_seconds() <= 5 * 24 * 3600 < (times[-1] - report.made).total_seconds() + 3600
    assert not any("delivery report" in label for _, label in org.clock.pending())


def test_a_dsn_for_another_domain_goes_to_that_domains_mx_host() -> None:
    org, unix = unix_org()
    relay = org.add_remote_host("mx.elsewhere.example", "198.51.100.40")
    org.dns.add_zone("elsewhere.example", mx=[(10, "mx.elsewhere.example")])
    session = org.ims.session(peer_ip="203.0.113.9")
    session.transaction("client.example.org", "pat@elsewhere.example", ["gone@example.net"], b"Subject: x\r\n\r\nx\r\n")
    org.run()
    assert [(d.mail_from, d.rcpt_to) for d in relay.received] == [("", ("pat@elsewhere.example",))]
    assert unix.reports[0].state == "sent"


def test_a_dsn_refused_with_a_5xx_is_given_up_without_a_report() -> None:
    org, unix = unix_org()
    relay = org.add_remote_host("mx.elsewhere.example", "198.51.100.40",
                                recipients={"pat@elsewhere.example": "550 5.1.1 No such user"})
    org.dns.add_zone("elsewhere.example", mx=[(10, "mx.elsewhere.example")])
    session = org.ims.session(peer_ip="203.0.113.9")
    session.transaction("client.example.org", "pat@elsewhere.example", ["gone@example.net"], b"Subject: x\r\n\r\nx\r\n")
    org.run()
    (report,) = unix.reports
    assert (report.state, [text for _, text in report.attempts]) == ("refused", ["550 5.1.1 No such user"])
    org.advance(24 * 3600)
    assert len(report.attempts) == 1 and relay.received == []


def test_the_host_records_its_reports_in_its_json() -> None:
    org, unix = unix_org()
    org.client("alice").send("SMTP:gone@example.net", subject="x")
    (report,) = unix.to_json()["reports"]
    assert (report["state"], report["to"], len(report["attempts"])) == ("sent", "alice@contoso.com", 1)


@pytest.mark.parametrize(("options", "message"), [
    ({"bounces": {"a@example.net": "250 OK"}}, "bounces['a@example.net'] '250 OK' is not a 5xx reply line"),
    ({"recipients": {"a@example.net": "hello"}}, "recipients['a@example.net'] 'hello' is not a reply line"),
    ({"data_reply": "OK"}, "data_reply 'OK' is not a reply line"),
    ({"bounce_after": -1}, "bounce_after -1 is negative"),
])
def test_a_bad_script_is_refused_when_the_host_is_added(options: dict[str, object], message: str) -> None:
    org = Organisation("Exchange Server 5.5 SP4")
    with pytest.raises(ConfigError) as caught:
        org.add_remote_host("mx.example.net", "192.0.2.25", **options)
    assert message in str(caught.value)


def test_two_hosts_cannot_share_an_address() -> None:
    org = Organisation("Exchange Server 5.5 SP4")
    org.add_remote_host("mx.example.net", "192.0.2.25")
    with pytest.raises(ConfigError) as caught:
        org.add_remote_host("mx.other.example", "192.0.2.25")
    assert "ip '192.0.2.25' is already 'mx.example.net''s" in str(caught.value)


def test_a_dsn_whose_null_sender_is_refused_stops_before_rcpt() -> None:
    org, unix = unix_org()
    strict = org.add_remote_host("mx.strict.example", "198.51.100.41", behaviour="reject")
    org.dns.add_zone("strict.example", mx=[(10, "mx.strict.example")])
    session = org.ims.session(peer_ip="203.0.113.9")
    session.transaction("client.example.org", "pat@strict.example", ["gone@example.net"], b"Subject: x\r\n\r\nx\r\n")
    org.run()
    (report,) = unix.reports
    assert (report.state, [text for _, text in report.attempts]) == (
        "refused", ["550 Requested action not taken: sender rejected"])
    assert strict.received == []
