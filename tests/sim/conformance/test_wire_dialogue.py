"""Conformance rows: the inbound SMTP dialogue in Exchange 5.5's words, on every release."""

from __future__ import annotations

import pytest

from sim_conformance import RELEASES, Row, judge, make_org, row_id
from kb.sim import resolve


def the_banner_names_the_ims_build(release: str) -> None:
    org = make_org(release)
    version = resolve(release).ims.version
    assert org.ims.session().banner() == (
        f"exch01.contoso.com ESMTP Server (Microsoft Exchange Internet Mail Service {version}) Ready")


def ehlo_lists_the_ims_extensions(release: str) -> None:
    reply = make_org(release).ims.session("192.0.2.7").ehlo("client.example.org")
    assert reply.lines() == ["250-exch01.contoso.com Hello [192.0.2.7]", "250-XEXCH50", "250-HELP", "250-ETRN",
                             "250-DSN", "250-SIZE 0", "250-AUTH LOGIN", "250 AUTH=LOGIN"]


def ehlo_advertises_the_administrators_size_limit(release: str) -> None:
    org = make_org(release, message_size_kb=2048)
    assert "SIZE 2097152" in org.ims.session().ehlo("client.example.org").more


def an_unknown_command_gets_500(release: str) -> None:
    assert make_org(release).ims.session().unknown("XYZZY").line() == "500 command not recognized"


def commands_out_of_order_get_503(release: str) -> None:
    session = make_org(release).ims.session()
    assert session.rcpt("bob@contoso.com").code == 503
    assert session.data(b"x").code == 503
    assert session.mail("a@example.org").code == 250
    assert session.mail("b@example.org").line() == "503 Bad sequence of commands"


def expn_is_not_implemented(release: str) -> None:
    assert make_org(release).ims.session().expn("staff").line() == "502 command not implemented"


def a_null_reverse_path_is_acknowledged_as_such(release: str) -> None:
    assert make_org(release).ims.session().mail("").line() == "250 OK - mail from <>"


def etrn_without_queued_mail_says_so(release: str) -> None:
    reply = make_org(release).ims.session().etrn("example.net")
    assert reply.line() == "251 OK, no messages waiting for node <example.net>"


def every_command_and_reply_is_in_the_protocol_log(release: str) -> None:
    org = make_org(release)
    session = org.ims.session("192.0.2.7")
    replies = [session.ehlo("c.example.org"), session.mail("a@example.org"), session.rcpt("bob@contoso.com"),
               session.noop(), session.quit()]
    logged = [line.split(" : ", 1)[1] for line in org.ims.protocol_log.sessions[0].lines]
    assert [line[5:] for line in logged if line.startswith("IO: |")] == [w for r in replies for w in r.lines()]
    assert [line for line in logged if not line.startswith("IO: |")][1:] == [
        "EHLO c.example.org", "MAIL FROM:<a@example.org>", "RCPT TO:<bob@contoso.com>", "NOOP", "QUIT"]


ROWS = [
    Row("the banner names the IMS build", "Q194131", the_banner_names_the_ims_build),
    Row("EHLO lists the IMS's extensions", "RFC 5321 §4.1.1.1; Q262945", ehlo_lists_the_ims_extensions),
    Row("EHLO advertises the administrator's size limit", "RFC 1870 §4; Q262945 (SIZE 0 = none)",
        ehlo_advertises_the_administrators_size_limit),
    Row("an unknown command gets 500 command not recognized", "RFC 5321 §4.2.4; Q166642", an_unknown_command_gets_500),
    Row("commands out of order get 503", "RFC 5321 §4.1.4, §4.2.2", commands_out_of_order_get_503),
    Row("EXPN is not implemented", "RFC 5321 §3.5.2; Q175842", expn_is_not_implemented),
    Row("a null reverse path is acknowledged as such", "RFC 5321 §4.5.5; Q250507", a_null_reverse_path_is_acknowledged_as_such),
    Row("ETRN without queued mail says so", "RFC 1985 §5; Q175494", etrn_without_queued_mail_says_so),
    Row("every command and reply is in the protocol log", "Q228725; Q154505",
        every_command_and_reply_is_in_the_protocol_log),
]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_the_wire_dialogue_conforms_on_every_release_or_deviates_where_an_article_says(row: Row, release: str) -> None:
    judge(row, release)
