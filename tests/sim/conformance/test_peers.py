"""Conformance rows for the world around the IMS: peer organisations wired from the org file and
non-Exchange remote hosts that refuse with scripted replies or bounce later with their own DSN.

Each row runs on every release and hotfix overlay. The organisations come from org files
(``tests/fixtures/sim/peers``, the peer on the same release as the sender) or the public API;
everything is observed through mailboxes, the protocol log, dsn_fields and the hosts' records.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim_conformance import RELEASES, Row, inbound, judge, row_id
from kb.sim import Organisation
from kb.sim.config import org_from_config
from kb.sim.peering import peers_of
from kb.sim.outside.remote import RemoteHost
from kb.sim.store.report import dsn_fields

PEERS = Path(__file__).resolve().parents[2] / "fixtures" / "sim" / "peers"
UNIX = "unix.example.net"
UNIX_IP = "198.51.100.25"
GONE = "550 5.1.1 <gone@example.net>... User unknown"


def inline_peers(release: str, peer_release: str = "") -> tuple[Organisation, Organisation]:
    """Return Contoso on ``release`` and its inline peer Fabrikam (on ``peer_release``, default the same)."""
    path = PEERS / "inline.yaml"
    text = path.read_text(encoding="utf-8").replace("release: Exchange Server 5.5 SP4",
                                                    f"release: {peer_release or release}")
    contoso = org_from_config(release, yaml.safe_load(text), str(path), text)
    (fabrikam,) = peers_of(contoso).values()
    return contoso, fabrikam


def unix_org(release: str, **host: object) -> tuple[Organisation, RemoteHost]:
    """Return an organisation whose mail for example.net goes to a scripted UNIX host."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    options: dict[str, object] = {"domains": ["example.net"], "bounces": {"gone@example.net": GONE}}
    options.update(host)
    unix = org.add_remote_host(UNIX, UNIX_IP, **options)  # type: ignore[arg-type]
    org.dns.add_zone("example.net", mx=[(10, UNIX)])
    org.dns.add_zone("other.example", mx=[(10, UNIX)])
    return org, unix


def inbound_from(org: Organisation, ip: str) -> list[list[str]]:
    """Return the texts of the inbound sessions that came from ``ip``."""
    return [s.texts() for s in org.ims.protocol_log.inbound() if ip in s.peer]


# -- two organisations from one org file ---------------------------------------------------------


def check_org_file_peer_takes_mail_through_its_inbound_path(release: str) -> None:
    contoso, fabrikam = inline_peers(release)
    contoso.client("alice").send("SMTP:dana@fabrikam.example", subject="Hello Dana")
    assert [m.subject for m in fabrikam.client("dana").inbox()] == ["Hello Dana"]
    (session,) = inbound_from(fabrikam, "192.0.2.1")
    assert "MAIL FROM:<alice@contoso.com>" in session and "RCPT TO:<dana@fabrikam.example>" in session
    assert fabrikam.ims.counters()["inbound_messages_total"] == 1


def check_org_file_peer_ndr_comes_back_through_the_senders_inbound_path(release: str) -> None:
    contoso, fabrikam = inline_peers(release)
    alice = contoso.client("alice")
    alice.send(["SMTP:dana@fabrikam.example", "SMTP:nobody@fabrikam.example"], subject="Hello?")
    (report,) = alice.inbox()
    assert report.subject == "Undeliverable: Hello?"
    assert "MSEXCH:IMS:Fabrikam" in report.body and "Unknown Recipient" in report.body
    (session,) = inbound_from(contoso, "192.0.2.2")
    assert "MAIL FROM:<>" in session and "RCPT TO:<alice@contoso.com>" in session  # RFC 5321 §4.5.5
    fields = dsn_fields(report).recipient("nobody@fabrikam.example")
    assert fields["Action"] == "failed" and fields["Status"].startswith("5.")
    assert not alice.ndrs() and contoso.ims.counters()["ndrs_total"] == 0  # nothing answers the report
    assert [m.subject for m in fabrikam.client("dana").inbox()] == ["Hello?"]


def check_peer_on_this_release_reports_to_an_sp4_sender(release: str) -> None:
    contoso, fabrikam = inline_peers("Exchange Server 5.5 SP4", release)
    assert fabrikam.builds.name == release
    contoso.client("alice").send("SMTP:nobody@fabrikam.example", subject="Anyone?")
    (report,) = contoso.client("alice").inbox()
    assert "MSEXCH:IMS:Fabrikam" in report.body
    assert dsn_fields(report).recipient("nobody@fabrikam.example")["Action"] == "failed"
    (session,) = inbound_from(contoso, "192.0.2.2")
    assert "MAIL FROM:<>" in session


