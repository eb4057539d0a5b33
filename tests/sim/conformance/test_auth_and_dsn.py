"""Conformance rows: SMTP AUTH (RFC 2554) and DSN (RFC 1891/3461) as Exchange 5.5 does them, on every release."""

from __future__ import annotations

import base64

import pytest

from sim_conformance import HOST, RELEASES, Deviation, Row, dsn_blocks, judge, make_org, row_id
from kb.sim import Organisation, RelayRules
from kb.sim.ims.auth import IMS_READS_DISABLE_AUTH
from kb.sim.ims.session import InboundSession
from kb.sim.core.message import MapiMessage
from kb.sim.store.quota import StorageLimits
from kb.sim.store.report import dsn_fields, parse_report

PEER = "198.51.100.7"
DSN_HOST, DSN_HOST_IP = "mx.dsn.example", "192.0.2.26"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _session(org: Organisation, peer: str = PEER) -> InboundSession:
    session = org.ims.session(peer, "client.example.org")
    assert session.ehlo("client.example.org").code == 250
    return session


def _send(session: InboundSession, mail_from: str, mail_params: str, rcpts: list[tuple[str, str]],
          subject: str = "dsn") -> list[int]:
    """Run MAIL (with parameters), RCPTs (with parameters) and DATA; return the reply codes."""
    codes = [session.mail(mail_from, mail_params).code]
    codes += [session.rcpt(address, params).code for address, params in rcpts]
    payload = f"From: <{mail_from}>\r\nTo: {rcpts[0][0]}\r\nSubject: {subject}\r\n\r\nthe message text\r\n".encode()
    codes.append(session.data(payload).code)
    session.ims.server.clock.run()  # the organisation runs its clock (Organisation.run)
    return codes


def _reports_to(org: Organisation, host: str = HOST) -> list[bytes]:
    return [d.data for d in org.internet.host(host).received if b"multipart/report" in d.data]


def _with_password(release: str, **ims: object) -> Organisation:
    org = make_org(release, **ims)
    org.directory.set_password("alice", "Secret1")
    return org


# -- AUTH ------------------------------------------------------------------------------------


def auth_login_prompts_in_base64_and_accepts_a_mailbox_account(release: str) -> None:
    session = _session(_with_password(release))
    assert session.auth("LOGIN").line() == "334 VXNlcm5hbWU6"
    assert session.auth_response(_b64("CONTOSO\\alice")).line() == "334 UGFzc3dvcmQ6"
    assert session.auth_response(_b64("Secret1")).line() == "235 LOGIN authentication successful"
    assert session.authenticated


def a_wrong_password_gets_535_and_event_4183(release: str) -> None:
    org = _with_password(release)
    assert _session(org).login("alice", "wrong").line() == "535 Authentication failed"
    (event,) = org.eventlog.entries(source="MSExchangeIMC", event_id=4183)
    assert event.description.startswith("Authentication attempt (AUTH LOGIN) from client.example.org as alice failed")


def an_unknown_mechanism_gets_504(release: str) -> None:
    session = _session(_with_password(release))
    assert session.auth(f"PLAIN {_b64(chr(0) + 'alice' + chr(0) + 'Secret1')}").code == 504
    assert session.auth("CRAM-MD5").line() == "504 Unrecognized authentication type."
    assert not session.authenticated


def auth_twice_or_inside_a_transaction_gets_503(release: str) -> None:
    org = _with_password(release)
    session = _session(org)
    assert session.login("alice", "Secret1").code == 235
    assert session.auth("LOGIN").code == 503
    other = _session(org)
    assert other.mail("a@example.org").code == 250
    assert other.auth("LOGIN").code == 503


def a_star_cancels_the_exchange_with_501(release: str) -> None:
    session = _session(_with_password(release))
    assert session.auth("LOGIN").code == 334
    assert session.auth_response("*").code == 501
    assert session.auth_response(_b64("alice")).code == 500  # no exchange in progress: not a command
    assert not session.authenticated


def an_authenticated_client_relays_only_under_relay_flag_8(release: str) -> None:
    flag8 = _with_password(release, relay=RelayRules(flags=8))
    anonymous = _session(flag8)
    assert anonymous.mail("a@example.org").code == 250
    assert anonymous.rcpt("someone@example.net").line() == "550 Relaying is prohibited"
    authenticated = _session(flag8)
    assert authenticated.login("alice", "Secret1").code == 235
    assert authenticated.mail("a@example.org").code == 250
    assert authenticated.rcpt("someone@example.net").code == 250
    allow_list = _with_password(release, relay=RelayRules(flags=2, allow=["10.0.0.0;255.0.0.0"]))
    session = _session(allow_list)
    assert session.login("alice", "Secret1").code == 235
    assert session.mail("a@example.org").code == 250
    assert session.rcpt("someone@example.net").code == 550


