"""Comments in the To and Cc fields of inbound mail, on every release (Q231748)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kb.sim import Organisation
from kb.sim.core.builds import build
from kb.sim.store.imail_comments import delete_header_comments

FIXED = {"Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4", "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"}
AFFECTED_SAMPLE = ["Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2",
                   "Exchange Server 5.5 SP2 + Store.exe 5.5.2606.0"]
FIXED_SAMPLE = ["Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4", "Exchange Server 5.5 SP2 + Store.exe 5.5.2607.0"]


def make(release: str) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("mchiba", "M Chiba")
    org.add_mailbox("kato", "K Kato")
    return org


def receive(org: Organisation, header: str, value: str) -> None:
    session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
    to = value if header == "To" else "kato@contoso.com"
    payload = f"From: pat@example.org\r\nTo: {to}\r\n" + (f"Cc: {value}\r\n" if header == "Cc" else "")
    payload += "Subject: notes\r\n\r\nx\r\n"
    session.transaction("mx.example.org", "pat@example.org", ["kato@contoso.com", "mchiba@contoso.com"], payload.encode())
    org.run()


def test_the_in_place_deletion_leaves_the_articles_garbage_before_the_fix() -> None:
    assert delete_header_comments("mchiba (M,Chiba); ", build("5.5.2448.8")) == "mchiba ; ,Chiba); "
    assert delete_header_comments("mchiba (M,Chiba); ", build("5.5.2607.0")) == "mchiba ; "


def test_a_quoted_parenthesis_is_not_a_comment_on_any_build(release: str) -> None:
    org = make(release)
    receive(org, "Cc", '"Chiba (Tokyo)" <mchiba@contoso.com>')
    assert org.store.state == "running"
    assert org.client("mchiba").inbox() and org.client("kato").inbox()


def test_a_comment_with_a_short_tail_stops_the_store_before_the_fix(release: str) -> None:
    org = make(release)
    receive(org, "Cc", "mchiba (M,Chiba); ")
    if release in FIXED:
        assert org.store.state == "running" and org.ims.state == "running"
        assert org.client("mchiba").inbox()
    else:
        assert org.store.state == "stopped" and org.store.crashes == ["an access violation (0xc0000005) in CmcvtrHdr::ulSkipComment"]
        assert [(e.source, e.event_id) for e in org.eventlog.entries()] == [
            ("Service Control Manager", 7031), ("MSExchangeIMC", 3039), ("MSExchangeIMC", 1001)]
        assert len(org.ims.spool.list("IN")) == 1  # retried, and crashing again, after a restart
        org.store.start()
        org.ims.start()
        org.run()
        assert org.store.state == "stopped"


def test_a_stopped_store_makes_the_ims_log_3039_and_keep_the_file(release: str) -> None:
    org = make(release)
    org.store.stop()
    receive(org, "To", "kato@contoso.com")
    assert [e.event_id for e in org.eventlog.entries(source="MSExchangeIMC")] == [3039, 1001]
    assert len(org.ims.spool.list("IN")) == 1
    org.store.start()
    org.ims.start()
    org.run()
    assert org.client("kato").inbox() and org.ims.spool.list("IN") == []


# Q231748 CAUSE: a comment in an address of the To or Cc field, deleted in place with a shorter
# remainder of the field after it. Variants: the field, the address, the comment's text (commas,
# spaces, nesting), the separator after it.
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
comments = st.builds(lambda a, sep, b, nested: "(" + a + sep + (f"({b})" if nested else b) + ")",
                     words, st.sampled_from([",", ", ", " ", ""]), words, st.booleans())
fields = st.tuples(st.sampled_from(["To", "Cc"]), words, comments, st.sampled_from(["; ", ";", ", ", " "]))


@settings(max_examples=30, deadline=None)
@given(field=fields, release=st.sampled_from(AFFECTED_SAMPLE))
def test_every_commented_address_stops_affected_stores(field: tuple, release: str) -> None:
    header, name, comment, tail = field
    org = make(release)
    receive(org, header, f"{name} {comment}{tail}")
    assert org.store.state == "stopped"
    assert org.eventlog.entries(source="Service Control Manager", event_id=7031)


@settings(max_examples=30, deadline=None)
@given(field=fields, release=st.sampled_from(FIXED_SAMPLE))
def test_no_commented_address_stops_fixed_stores(field: tuple, release: str) -> None:
    header, name, comment, tail = field
    org = make(release)
    receive(org, header, f"{name} {comment}{tail}")
    assert org.store.state == "running" and org.ims.state == "running"
    assert org.client("mchiba").inbox() and org.client("kato").inbox()