def check_a_report_between_peers_is_never_answered(release: str) -> None:
    contoso, fabrikam = inline_peers(release)
    # Fabrikam's NDR to a Contoso address nobody has: Contoso must drop it, not NDR it back.
    session = fabrikam.ims.session(peer_ip="198.51.100.7")
    session.transaction("client.example.org", "ghost@contoso.com", ["nobody@fabrikam.example"],
                        b"From: ghost@contoso.com\r\nSubject: forged\r\n\r\nx\r\n")
    contoso.clock.run(limit=1000)
    assert fabrikam.ims.counters()["ndrs_total"] == 1
    assert contoso.ims.counters()["ndrs_total"] == 0
    assert inbound_from(fabrikam, "192.0.2.1") == []  # nothing went back to Fabrikam


# -- a UNIX host that bounces on its own ---------------------------------------------------------


def check_unix_dsn_reaches_the_senders_mailbox(release: str) -> None:
    org, unix = unix_org(release)
    alice = org.client("alice")
    alice.send(["SMTP:gone@example.net", "SMTP:pat@example.net"], subject="Minutes")
    assert [d.rcpt_to for d in unix.received] == [("gone@example.net", "pat@example.net")]  # both taken at RCPT
    (report,) = alice.inbox()
    assert (report.subject, report.sender) == ("Returned mail: User unknown", f"MAILER-DAEMON@{UNIX}")
    fields = dsn_fields(report)
    assert fields.per_message["Reporting-MTA"] == f"dns; {UNIX}"
    assert fields.per_message["Received-From-MTA"] == f"DNS; {org.fqdn}"
    assert [f["Final-Recipient"] for f in fields.recipients] == ["RFC822; gone@example.net"]  # pat was delivered
    assert fields.recipient("gone@example.net")["Status"] == "5.1.1"
    assert fields.recipient("gone@example.net")["Diagnostic-Code"] == f"SMTP; {GONE}"
    (session,) = inbound_from(org, UNIX_IP)
    assert "MAIL FROM:<>" in session and "RCPT TO:<alice@contoso.com>" in session
    assert not alice.ndrs() and org.ims.counters()["ndrs_total"] == 0


def check_unix_dsn_keeps_its_time(release: str) -> None:
    org, unix = unix_org(release, bounce_after=1800)
    org.client("alice").send("SMTP:gone@example.net", subject="Later")
    assert org.client("alice").inbox() == []
    org.advance(1799)
    assert org.client("alice").inbox() == []
    org.advance(1)
    assert [m.subject for m in org.client("alice").inbox()] == ["Returned mail: User unknown"]
    assert [r.state for r in unix.reports] == ["sent"]


def check_unix_dsn_is_retried_while_the_ims_is_stopped(release: str) -> None:
    org, unix = unix_org(release, bounce_after=600)
    org.client("alice").send("SMTP:gone@example.net", subject="Retry")
    org.advance(300)
    org.ims.stop()
    org.advance(600)
    assert [text[:3] for _, text in unix.reports[0].attempts] == ["421"]  # RFC 5321 §3.8
    org.ims.start()
    org.advance(3600)  # the host's next queue run
    assert unix.reports[0].state == "sent"
    assert [m.subject for m in org.client("alice").inbox()] == ["Returned mail: User unknown"]


def check_no_dsn_for_a_null_reverse_path(release: str) -> None:
    org, unix = unix_org(release)
    # Internet mail from gone@example.net to nobody here: the IMS's NDR (MAIL FROM:<>) goes to the
    # UNIX host, which cannot deliver it either and must not report on a report.
    inbound(org, "gone@example.net", ["nobody@contoso.com"], peer_ip="203.0.113.9")
    org.clock.run(limit=1000)
    assert [(d.mail_from, d.rcpt_to) for d in unix.received] == [("", ("gone@example.net",))]
    assert unix.reports == [] and len(unix.unreported) == 1
    assert inbound_from(org, UNIX_IP) == []


def check_dsn_to_an_unknown_local_address_is_not_answered(release: str) -> None:
    org, unix = unix_org(release)
    # Relayed mail with a reverse path at this domain that nobody holds, bounced by the UNIX host:
    # the DSN (MAIL FROM:<>) to that address must end at the IMS, not come back as an NDR.
    inbound(org, "ghost@contoso.com", ["gone@example.net"], peer_ip="203.0.113.9")
    org.clock.run(limit=1000)
    assert [d.mail_from for d in unix.received] == ["ghost@contoso.com"]
    assert [r.state for r in unix.reports] == ["sent"]  # the IMS takes <> for its own domain ...
    assert org.ims.counters()["ndrs_total"] == 0  # ... and drops what it cannot deliver (4132)
    assert [e.event_id for e in org.eventlog.entries(source="MSExchangeIMC", event_id=4132)] == [4132]
    assert all(d.mail_from for d in unix.received)  # no report went back to the UNIX host