def an_enabled_guest_account_lets_any_unknown_name_authenticate_and_relay(release: str) -> None:
    org = _with_password(release, relay=RelayRules(flags=8))
    assert _session(org).login("nobody", "anything").code == 535
    assert _session(org).login("alice", "wrong").code == 535  # a known account still needs its password
    org.directory.guest_enabled = True
    session = _session(org)
    assert session.login("nobody", "anything").code == 235
    assert session.mail("spam@example.org").code == 250
    assert session.rcpt("someone@example.net").code == 250


def disable_auth_hides_and_refuses_auth(release: str) -> None:
    org = _with_password(release, registry={"DisableAuth": 1})
    session = org.ims.session(PEER)
    assert not [line for line in session.ehlo("client.example.org").more if line.startswith("AUTH")]
    assert session.auth("LOGIN").line() == "502 command not implemented"


def the_protocol_log_never_holds_the_password(release: str) -> None:
    org = _with_password(release)
    session = _session(org)
    assert session.auth(f"LOGIN {_b64('alice')}").code == 334
    assert session.auth_response(_b64("Secret1")).code == 235
    texts = org.ims.protocol_log.sessions[0].texts()
    assert "AUTH LOGIN ****" in texts and "****" in texts
    assert not [t for t in texts if _b64("Secret1") in t or "Secret1" in t]


# -- DSN -------------------------------------------------------------------------------------


def dsn_parameters_are_read_in_any_case_and_bad_ones_refused(release: str) -> None:
    session = _session(make_org(release))
    assert session.mail("a@example.org", "ret=hdrs EnvId=QQ+2B1").code == 250
    assert session.rcpt("bob@contoso.com", "notify=Success,failure orcpt=rfc822;bob+40contoso.com").code == 250
    for bad in ("NOTIFY=NEVER,SUCCESS", "NOTIFY=", "NOTIFY=SOMETIMES", "ORCPT=bob@contoso.com", "ORCPT=rfc822;a+2g",
                "NOTIFY=SUCCESS NOTIFY=FAILURE"):
        assert session.rcpt("bob@contoso.com", bad).line() == "501 Syntax error in parameters or arguments", bad
    assert session.rcpt("bob@contoso.com", "XYZZY=1").code == 555
    session.reset()
    for bad in ("RET=ALL", "ENVID=a=b", f"ENVID={'x' * 101}", "SIZE=big"):
        assert session.mail("a@example.org", bad).code == 501, bad
    assert session.mail("a@example.org", "BODY=8BITMIME").code == 555  # RFC 1652 is not supported (Q262986)


def size_over_the_limit_is_refused_at_mail(release: str) -> None:
    session = _session(make_org(release, message_size_kb=1))
    assert session.mail("a@example.org", "SIZE=4096").line() == "552 Message size exceeds fixed maximum message size"
    assert session.mail("a@example.org", "SIZE=100").line() == "250 OK - mail from <a@example.org>; can accomodate 100 bytes"


def notify_never_suppresses_the_ndr(release: str) -> None:
    org = make_org(release)
    codes = _send(_session(org), "sender@example.net", "", [("nobody@contoso.com", "NOTIFY=NEVER"),
                                                           ("bob@contoso.com", "")])
    assert codes == [250, 250, 250, 250]
    assert _reports_to(org) == []
    assert [m.subject for m in org.client("bob").inbox()] == ["dsn"]


def notify_never_also_silences_the_stores_refusal(release: str) -> None:
    org = make_org(release)
    org.store.quotas.set_limits(StorageLimits(prohibit_send_receive_kb=1), "bob")
    org.client("alice").send("bob", subject="fill", body="x" * 4096)  # below the limit until this arrives
    _send(_session(org), "sender@example.net", "", [("bob@contoso.com", "NOTIFY=NEVER")])
    assert _reports_to(org) == []
    _send(_session(org), "sender@example.net", "", [("bob@contoso.com", "NOTIFY=FAILURE")])
    (report,) = _reports_to(org)
    assert dsn_fields(report).recipient("bob@contoso.com")["Status"] == "5.2.2"


def a_failure_report_carries_orcpt_and_envid(release: str) -> None:
    org = make_org(release)
    _send(_session(org), "sender@example.net", "ENVID=QQ+2B1", [("nobody@contoso.com", "ORCPT=rfc822;Nobody+40old.example")])
    (report,) = _reports_to(org)
    fields = dsn_fields(report)
    assert fields.per_message["Original-Envelope-Id"] == "QQ+1"
    assert fields.recipient("nobody@contoso.com")["Original-Recipient"] == "rfc822;Nobody@old.example"
    assert fields.recipient("nobody@contoso.com")["Action"] == "failed"


