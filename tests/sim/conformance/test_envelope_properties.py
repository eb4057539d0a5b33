"""Envelope invariants over generated inbound mail, on releases either side of every fix.

Whatever the reverse path, header From and recipients (local, unknown, relayed, unreachable):
nothing is ever sent to a null reverse path, a report only ever goes to the reverse path with
MAIL FROM:<> (RFC 5321 §4.5.5, §6.1), relayed mail keeps its reverse path (§4.4), and the header
From is never written to unless it is the reverse path.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim_conformance import HOST, make_org
from kb.sim import RelayRules

RELEASES = ["Exchange Server 5.5", "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4",
            "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"]
REVERSE = st.sampled_from(["", "bounces@example.net", "list-owner@example.net"])
HEADER_FROM = st.sampled_from(["author@example.net", "bounces@example.net", "alice@contoso.com"])
RECIPIENT = st.sampled_from(["bob@contoso.com", "nobody@contoso.com", "carol@example.net", "joe@nowhere.invalid"])


@settings(max_examples=40, deadline=None)
@given(release=st.sampled_from(RELEASES), reverse=REVERSE, header_from=HEADER_FROM,
       recipients=st.lists(RECIPIENT, min_size=1, max_size=3, unique=True))
def test_reports_follow_the_reverse_path_and_never_answer_a_null_one(release: str, reverse: str, header_from: str,
                                                                     recipients: list[str]) -> None:
    org = make_org(release, relay=RelayRules(flags=2, allow=["198.51.100.0;255.255.255.0"]))
    session = org.ims.session("198.51.100.7")
    payload = f"From: {header_from}\r\nTo: {', '.join(recipients)}\r\nSubject: property\r\n\r\nbody\r\n".encode()
    session.transaction("client.example.org", reverse, recipients, payload)
    org.run()
    org.advance(49 * 3600)
    for delivery in org.internet.host(HOST).received:
        if b"multipart/report" in delivery.data:
            assert delivery.mail_from == "" and reverse and delivery.rcpt_to == (reverse,)
        else:
            assert delivery.mail_from == reverse  # relayed mail keeps its reverse path
            assert set(delivery.rcpt_to) <= {"carol@example.net"}
    assert not org.client("alice").ndrs()  # the header From may name a local mailbox: never reported to
    if not reverse:
        assert not any(b"multipart/report" in d.data for d in org.internet.host(HOST).received)
