"""Per-recipient results through a scripted remote host, generated: whatever mix of delivered,
bounced-later, refused, deferred and not-relayed recipients a message has, each gets exactly the
outcome its reply calls for (RFC 5321 §4.5.4-§4.5.5, RFC 3464 §2.3), on any release, and a
message with a null reverse path is never reported on by anyone.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim_conformance import RELEASES
from kb.sim import Organisation, dsn_fields

OUTCOMES = ("deliver", "bounce", "refuse", "defer", "foreign")
LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)


def recipient(local: str, outcome: str, index: int) -> str:
    domain = "other.example" if outcome == "foreign" else "example.net"
    return f"{outcome}{index}.{local}@{domain}"


@settings(max_examples=30, deadline=None)
@given(release=st.sampled_from(RELEASES), null_path=st.booleans(),
       plan=st.lists(st.tuples(LOCAL, st.sampled_from(OUTCOMES)), min_size=1, max_size=6))
def test_each_recipient_gets_the_outcome_its_reply_calls_for(release: str, null_path: bool,
                                                             plan: list[tuple[str, str]]) -> None:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    rcpts = [recipient(local, outcome, i) for i, (local, outcome) in enumerate(plan)]
    by_outcome = {o: [r for r, (_, out) in zip(rcpts, plan) if out == o] for o in OUTCOMES}
    replies = {r: "550 5.1.1 User unknown" for r in by_outcome["refuse"]}
    replies.update({r: "450 4.2.1 Mailbox busy" for r in by_outcome["defer"]})
    unix = org.add_remote_host("unix.example.net", "198.51.100.25", domains=["example.net"], recipients=replies,
                               bounces={r: f"550 5.1.1 <{r}>... User unknown" for r in by_outcome["bounce"]})
    for domain in ("example.net", "other.example"):
        org.dns.add_zone(domain, mx=[(10, "unix.example.net")])
    if null_path:  # a report relayed through the IMS: nothing may answer it
        session = org.ims.session(peer_ip="203.0.113.9")
        session.transaction("client.example.org", "", rcpts, b"Subject: Returned mail\r\n\r\nx\r\n")
        org.run()
    else:
        org.client("alice").send([f"SMTP:{r}" for r in rcpts], subject="Mixed")
    taken = by_outcome["deliver"] + by_outcome["bounce"]
    assert [r for d in unix.received for r in d.rcpt_to] == [r for r in rcpts if r in taken]
    alice = org.client("alice")
    if null_path:
        assert alice.inbox() == [] and unix.reports == [] and org.ims.counters()["ndrs_total"] == 0
        assert len(unix.unreported) == (1 if by_outcome["bounce"] else 0)
        return
    failed_here = by_outcome["refuse"] + by_outcome["foreign"]
    # The IMS reports per delivery (one queue entry per destination domain): together its NDRs
    # name exactly the recipients refused here, each with the reply's enhanced code.
    blocks = [f for ndr in alice.ndrs() for f in dsn_fields(ndr).recipients]
    assert sorted(f["Final-Recipient"].split(";", 1)[1].strip() for f in blocks) == sorted(failed_here)
    assert {f["Status"] for f in blocks} <= {"5.1.1", "5.7.1"}
    dsns = [m for m in alice.inbox() if m.sender == "MAILER-DAEMON@unix.example.net"]
    assert len(dsns) == (1 if by_outcome["bounce"] else 0)
    if dsns:
        own = dsn_fields(dsns[0]).recipients
        assert [f["Final-Recipient"] for f in own] == [f"RFC822; {r}" for r in by_outcome["bounce"]]
    queued = org.ims.queues()["outbound_awaiting_delivery"]
    assert bool(queued) == bool(by_outcome["defer"])  # 4xx: kept for retry, not reported