def check_relaying_denied_is_reported_with_its_code(release: str) -> None:
    org, unix = unix_org(release)
    alice = org.client("alice")
    alice.send(["SMTP:pat@other.example", "SMTP:pat@example.net"], subject="Relay?")
    assert [d.rcpt_to for d in unix.received] == [("pat@example.net",)]
    (ndr,) = alice.ndrs()
    fields = dsn_fields(ndr).recipient("pat@other.example")
    assert fields["Status"] == "5.7.1"  # RFC 3463 §3.8: delivery not authorized
    assert fields["Diagnostic-Code"].replace(" ", "").lower().startswith("smtp;550")
    assert "Relaying denied" in fields["Diagnostic-Code"] and UNIX in fields["Remote-MTA"]


def check_data_refusal_fails_every_accepted_recipient(release: str) -> None:
    org, unix = unix_org(release, data_reply="554 5.6.0 Content rejected")
    alice = org.client("alice")
    alice.send(["SMTP:pat@example.net", "SMTP:lee@example.net"], subject="Attachment")
    assert unix.received == []
    (ndr,) = alice.ndrs()
    fields = dsn_fields(ndr)
    assert sorted(f["Final-Recipient"].split(";")[1].strip() for f in fields.recipients) == [
        "lee@example.net", "pat@example.net"]
    assert {f["Status"] for f in fields.recipients} == {"5.6.0"}


def check_data_deferral_is_retried_not_reported(release: str) -> None:
    org, unix = unix_org(release, data_reply="451 4.3.0 Try again later")
    alice = org.client("alice")
    alice.send("SMTP:pat@example.net", subject="Busy")
    assert alice.ndrs() == [] and unix.received == []
    sessions = len(org.ims.protocol_log.outbound())
    org.advance(15 * 60)  # the first retry interval (.25 h)
    assert len(org.ims.protocol_log.outbound()) == sessions + 1 and alice.ndrs() == []


ROWS = [
    Row("an org file's peer takes mail through its inbound path", "RFC 5321 §3; ims-domain §2.3",
        check_org_file_peer_takes_mail_through_its_inbound_path),
    Row("an org file's peer NDRs through the sender's inbound path with a null reverse path",
        "RFC 5321 §4.5.5; RFC 3464 §2; Q250507", check_org_file_peer_ndr_comes_back_through_the_senders_inbound_path),
    Row("a peer on this release NDRs to an SP4 sender with a null reverse path", "RFC 5321 §4.5.5; RFC 3464 §2",
        check_peer_on_this_release_reports_to_an_sp4_sender),
    Row("a report between peers is never answered", "RFC 5321 §4.5.5, §6.1", check_a_report_between_peers_is_never_answered),
    Row("a remote host's own DSN reaches the sender's mailbox", "RFC 5321 §6.1; RFC 3464 §2; RFC 3461 §6.1; Q146270; Q262986",
        check_unix_dsn_reaches_the_senders_mailbox),
    Row("a remote host's DSN comes when the host sends it", "RFC 5321 §6.1", check_unix_dsn_keeps_its_time),
    Row("a remote host retries its DSN while the IMS is stopped", "RFC 5321 §3.8, §4.5.4.1",
        check_unix_dsn_is_retried_while_the_ims_is_stopped),
    Row("a remote host does not report on a report", "RFC 5321 §4.5.5, §6.1", check_no_dsn_for_a_null_reverse_path),
    Row("a DSN to an unknown local address is not answered", "RFC 5321 §4.5.5, §6.1",
        check_dsn_to_an_unknown_local_address_is_not_answered),
    Row("a remote RCPT refusal is reported with its enhanced code", "RFC 3464 §2.3; RFC 3463 §3.8",
        check_relaying_denied_is_reported_with_its_code),
    Row("a remote DATA refusal fails every accepted recipient", "RFC 5321 §4.2.5; RFC 3463",
        check_data_refusal_fails_every_accepted_recipient),
    Row("a remote DATA deferral is retried, not reported", "RFC 5321 §4.5.4.1; ims-domain §2.2 (retry)",
        check_data_deferral_is_retried_not_reported),
]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_each_peer_row_holds_or_deviates_exactly_where_an_article_says(row: Row, release: str) -> None:
    judge(row, release)
