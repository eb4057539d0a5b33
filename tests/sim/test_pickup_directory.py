"""The IMS Pickup directory on every release: envelopes, bad files, and files caught mid-copy (Q250441)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kb.sim import Organisation

FIXED = {"Exchange Server 5.5 SP4"}  # Msexcimc.exe 5.5.2652.39 and later
AFFECTED_SAMPLE = ["Exchange Server 5.5", "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.0"]
FIXED_SAMPLE = ["Exchange Server 5.5 SP4", "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39"]


def make(release: str) -> Organisation:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_mailbox("bob", "Bob Jones")
    return org


def eml(subject: str, to: str = "alice@contoso.com", x_receiver: bool = True) -> bytes:
    head = "X-Sender: app@contoso.com\r\n" + (f"X-Receiver: {to}\r\n" if x_receiver else "")
    return (head + f"From: app@contoso.com\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nBody.\r\n").encode()


def inbox(org: Organisation, alias: str = "alice") -> list[str]:
    return sorted(m.subject for m in org.client(alias).inbox())


def test_a_complete_pickup_file_is_delivered_on_every_build(release: str) -> None:
    org = make(release)
    org.ims.pickup.copy_in("A.EML", eml("Hello"))
    org.advance(60)
    assert inbox(org) == ["Hello"]
    assert org.ims.spool.list("PICKUP") == [] and org.ims.spool.list("PICKUP\\ARCHIVE") == []
    assert org.eventlog.entries(event_id=4164) == []


def test_x_receiver_decides_the_recipients_over_the_to_line(release: str) -> None:
    org = make(release)
    data = b"X-Sender: app@contoso.com\r\nX-Receiver: bob@contoso.com\r\nTo: alice@contoso.com\r\nSubject: Env\r\n\r\nx\r\n"
    org.ims.pickup.copy_in("B.EML", data)
    org.advance(60)
    assert inbox(org, "bob") == ["Env"] and inbox(org, "alice") == []


def test_a_file_without_recipients_is_archived_with_4164_on_every_build(release: str) -> None:
    org = make(release)
    org.ims.pickup.copy_in("JUNK.TXT", b"this is not a message\r\n")
    org.advance(60)
    [archived] = org.ims.spool.list("PICKUP\\ARCHIVE")
    assert archived.name == "JUNK.TXT" and archived.note == "event 4164"
    [event] = org.eventlog.entries(source="MSExchangeIMC", event_id=4164)
    assert event.category == "Message Transfer" and "JUNK.TXT" in event.description
    assert event.data[4:8] == bytes.fromhex("05400080") and event.data.endswith(b"JUNK.TXT")  # 0x80004005


def test_a_file_seen_before_its_copy_finished_is_archived_only_before_the_fix(release: str) -> None:
    org = make(release)
    org.ims.pickup.copy_in("SLOW.EML", eml("Slow"), seconds=40)  # the 15-second scan meets it empty
    org.advance(120)
    if release in FIXED:
        assert inbox(org) == ["Slow"]
        assert org.ims.spool.list("PICKUP\\ARCHIVE") == []
    else:
        assert inbox(org) == []
        [archived] = org.ims.spool.list("PICKUP\\ARCHIVE")
        assert (archived.name, archived.data) == ("SLOW.EML", b"")
        assert len(org.eventlog.entries(source="MSExchangeIMC", event_id=4164)) == 1


def test_a_stopped_service_leaves_pickup_files_until_it_starts(release: str) -> None:
    org = make(release)
    org.ims.stop()
    org.ims.pickup.copy_in("C.EML", eml("Later"))
    org.advance(60)
    assert inbox(org) == [] and [f.name for f in org.ims.spool.list("PICKUP")] == ["C.EML"]
    org.ims.start()
    org.run()
    assert inbox(org) == ["Later"]


# Q250441 CAUSE: any file "that does not have a size associated with it when it is first copied"
# and is seen by the IMS in that state. Variants: how many complete files surround it, when its
# copy starts before the scan, how long it takes, how its envelope is written.
copies = st.tuples(
    st.integers(min_value=0, max_value=6),                               # complete files before
    st.integers(min_value=0, max_value=6),                               # complete files after
    st.floats(min_value=0.0, max_value=14.0),                            # start offset before the scan
    st.floats(min_value=1.0, max_value=3600.0),                          # copy time past the scan
    st.booleans(),                                                       # X-Receiver or To only
)


def _run_variant(release: str, before: int, after: int, offset: float, extra: float, x_receiver: bool) -> Organisation:
    org = make(release)
    for n in range(before):
        org.ims.pickup.copy_in(f"PRE{n}.EML", eml(f"pre {n}"))
    org.advance(offset)
    org.ims.pickup.copy_in("SLOW.EML", eml("slow", x_receiver=x_receiver), seconds=(15.0 - offset) + extra)
    for n in range(after):
        org.ims.pickup.copy_in(f"POST{n}.EML", eml(f"post {n}"))
    org.advance(15.0 - offset + extra + 60)
    return org


@settings(max_examples=25, deadline=None)
@given(variant=copies, release=st.sampled_from(AFFECTED_SAMPLE))
def test_every_file_caught_without_a_size_is_lost_on_affected_builds(variant: tuple, release: str) -> None:
    before, after, offset, extra, x_receiver = variant
    org = _run_variant(release, before, after, offset, extra, x_receiver)
    assert "slow" not in inbox(org)
    assert "SLOW.EML" in [f.name for f in org.ims.spool.list("PICKUP\\ARCHIVE")]
    assert org.eventlog.entries(source="MSExchangeIMC", event_id=4164)


@settings(max_examples=25, deadline=None)
@given(variant=copies, release=st.sampled_from(FIXED_SAMPLE))
def test_no_file_caught_without_a_size_is_lost_on_fixed_builds(variant: tuple, release: str) -> None:
    before, after, offset, extra, x_receiver = variant
    org = _run_variant(release, before, after, offset, extra, x_receiver)
    assert inbox(org).count("slow") == 1 and len(inbox(org)) == before + after + 1
    assert org.ims.spool.list("PICKUP\\ARCHIVE") == []
    assert org.eventlog.entries(source="MSExchangeIMC", event_id=4164) == []
