"""AUTH and DSN hold for every spelling a client may send: case, spacing, order, xtext escapes.

Hypothesis generates the variants (RFC 3461 §4 xtext for ENVID and ORCPT, keyword and value
case, parameter order and spacing, NOTIFY lists, account-name forms) and each is run through the
public session API on releases on both sides of every IMS threshold of this area.
"""

from __future__ import annotations

import base64
import re
import string

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim_conformance import HOST, make_org
from kb.sim import Organisation, RelayRules
from kb.sim.core.dsn import xtext_decode, xtext_encode
from kb.sim.ims.session import InboundSession
from kb.sim.store.report import dsn_fields

RELEASES = ["Exchange Server 5.5", "Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2607.0", "Exchange Server 5.5 SP4"]
VARIANTS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRINTABLE = "".join(chr(c) for c in range(33, 127))  # xtext's "printable US-ASCII" without SP


def _cased(word: str) -> st.SearchStrategy[str]:
    """Return ``word`` in any mixture of upper and lower case."""
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda flags: "".join(c.upper() if up else c.lower() for c, up in zip(word, flags)))


SPACES = st.sampled_from([" ", "  ", "   "])


def _session(org: Organisation) -> InboundSession:
    session = org.ims.session("198.51.100.7", "client.example.org")
    session.ehlo("client.example.org")
    return session


def _run(org: Organisation, mail_params: str, rcpts: list[tuple[str, str]]) -> list[int]:
    session = _session(org)
    codes = [session.mail("sender@example.net", mail_params).code]
    codes += [session.rcpt(address, params).code for address, params in rcpts]
    codes.append(session.data(b"From: <sender@example.net>\r\nSubject: p\r\n\r\ntext\r\n").code)
    org.run()
    return codes


def _reports(org: Organisation) -> list[bytes]:
    return [d.data for d in org.internet.host(HOST).received if b"multipart/report" in d.data]


@given(st.text(max_size=60))
def test_xtext_encoding_round_trips_any_text(text: str) -> None:
    encoded = xtext_encode(text)
    assert set(encoded) <= set(PRINTABLE) and "=" not in encoded
    assert xtext_decode(encoded) == text


@VARIANTS
@given(st.sampled_from(RELEASES), st.text(alphabet=PRINTABLE, min_size=1, max_size=40), _cased("envid"), _cased("ret"),
       st.sampled_from(["FULL", "HDRS"]).flatmap(_cased), SPACES, st.booleans())
def test_envid_comes_back_decoded_whatever_the_keyword_case_spacing_and_order(
        release: str, envid: str, keyword: str, ret_word: str, ret: str, gap: str, ret_first: bool) -> None:
    org = make_org(release)
    words = [f"{keyword}={xtext_encode(envid)}", f"{ret_word}={ret}"]
    params = gap.join(reversed(words) if ret_first else words)
    assert _run(org, params, [("bob@contoso.com", "NOTIFY=SUCCESS")]) == [250, 250, 250]
    (report,) = _reports(org)
    assert dsn_fields(report).per_message["Original-Envelope-Id"] == envid


@VARIANTS
@given(st.sampled_from(RELEASES), st.text(alphabet=string.ascii_letters + string.digits + "+=!#$%&'*/?^_`{|}~.-",
                                          min_size=1, max_size=20),
       _cased("orcpt"), _cased("rfc822"), SPACES)
def test_orcpt_comes_back_as_original_recipient_for_any_local_part(
        release: str, local: str, keyword: str, kind: str, gap: str) -> None:
    org = make_org(release)
    original = f"{local}@old.example"
    params = f"NOTIFY=FAILURE{gap}{keyword}={kind};{xtext_encode(original)}"
    assert _run(org, "", [("nobody@contoso.com", params)]) == [250, 250, 250]
    (report,) = _reports(org)
    assert dsn_fields(report).recipient("nobody@contoso.com")["Original-Recipient"] == f"{kind};{original}"


@VARIANTS
@given(st.sampled_from(RELEASES), st.text(alphabet=PRINTABLE, max_size=10), st.sampled_from(["+", "+a", "+0g", "+G0", "="]),
       st.text(alphabet=PRINTABLE, max_size=10))
def test_malformed_xtext_is_refused_with_501(release: str, head: str, bad: str, tail: str) -> None:
    # A lone "+" before two upper-case hex digits is a well-formed hexchar ("+00"), not a malformed one.
    assume(not (bad == "+" and re.match(r"[0-9A-F]{2}", xtext_encode(tail))))
    text = f"{xtext_encode(head)}{bad}{xtext_encode(tail)}"
    session = _session(make_org(release))
    assert session.mail("a@example.org", f"ENVID={text}").code == 501
    assert session.mail("a@example.org").code == 250
    assert session.rcpt("bob@contoso.com", f"ORCPT=rfc822;{text}").code == 501


NOTIFY_SETS = st.one_of(st.just(["NEVER"]), st.sets(st.sampled_from(["SUCCESS", "FAILURE", "DELAY"]), min_size=1)
                        .flatmap(lambda words: st.permutations(sorted(words))))


@VARIANTS
@given(st.sampled_from(RELEASES), NOTIFY_SETS.flatmap(lambda words: st.tuples(*[_cased(w) for w in words])),
       _cased("notify"))
def test_a_failure_is_reported_exactly_when_notify_asks_for_failure(release: str, words: tuple[str, ...], keyword: str) -> None:
    org = make_org(release)
    params = f"{keyword}={','.join(words)}"
    asked = {w.upper() for w in words}
    assert _run(org, "", [("nobody@contoso.com", params), ("bob@contoso.com", params)]) == [250, 250, 250, 250]
    actions = sorted(block["Action"] for report in _reports(org) for block in dsn_fields(report).recipients)
    expected = (["delivered"] if "SUCCESS" in asked else []) + (["failed"] if "FAILURE" in asked else [])
    assert actions == expected
    assert len(org.client("bob").inbox()) == 1


@VARIANTS
@given(st.sampled_from(RELEASES), _cased("alice"), st.sampled_from(["", "CONTOSO\\", "contoso\\", "REDMOND\\"]),
       _cased("login"), st.booleans())
def test_auth_login_takes_any_case_of_the_account_and_mechanism_but_not_of_the_password(
        release: str, account: str, domain: str, mechanism: str, swap_case: bool) -> None:
    org = make_org(release, relay=RelayRules(flags=8))
    org.directory.set_password("alice", "Secret1")
    session = _session(org)
    reply = session.auth(mechanism)
    assert reply.line() == "334 VXNlcm5hbWU6"
    session.auth_response(base64.b64encode(f"{domain}{account}".encode()).decode())
    password = "sECRET1" if swap_case else "Secret1"
    final = session.auth_response(base64.b64encode(password.encode()).decode())
    assert final.code == (535 if swap_case else 235)
    assert session.mail("a@example.org").code == 250
    assert session.rcpt("someone@example.net").code == (550 if swap_case else 250)
