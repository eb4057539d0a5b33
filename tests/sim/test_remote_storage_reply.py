"""A remote "552" to one RCPT TO of an outbound batch, on every release (Q260741)."""

from __future__ import annotations

from kb.sim import Organisation

FIXED = {"Exchange Server 5.5 SP4"}  # Msexcimc.exe 5.5.2652.39 and later
HOST = "mx.example.net"


def send(release: str, recipients: list[str], replies: dict[str, str]) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(HOST, "192.0.2.25", recipients=replies)
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    org.client("alice").send([f"SMTP:{r}" for r in recipients], subject="Figures")
    return org


def ndr_rows(org: Organisation) -> dict[str, str]:
    return {row.address: row.supplementary or "" for ndr in org.client("alice").ndrs() for row in ndr.recipients}


def outbound_lines(org: Organisation) -> list[str]:
    return [line.split(" : ", 1)[1] for s in org.ims.protocol_log.sessions if s.direction == "outbound" for line in s.lines]


def test_a_552_to_one_recipient_fails_the_whole_batch_before_sp4(release: str) -> None:
    org = send(release, ["ann@example.net", "full@example.net", "bo@example.net"],
               {"full@example.net": "552 mailbox quota limit exceeded"})
    rows = ndr_rows(org)
    received = [list(d.rcpt_to) for d in org.internet.host(HOST).received]
    if release in FIXED:
        assert received == [["ann@example.net", "bo@example.net"]]
        assert list(rows) == ["full@example.net"]
        assert "DATA" in outbound_lines(org)
    else:
        assert received == []
        assert list(rows) == ["ann@example.net", "full@example.net", "bo@example.net"]
        lines = outbound_lines(org)
        assert "DATA" not in lines and "RCPT TO:<bo@example.net>" not in lines  # stamped, never asked
    assert all(d.endswith("3552 (000C05A6) 552 mailbox quota limit exceeded") for d in rows.values())


def test_a_550_to_one_recipient_fails_only_that_recipient_on_every_build(release: str) -> None:
    org = send(release, ["ann@example.net", "gone@example.net"], {"gone@example.net": "550 No such user"})
    assert [list(d.rcpt_to) for d in org.internet.host(HOST).received] == [["ann@example.net"]]
    assert list(ndr_rows(org)) == ["gone@example.net"]


def test_a_552_after_data_fails_every_recipient_on_every_build(release: str) -> None:
    org = Organisation(release)
    org.add_mailbox("alice")
    org.add_remote_host(HOST, "192.0.2.25", max_size=10)
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    org.client("alice").send(["SMTP:ann@example.net", "SMTP:bo@example.net"], subject="Big", body="x" * 100)
    assert org.internet.host(HOST).received == []
    assert sorted(ndr_rows(org)) == ["ann@example.net", "bo@example.net"]