def notify_success_on_local_delivery_gives_a_delivery_report(release: str) -> None:
    org = make_org(release)
    _send(_session(org), "sender@example.net", "ENVID=batch-7",
          [("bob@contoso.com", "NOTIFY=SUCCESS ORCPT=rfc822;Robert+40contoso.com")])
    (report,) = _reports_to(org)
    assert b"MAIL FROM" not in report
    received = org.internet.host(HOST).received[-1]
    assert received.mail_from == "" and received.rcpt_to == ("sender@example.net",)
    fields = dsn_fields(report)
    assert fields.per_message["Original-Envelope-Id"] == "batch-7"
    block = fields.recipient("bob@contoso.com")
    assert (block["Action"], block["Status"], block["Original-Recipient"]) == ("delivered", "2.0.0", "rfc822;Robert@contoso.com")
    assert [p.get_content_type() for p in parse_report(report).iter_parts()] == ["text/plain", "message/delivery-status"]


def notify_success_to_a_list_gives_one_expanded_report(release: str) -> None:
    org = make_org(release)
    org.add_distribution_list("team", ["alice", "bob"])
    _send(_session(org), "sender@example.net", "", [("team@contoso.com", "NOTIFY=SUCCESS")])
    (report,) = _reports_to(org)
    assert [b["Action"] for b in dsn_fields(report).recipients] == ["expanded"]
    assert len(org.client("alice").inbox()) == len(org.client("bob").inbox()) == 1


def notify_success_to_a_host_without_dsn_gives_a_relayed_report(release: str) -> None:
    org = make_org(release, relay=RelayRules(flags=2, allow=["10.0.0.0;255.0.0.0"]))
    org.add_remote_host("mx.sender.example", "192.0.2.27")
    org.dns.add_zone("sender.example", mx=[(10, "mx.sender.example")])
    _send(_session(org, "10.1.2.3"), "me@sender.example", "", [("carol@example.net", "NOTIFY=SUCCESS,FAILURE")])
    (delivery,) = org.internet.host(HOST).received
    assert delivery.mail_params == "" and delivery.rcpt_params == ("",)
    (report,) = _reports_to(org, "mx.sender.example")
    block = dsn_fields(report).recipient("carol@example.net")
    assert (block["Action"], block["Status"], block["Remote-MTA"]) == ("relayed", "2.0.0", f"dns; {HOST}")


def a_next_hop_that_advertises_dsn_gets_the_parameters_instead(release: str) -> None:
    org = make_org(release, relay=RelayRules(flags=2, allow=["10.0.0.0;255.0.0.0"]))
    org.add_remote_host(DSN_HOST, DSN_HOST_IP, extensions=("DSN",))
    org.dns.add_zone("dsn.example", mx=[(10, DSN_HOST)])
    _send(_session(org, "10.1.2.3"), "me@example.net", "RET=HDRS ENVID=a+2Bb",
          [("zed@dsn.example", "NOTIFY=SUCCESS ORCPT=rfc822;Zed+40dsn.example")])
    (delivery,) = org.internet.host(DSN_HOST).received
    assert delivery.mail_params == "RET=HDRS ENVID=a+2Bb"
    assert delivery.rcpt_params == ("NOTIFY=SUCCESS ORCPT=rfc822;Zed@dsn.example",)
    assert _reports_to(org) == []


def ret_hdrs_returns_only_the_header(release: str) -> None:
    org = make_org(release)
    _send(_session(org), "sender@example.net", "RET=HDRS", [("nobody@contoso.com", "")], subject="secret plans")
    (report,) = _reports_to(org)
    parts = list(parse_report(report).iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "message/delivery-status", "text/rfc822-headers"]
    assert "Subject: secret plans" in parts[2].get_content() and "the message text" not in parts[2].get_content()
    org_full = make_org(release)
    _send(_session(org_full), "sender@example.net", "RET=FULL", [("nobody@contoso.com", "")])
    (full,) = _reports_to(org_full)
    assert [p.get_content_type() for p in parse_report(full).iter_parts()][-1] == "message/rfc822"


def mail_from_a_mailbox_asks_for_nothing(release: str) -> None:
    # MAPI clients do not speak DSN: their mail leaves without parameters, and failures are NDR'd.
    org = make_org(release)
    org.add_remote_host(DSN_HOST, DSN_HOST_IP, extensions=("DSN",))
    org.dns.add_zone("dsn.example", mx=[(10, DSN_HOST)])
    org.client("alice").send("SMTP:zed@dsn.example", subject="plain")
    (delivery,) = org.internet.host(DSN_HOST).received
    assert (delivery.mail_params, delivery.rcpt_params) == ("", ("",))


