"""The store's hand-off of inbound Internet mail to the MTA, with the MTA stopped (Q247255)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kb.sim import Organisation

# Store.exe [5.5.2642.0, 5.5.2651.68): SP3 and SP3 with the Q252624-era store hotfix 2652.17 are past it.
AFFECTED = {"Exchange Server 5.5 SP3"}
AFFECTED_SAMPLE = ["Exchange Server 5.5 SP3", "Exchange Server 5.5 SP2 + Store.exe 5.5.2642.0",
                   "Exchange Server 5.5 SP3 + Store.exe 5.5.2651.67"]
UNAFFECTED_SAMPLE = ["Exchange Server 5.5", "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP4",
                     "Exchange Server 5.5 SP3 + Store.exe 5.5.2651.68", "Exchange Server 5.5 SP2 + Store.exe 5.5.2641.0"]


def make(release: str) -> Organisation:
    org = Organisation(release)
    for alias in ("alice", "bob", "carol"):
        org.add_mailbox(alias, alias.title())
    org.add_distribution_list("sales", ["bob", "carol"])
    org.add_remote_host("mx.example.org", "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, "mx.example.org")])
    return org


def receive(org: Organisation, rcpts: list[str], subject: str, body: str = "Hi.") -> None:
    session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
    payload = f"From: pat@example.org\r\nTo: {', '.join(rcpts)}\r\nSubject: {subject}\r\n\r\n{body}\r\n".encode()
    dialogue = session.transaction("mx.example.org", "pat@example.org", rcpts, payload)
    assert any(reply.code == 250 and command.startswith("DATA") for command, reply in dialogue)
    org.run()


def subjects(org: Organisation, alias: str) -> list[str]:
    return [m.subject for m in org.client(alias).inbox()]


def test_inbound_mail_is_delivered_at_once_while_the_mta_runs(release: str) -> None:
    org = make(release)
    receive(org, ["alice@contoso.com"], "Now")
    assert subjects(org, "alice") == ["Now"]
    assert org.mta.state == "running"


def test_inbound_mail_waits_for_a_stopped_mta_except_on_the_affected_store_builds(release: str) -> None:
    org = make(release)
    org.mta.stop()
    receive(org, ["alice@contoso.com"], "Queued")
    assert subjects(org, "alice") == []
    waiting = org.ims.queues()["inbound_awaiting_delivery"]
    org.mta.start()
    org.run()
    if release in AFFECTED:
        assert waiting == [] and subjects(org, "alice") == []
        assert org.internet.host("mx.example.org").received == []  # silently: no NDR
    else:
        assert len(waiting) == 1 and subjects(org, "alice") == ["Queued"]
        assert org.ims.queues()["inbound_awaiting_delivery"] == []


def test_mail_between_mailboxes_never_reaches_the_mta_queue(release: str) -> None:
    org = make(release)
    org.mta.stop()
    org.client("alice").send("bob", subject="Local")
    assert subjects(org, "bob") == ["Local"]


# Q247255 CAUSE: every message the store hands to the MTA while no MTA session exists. Variants:
# how many messages, which local recipients (mailboxes, a DL), bodies.
messages = st.lists(
    st.tuples(st.lists(st.sampled_from(["alice@contoso.com", "bob@contoso.com", "sales@contoso.com"]),
                       min_size=1, max_size=3, unique=True),
              st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=40)),
    min_size=1, max_size=4)


def handed_over_without_an_mta(release: str, batch: list) -> Organisation:
    """Receive ``batch`` over SMTP while the MTA is stopped, then start it and run the organisation."""
    org = make(release)
    org.mta.stop()
    for n, (rcpts, body) in enumerate(batch):
        receive(org, rcpts, f"m{n}", body)
    org.mta.start()
    org.run()
    return org


@settings(max_examples=20, deadline=None)
@given(batch=messages, release=st.sampled_from(AFFECTED_SAMPLE))
def test_every_message_handed_over_without_an_mta_is_lost_on_affected_builds(batch: list, release: str) -> None:
    org = handed_over_without_an_mta(release, batch)
    assert all(subjects(org, a) == [] for a in ("alice", "bob", "carol"))
    assert org.internet.host("mx.example.org").received == []


@settings(max_examples=20, deadline=None)
@given(batch=messages, release=st.sampled_from(UNAFFECTED_SAMPLE))
def test_every_message_handed_over_without_an_mta_is_delivered_later_elsewhere(batch: list, release: str) -> None:
    org = handed_over_without_an_mta(release, batch)
    for n, (rcpts, _) in enumerate(batch):
        expected = {"alice"} if "alice@contoso.com" in rcpts else set()
        expected |= {"bob"} if "bob@contoso.com" in rcpts or "sales@contoso.com" in rcpts else set()
        expected |= {"carol"} if "sales@contoso.com" in rcpts else set()
        for alias in ("alice", "bob", "carol"):
            assert (f"m{n}" in subjects(org, alias)) == (alias in expected)
