"""The store's "Max Recipients on Submit" on inbound SMTP mail, on every release (Q246051)."""

from __future__ import annotations

from kb.sim import Organisation

LIMIT = 5
FIXED = {"Exchange Server 5.5 SP4"}  # Msexcimc.exe 5.5.2651.58 and later


def org_with_limit(release: str) -> Organisation:
    org = Organisation(release)
    for alias in ("user1", "user2", "dana", "eli", "fran", "gil"):
        org.add_mailbox(alias)
    org.add_distribution_list("hugedl", ["dana", "eli", "fran", "gil"], "Huge DL")
    org.store.max_recipients_on_submit = LIMIT
    org.add_remote_host("mx.example.org", "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, "mx.example.org")])
    return org


def receive(org: Organisation, rcpts: list[str]) -> str:
    session = org.ims.session(peer_ip="192.0.2.50")
    session.helo("mx.example.org")
    session.mail("pat@example.org")
    for rcpt in rcpts:
        assert session.rcpt(rcpt).code == 250
    reply = session.data(f"From: pat@example.org\r\nTo: {', '.join(rcpts)}\r\nSubject: Testing\r\n\r\nHi.\r\n".encode())
    assert reply.code == 250  # the limit is the store's: SMTP accepts the message on every build
    org.run()
    return reply.text.split()[0]


def inboxes(org: Organisation) -> dict[str, int]:
    return {m.alias: len(org.client(m.alias).inbox()) for m in org.directory.mailboxes()}


def ndrs_to_sender(org: Organisation) -> list[str]:
    return [d.data.decode() for d in org.internet.host("mx.example.org").received if d.rcpt_to == ("pat@example.org",)]


def test_a_message_over_the_limit_after_dl_expansion_is_archived_silently_before_sp4(release: str) -> None:
    org = org_with_limit(release)
    spool = receive(org, ["user1@contoso.com", "hugedl@contoso.com", "user2@contoso.com"])  # 1 + 4 + 1 > 5
    assert not any(inboxes(org).values())
    if release in FIXED:
        assert org.eventlog.entries(event_id=4117) == []
        assert org.ims.spool.list("IN\\ARCHIVE") == []
        [ndr] = ndrs_to_sender(org)
        assert ndr.count("MSEXCH:IMS:Contoso:Redmond:EXCH01 0 (00010256) Too many recipients.") == 3
        assert "Subject: Testing" in ndr  # the original is attached
    else:
        [event] = org.eventlog.entries(source="MSExchangeIMC", event_id=4117)
        assert (event.type, event.category) == ("Error", "Internal Processing")
        assert spool in event.description and "IMCDATA\\IN\\ARCHIVE" in event.description
        assert event.data[4:8] == bytes.fromhex("05400080")  # 0x80004005, as in the article's data
        assert [f.name for f in org.ims.spool.list("IN\\ARCHIVE")] == [spool]
        assert ndrs_to_sender(org) == []


def test_a_message_within_the_limit_is_delivered_on_every_build(release: str) -> None:
    org = org_with_limit(release)
    receive(org, ["user1@contoso.com", "hugedl@contoso.com"])  # 1 + 4 = 5, not over
    assert inboxes(org) == {"dana": 1, "eli": 1, "fran": 1, "gil": 1, "user1": 1, "user2": 0}
    assert org.eventlog.entries(event_id=4117) == [] and ndrs_to_sender(org) == []


def test_no_limit_means_no_refusal(release: str) -> None:
    org = org_with_limit(release)
    org.store.max_recipients_on_submit = 0
    receive(org, ["user1@contoso.com", "hugedl@contoso.com", "user2@contoso.com"])
    assert sum(inboxes(org).values()) == 6


def test_the_store_counts_embedded_messages_so_its_own_ndr_is_over_the_limit_too(release: str) -> None:
    org = org_with_limit(release)
    receive(org, ["user1@contoso.com", "hugedl@contoso.com", "user2@contoso.com"])
    # The count the store applies: 6 recipients; an NDR embedding the message counts 1 + 6.
    from kb.sim.core.message import MapiMessage, RecipientRow

    original = MapiMessage("X1", recipients=[RecipientRow(1, "user1@contoso.com"), RecipientRow(2, "hugedl@contoso.com"),
                                             RecipientRow(3, "user2@contoso.com")])
    report = MapiMessage("X2", recipients=[RecipientRow(1, "pat@example.org")], original=original)
    assert (org.store.recipient_count(original), org.store.recipient_count(report)) == (6, 7)
