"""Inbound conversion while a directory import makes the store rebuild its lists (Q274403)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kb.exceptions import SimError
from kb.sim import Organisation

AFFECTED_SAMPLE = ["Exchange Server 5.5 SP3 + Store.exe 5.5.2653.7", "Exchange Server 5.5 SP3 + Store.exe 5.5.2653.12",
                   "Exchange Server 5.5 SP3 + Store.exe 5.5.2653.18"]
UNAFFECTED_SAMPLE = ["Exchange Server 5.5", "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4",
                     "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17", "Exchange Server 5.5 SP3 + Store.exe 5.5.2653.22"]


def make(release: str) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    return org


def receive(org: Organisation, subject: str) -> None:
    session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
    payload = f"From: pat@example.org\r\nTo: alice@contoso.com\r\nSubject: {subject}\r\n\r\nx\r\n".encode()
    session.transaction("mx.example.org", "pat@example.org", ["alice@contoso.com"], payload)
    org.run()


def delivered(org: Organisation) -> list[str]:
    return sorted(m.subject for m in org.client("alice").inbox())


def test_the_matrix_releases_convert_during_a_directory_import(release: str) -> None:
    # No release of the matrix runs a Store.exe of 5.5.2653.7-5.5.2653.18.
    org = make(release)
    org.import_directory_changes(300, seconds=300)
    receive(org, "during")
    assert delivered(org) == ["during"]
    org.store.stop()
    assert org.store.state == "stopped"


def test_a_directory_import_needs_changes_and_time() -> None:
    org = make("Exchange Server 5.5 SP4")
    with pytest.raises(SimError, match="at least 1 change"):
        org.import_directory_changes(0, seconds=10)


def test_mail_after_the_import_finished_converts_on_an_affected_store() -> None:
    org = make(AFFECTED_SAMPLE[0])
    org.import_directory_changes(300, seconds=300)
    org.advance(301)
    receive(org, "after")
    assert delivered(org) == ["after"]


def test_a_deadlocked_store_hangs_on_stop_and_a_restart_clears_the_backlog() -> None:
    org = make(AFFECTED_SAMPLE[0])
    org.import_directory_changes(300, seconds=300)
    receive(org, "during")
    org.advance(3600)
    assert [f["name"] for f in org.ims.queues()["inbound_awaiting_conversion"]] and delivered(org) == []
    receive(org, "later")  # long after the import: still stuck behind the held lock
    assert delivered(org) == []
    org.store.stop()
    assert org.store.state == "stopping"
    org.store.start()
    org.run()
    assert delivered(org) == ["during", "later"]
    assert org.ims.queues()["inbound_awaiting_conversion"] == []


# Q274403 CAUSE: a conversion that runs while the rebuild thread works on imported changes.
# Variants: import size and length, when in the window the first message arrives, how many follow.
imports = st.tuples(st.integers(min_value=1, max_value=5000), st.floats(min_value=5.0, max_value=7200.0),
                    st.floats(min_value=0.0, max_value=0.99), st.integers(min_value=1, max_value=4))


def _run(release: str, count: int, seconds: float, at: float, messages: int) -> Organisation:
    org = make(release)
    org.import_directory_changes(count, seconds=seconds)
    org.advance(seconds * at)
    for n in range(messages):
        receive(org, f"m{n}")
    org.advance(seconds + 3600)
    return org


@settings(max_examples=25, deadline=None)
@given(variant=imports, release=st.sampled_from(AFFECTED_SAMPLE))
def test_every_conversion_during_an_import_deadlocks_affected_stores(variant: tuple, release: str) -> None:
    org = _run(release, *variant)
    assert delivered(org) == []
    assert len(org.ims.queues()["inbound_awaiting_conversion"]) == variant[3]


@settings(max_examples=25, deadline=None)
@given(variant=imports, release=st.sampled_from(UNAFFECTED_SAMPLE))
def test_no_conversion_during_an_import_deadlocks_other_stores(variant: tuple, release: str) -> None:
    org = _run(release, *variant)
    assert delivered(org) == sorted(f"m{n}" for n in range(variant[3]))
    assert org.ims.queues()["inbound_awaiting_conversion"] == []
