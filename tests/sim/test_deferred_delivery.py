"""Deferred delivery ("Do not deliver before") in the MTA on every release (Q214682)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings, strategies as st

from kb.sim import Organisation

FIXED = {"Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4", "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"}
AFFECTED_SAMPLE = ["Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2",
                   "Exchange Server 5.5 SP2 + Emsmta.exe 5.5.2533"]
FIXED_SAMPLE = ["Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4", "Exchange Server 5.5 SP2 + Emsmta.exe 5.5.2534"]
DAY = 86400


def make(release: str) -> Organisation:
    org = Organisation(release)
    for alias in ("alice", "bob", "carol"):
        org.add_mailbox(alias, alias.title())
    org.add_distribution_list("team", ["bob", "carol"])
    org.add_remote_host("mx.example.net", "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    return org


def send_deferred(org: Organisation, to: list[str], seconds: float, subject: str = "later") -> None:
    org.client("alice").send(to, subject=subject, props={"PR_DEFERRED_DELIVERY_TIME": org.clock.now() + timedelta(seconds=seconds)})


def test_a_deferred_message_waits_in_the_mta_until_its_time(release: str) -> None:
    org = make(release)
    send_deferred(org, ["bob"], 3600)
    assert org.client("bob").inbox() == [] and len(org.mta.deferred.held) == 1
    org.advance(3599)
    assert org.client("bob").inbox() == []
    org.advance(1)
    assert [m.subject for m in org.client("bob").inbox()] == ["later"]
    assert org.mta.deferred.held == []


def test_a_deferred_internet_message_leaves_the_ims_at_its_time(release: str) -> None:
    org = make(release)
    send_deferred(org, ["SMTP:pat@example.net"], 2 * DAY)
    org.advance(2 * DAY - 1)
    assert org.internet.host("mx.example.net").received == []
    org.advance(1)
    assert len(org.internet.host("mx.example.net").received) == 1


def test_a_deferral_past_the_seven_day_timeout_is_returned_before_the_fix(release: str) -> None:
    org = make(release)
    send_deferred(org, ["bob"], 10 * DAY)
    org.advance(10 * DAY)
    ndrs = org.client("alice").ndrs()
    if release in FIXED:
        assert ndrs == [] and [m.subject for m in org.client("bob").inbox()] == ["later"]
    else:
        assert org.client("bob").inbox() == []
        [ndr] = ndrs
        assert "The maximum time for delivering the message expired" in ndr.body
        assert ndr.recipients[0].supplementary == "MSEXCH:MSExchangeMTA:Redmond:EXCH01"
        assert ndr.delivery_time == org.clock.now()  # on the deferred date, not at sending


def test_a_message_without_a_deferral_is_routed_at_once(release: str) -> None:
    org = make(release)
    org.client("alice").send("bob", subject="now", props={"PR_DEFERRED_DELIVERY_TIME": org.clock.now() - timedelta(days=30)})
    assert [m.subject for m in org.client("bob").inbox()] == ["now"]


# Q214682 CAUSE: any deferred delivery date after the message timeout (seven days). Variants: how
# far past it, which recipients (mailboxes, a DL, an Internet address), how many messages.
deferrals = st.lists(st.tuples(st.floats(min_value=7 * DAY + 60, max_value=60 * DAY),
                               st.lists(st.sampled_from(["bob", "team", "SMTP:pat@example.net"]), min_size=1,
                                        max_size=3, unique=True)), min_size=1, max_size=3)


@settings(max_examples=20, deadline=None)
@given(batch=deferrals, release=st.sampled_from(AFFECTED_SAMPLE))
def test_every_deferral_past_the_timeout_is_returned_by_affected_mtas(batch: list, release: str) -> None:
    org = make(release)
    for n, (seconds, to) in enumerate(batch):
        send_deferred(org, to, seconds, f"m{n}")
    org.advance(61 * DAY)
    assert len(org.client("alice").ndrs()) == len(batch)
    assert org.client("bob").inbox() == [] and org.internet.host("mx.example.net").received == []


@settings(max_examples=20, deadline=None)
@given(batch=deferrals, release=st.sampled_from(FIXED_SAMPLE))
def test_every_deferral_past_the_timeout_is_delivered_by_fixed_mtas(batch: list, release: str) -> None:
    org = make(release)
    for n, (seconds, to) in enumerate(batch):
        send_deferred(org, to, seconds, f"m{n}")
    org.advance(61 * DAY)
    assert org.client("alice").ndrs() == []
    to_bob = sorted(f"m{n}" for n, (_, to) in enumerate(batch) if "bob" in to or "team" in to)
    assert sorted({m.subject for m in org.client("bob").inbox()}) == to_bob
    assert len(org.internet.host("mx.example.net").received) == sum(1 for _, to in batch if "SMTP:pat@example.net" in to)
