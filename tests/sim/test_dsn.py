"""kb.sim.core.dsn: the DSN parameters of RFC 3461 as the IMS reads, keeps and passes them on."""

from __future__ import annotations

import pytest

from kb.sim.core.dsn import (DsnRequest, MailParameters, ParameterError, RecipientParameters, parse_mail, parse_rcpt,
                        recipient_request, request_of, xtext_decode, xtext_encode)


def test_mail_parameters_are_read_whatever_their_case_and_order() -> None:
    assert parse_mail("size=120 envid=Q+2B1 Ret=hdrs") == MailParameters("HDRS", "Q+1", 120)
    assert parse_mail("AUTH=<alice@contoso.com>") == MailParameters()


@pytest.mark.parametrize(("params", "key"), [
    ("RET=PARTIAL", "syntax"), ("RET", "syntax"), ("ENVID=a=b", "syntax"), ("ENVID=+4", "syntax"),
    ("SIZE=-1", "syntax"), ("RET=FULL RET=HDRS", "syntax"), ("=x", "syntax"), ("BODY=8BITMIME", "parameter_unknown"),
])
def test_a_bad_mail_parameter_names_the_reply_it_gets(params: str, key: str) -> None:
    with pytest.raises(ParameterError) as raised:
        parse_mail(params)
    assert raised.value.key == key


def test_parameters_after_helo_are_a_syntax_error() -> None:
    with pytest.raises(ParameterError):
        parse_mail("RET=FULL", extended=False)
    with pytest.raises(ParameterError):
        parse_rcpt("NOTIFY=NEVER", extended=False)
    assert parse_mail("", extended=False) == MailParameters()


def test_notify_never_stands_alone_and_other_words_form_a_set() -> None:
    assert parse_rcpt("NOTIFY=never").notify == frozenset()
    assert parse_rcpt("notify=delay,Success").notify == frozenset({"DELAY", "SUCCESS"})
    for bad in ("NOTIFY=NEVER,FAILURE", "NOTIFY=SUCCESS,SUCCESS", "NOTIFY=ALWAYS", "NOTIFY"):
        with pytest.raises(ParameterError):
            parse_rcpt(bad)


def test_orcpt_keeps_its_address_type_and_decodes_its_address() -> None:
    parsed = parse_rcpt("ORCPT=rfc822;a+2Bb+3Dc@example.net")
    assert parsed.orcpt == ("rfc822", "a+b=c@example.net")
    assert parsed.original_recipient() == "rfc822;a+b=c@example.net"
    assert parsed.wire() == "ORCPT=rfc822;a+2Bb+3Dc@example.net"


def test_only_a_request_without_failure_declines_the_ndr() -> None:
    assert RecipientParameters().wants_failure and not RecipientParameters().wants_success
    assert not parse_rcpt("NOTIFY=NEVER").wants_failure
    assert not parse_rcpt("NOTIFY=SUCCESS").wants_failure and parse_rcpt("NOTIFY=SUCCESS").wants_success
    assert parse_rcpt("NOTIFY=FAILURE,DELAY").wants_failure


def test_the_request_passed_on_is_written_in_canonical_order_and_xtext() -> None:
    assert parse_rcpt("NOTIFY=delay,success,failure").wire() == "NOTIFY=SUCCESS,FAILURE,DELAY"
    assert parse_rcpt("NOTIFY=NEVER").wire() == "NOTIFY=NEVER"
    assert MailParameters("FULL", "a b").wire() == "RET=FULL ENVID=a+20b"
    assert MailParameters().wire() == RecipientParameters().wire() == ""


def test_a_request_survives_the_message_properties() -> None:
    request = DsnRequest(MailParameters("HDRS", "id"), {1: parse_rcpt("NOTIFY=SUCCESS ORCPT=rfc822;x@y.example")})
    props: dict[str, object] = {"dsn": request.to_props()}
    assert request_of(props) == request
    assert recipient_request(props, 1).wants_success and recipient_request(props, 2) == RecipientParameters()
    assert request_of({}) is None


def test_xtext_escapes_plus_equals_blanks_and_non_ascii_octets() -> None:
    assert xtext_encode("a+b=c d\x7f") == "a+2Bb+3Dc+20d+7F"
    assert xtext_encode("é") == "+C3+A9" and xtext_decode("+C3+A9") == "é"
    assert xtext_decode("+FF") == "\xff"  # octets that are not UTF-8 keep one character each
    with pytest.raises(ValueError):
        xtext_decode("+2b")  # RFC 3461 §4: upper-case hex digits
