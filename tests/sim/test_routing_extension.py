"""The IMS routing extension's dispositions on inbound mail, on every release (Q178378)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kb.exceptions import SimError
from kb.sim import Organisation
from kb.sim.store.report import parse_report

AFFECTED = {"Exchange Server 5.5"}  # fixed from the SP1 IMS
AFFECTED_SAMPLE = ["Exchange Server 5.5", "Exchange Server 5.5 + Msexcimc.exe 5.5.2000.0"]
FIXED_SAMPLE = ["Exchange Server 5.5 SP1", "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4",
                "Exchange Server 5.5 + Msexcimc.exe 5.5.2232.0"]


def make(release: str, decide: object = None) -> Organisation:
    org = Organisation(release)
    for alias in ("alice", "bob"):
        org.add_mailbox(alias, alias.title())
    org.add_remote_host("mx.example.org", "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, "mx.example.org")])
    if decide is not None:
        org.ims.install_extension("Filter.dll", decide)  # type: ignore[arg-type]
    return org


def receive(org: Organisation, rcpts: list[str], subject: str) -> None:
    session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
    payload = f"From: pat@example.org\r\nTo: {', '.join(rcpts)}\r\nSubject: {subject}\r\n\r\nx\r\n".encode()
    session.transaction("mx.example.org", "pat@example.org", rcpts, payload)
    org.run()


def ndrs(org: Organisation) -> list[bytes]:
    return [d.data for d in org.internet.host("mx.example.org").received if d.mail_from == ""]


def test_without_an_extension_mail_is_delivered(release: str) -> None:
    org = make(release)
    receive(org, ["alice@contoso.com"], "plain")
    assert [m.subject for m in org.client("alice").inbox()] == ["plain"]


def test_disp_no_change_delivers_as_addressed_on_every_build(release: str) -> None:
    org = make(release, lambda m: "DISP_NO_CHANGE")
    receive(org, ["alice@contoso.com"], "ok")
    assert [m.subject for m in org.client("alice").inbox()] == ["ok"] and ndrs(org) == []
    assert org.eventlog.entries(source="MSExchangeIS Private") == []


def test_disp_ndr_orig_returns_the_message_except_before_sp1(release: str) -> None:
    org = make(release, lambda m: "DISP_NDR_ORIG")
    receive(org, ["alice@contoso.com", "bob@contoso.com"], "returned")
    if release in AFFECTED:
        assert ndrs(org) == []
        assert [m.subject for m in org.client("alice").inbox()] == ["returned"]
        assert [e.event_id for e in org.eventlog.entries(source="MSExchangeIS Private")] == [2078]
    else:
        [ndr] = ndrs(org)
        report = parse_report(ndr)
        assert "Returned to originator by the routing extension" in str(report)
        assert org.client("alice").inbox() == [] and org.client("bob").inbox() == []
        assert org.ims.spool.list("IN") == []


def test_an_unknown_disposition_is_refused() -> None:
    org = make("Exchange Server 5.5 SP4", lambda m: "DISP_SOMETHING")
    with pytest.raises(SimError, match="not one of DISP_NO_CHANGE, DISP_NDR_ORIG"):
        receive(org, ["alice@contoso.com"], "x")


# Q178378 CAUSE: every message the extension passes back with DISP_NDR_ORIG. Variants: which
# recipients, the subject the extension keys on, how many messages of each kind.
batches = st.lists(st.tuples(st.lists(st.sampled_from(["alice@contoso.com", "bob@contoso.com"]), min_size=1,
                                      max_size=2, unique=True), st.booleans()), min_size=1, max_size=4)


def _decide(message: object) -> str:
    return "DISP_NDR_ORIG" if str(getattr(message, "subject", "")).startswith("bad") else "DISP_NO_CHANGE"


def _run(release: str, batch: list) -> Organisation:
    org = make(release, _decide)
    for n, (rcpts, bad) in enumerate(batch):
        receive(org, rcpts, f"{'bad' if bad else 'good'} {n}")
    return org


@settings(max_examples=20, deadline=None)
@given(batch=batches, release=st.sampled_from(AFFECTED_SAMPLE))
def test_no_returned_message_is_reported_on_affected_builds(batch: list, release: str) -> None:
    org = _run(release, batch)
    assert ndrs(org) == []
    delivered = {m.subject for a in ("alice", "bob") for m in org.client(a).inbox()}
    assert delivered == {f"{'bad' if bad else 'good'} {n}" for n, (_, bad) in enumerate(batch)}


@settings(max_examples=20, deadline=None)
@given(batch=batches, release=st.sampled_from(FIXED_SAMPLE))
def test_every_returned_message_is_reported_on_fixed_builds(batch: list, release: str) -> None:
    org = _run(release, batch)
    assert len(ndrs(org)) == sum(1 for _, bad in batch if bad)
    delivered = {m.subject for a in ("alice", "bob") for m in org.client(a).inbox()}
    assert delivered == {f"good {n}" for n, (_, bad) in enumerate(batch) if not bad}