ROWS = [
    Row("AUTH LOGIN prompts in base64 and accepts a mailbox account", "RFC 2554 §4; Q173656",
        auth_login_prompts_in_base64_and_accepts_a_mailbox_account),
    Row("a wrong password gets 535 and event 4183", "RFC 2554 §6; Q235627", a_wrong_password_gets_535_and_event_4183),
    Row("an unknown mechanism gets 504", "RFC 2554 §4; Q262945 (only AUTH LOGIN advertised)", an_unknown_mechanism_gets_504),
    Row("AUTH twice or inside a transaction gets 503", "RFC 2554 §4", auth_twice_or_inside_a_transaction_gets_503),
    Row("a star cancels the exchange with 501", "RFC 2554 §4", a_star_cancels_the_exchange_with_501),
    Row("an authenticated client relays only under RelayFlags bit 8", "Q193922; ims-domain §2.7",
        an_authenticated_client_relays_only_under_relay_flag_8),
    Row("an enabled Guest account lets any unknown name authenticate and relay", "Q251149",
        an_enabled_guest_account_lets_any_unknown_name_authenticate_and_relay),
    Row("DisableAuth hides and refuses AUTH", "Q235627", disable_auth_hides_and_refuses_auth,
        (Deviation("Q235627", lambda b: b.ims < IMS_READS_DISABLE_AUTH,
                   "DisableAuth arrived with Msexcimc.exe 5.5.2638.0 (SP3); earlier builds ignore it"),)),
    Row("the protocol log never holds the password", "RFC 2554 §4 (assumed masking)", the_protocol_log_never_holds_the_password),
    Row("DSN parameters are read in any case and bad ones refused", "RFC 3461 §4, §5; RFC 1869 §6",
        dsn_parameters_are_read_in_any_case_and_bad_ones_refused),
    Row("SIZE over the limit is refused at MAIL", "RFC 1870 §6.1; Q262945", size_over_the_limit_is_refused_at_mail),
    Row("NOTIFY=NEVER suppresses the NDR", "RFC 3461 §4.1", notify_never_suppresses_the_ndr),
    Row("NOTIFY=NEVER also silences the store's refusal", "RFC 3461 §4.1; Q238498 (the refusal NDR)",
        notify_never_also_silences_the_stores_refusal),
    Row("a failure report carries ORCPT and ENVID", "RFC 3461 §4.2, §4.4; RFC 3464 §2.2.1, §2.3.1",
        a_failure_report_carries_orcpt_and_envid),
    Row("NOTIFY=SUCCESS on local delivery gives a delivery report", "RFC 3461 §6.2.7.1; RFC 3464 §2.3.3",
        notify_success_on_local_delivery_gives_a_delivery_report),
    Row("NOTIFY=SUCCESS to a list gives one expanded report", "RFC 3461 §6.2.7.3",
        notify_success_to_a_list_gives_one_expanded_report),
    Row("NOTIFY=SUCCESS to a host without DSN gives a relayed report", "RFC 3461 §6.2.7.2; Q156063 §2.2.14 (5.0 did not)",
        notify_success_to_a_host_without_dsn_gives_a_relayed_report),
    Row("a next hop that advertises DSN gets the parameters instead", "RFC 3461 §5.2",
        a_next_hop_that_advertises_dsn_gets_the_parameters_instead),
    Row("RET=HDRS returns only the header", "RFC 3461 §4.3; Q156063 §2.2.15 (5.0 returned it all)",
        ret_hdrs_returns_only_the_header),
    Row("mail from a mailbox asks for nothing", "RFC 3461 §5.2 (no request to pass on)", mail_from_a_mailbox_asks_for_nothing),
]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_auth_and_dsn_conform_on_every_release_or_deviate_where_an_article_says(row: Row, release: str) -> None:
    judge(row, release)


def test_the_success_report_is_a_report_message_to_a_local_sender() -> None:
    org = make_org(RELEASES[-1])
    session = _session(org)
    _send(session, "alice@contoso.com", "", [("bob@contoso.com", "NOTIFY=SUCCESS")])
    reports: list[MapiMessage] = [m for m in org.client("alice").inbox() if m.message_class.startswith("REPORT.")]
    (report,) = reports
    assert report.message_class == "REPORT.IPM.Note.DR" and report.subject == "Delivered: dsn"
    assert "was delivered to the following recipient(s):" in report.body
    assert dsn_blocks(report)[1][0]["Action"] == "delivered"
