"""One behaviour suite, run on every simulated release (RTM, SP1-SP4, SP3 + store hotfix)."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from kb.sim import Organisation

BAD = "SMTP:joeuser@invaliddomain.com "
GOOD = "SMTP:joeuser@invaliddomain.com"


def _resend_flow(org: Organisation, recipient: str) -> tuple[int, int]:
    client = org.client("alice")
    client.send(recipient, subject="Quarterly figures", body="See attached.")
    first = len(client.ndrs())
    client.send_again(client.ndrs()[0])
    return first, len(client.ndrs())


def test_mail_between_two_local_mailboxes_is_delivered(org: Organisation) -> None:
    org.client("alice").send("bob", subject="lunch?")
    assert [m.subject for m in org.client("bob").inbox()] == ["lunch?"]
    assert [m.subject for m in org.client("alice").folder("Sent Items")] == ["lunch?"]


def test_mail_to_an_internet_host_leaves_through_the_ims_and_smtp(org: Organisation) -> None:
    org.client("alice").send("SMTP:carol@example.net", subject="hello carol", body="hi")
    received = org.internet.host("mx.example.net").received
    assert len(received) == 1
    assert received[0].rcpt_to == ("carol@example.net",)
    assert received[0].mail_from == "alice@contoso.com"
    assert b"Subject: hello carol" in received[0].data
    assert org.ims.spool.list("OUT") == []
    assert "DATA" in " ".join(org.ims.protocol_log.lines())


def test_an_unresolvable_domain_gives_a_host_unknown_ndr_from_the_postmaster(org: Organisation) -> None:
    client = org.client("alice")
    client.send(GOOD, subject="hello")
    (ndr,) = client.ndrs()
    assert ndr.message_class == "REPORT.IPM.Note.NDR"
    row = ndr.recipients[0]
    assert row.supplementary == "MSEXCH:IMS:Contoso:Redmond:EXCH01 3902 (000B099C) Host Unknown"
    assert row.ndr_reason is not None and row.ndr_diag is not None
    mime = BytesParser(policy=policy.default).parsebytes(ndr.mime)
    assert mime.get_content_type() == "multipart/report"
    assert mime["From"].addresses[0].addr_spec == "postmaster@contoso.com"
    kinds = [part.get_content_type() for part in mime.iter_parts()]
    assert kinds == ["text/plain", "message/delivery-status", "message/rfc822"]
    assert "3902 (000B099C) Host Unknown" in next(mime.iter_parts()).get_content()


def test_send_again_without_a_trailing_space_gives_a_second_ndr(org: Organisation) -> None:
    assert _resend_flow(org, GOOD) == (1, 2)
    assert org.eventlog.entries(event_id=4120) == []


def test_send_again_keeps_the_ndr_properties_on_the_recipient_rows(org: Organisation) -> None:
    client = org.client("alice")
    client.send(GOOD, subject="x")
    resent = client.send_again(client.ndrs()[0])
    assert resent.recipients[0].ndr_diag is not None
    assert resent.recipients[0].supplementary.endswith("Host Unknown")
    assert resent.to_line == "joeuser@invaliddomain.com"


def test_the_trailing_space_suppresses_the_second_ndr_exactly_on_sp3(org: Organisation, release: str) -> None:
    first, total = _resend_flow(org, BAD)
    events = org.eventlog.entries(source="MSExchangeIMC", event_id=4120)
    archived = org.ims.spool.list("OUT\\ARCHIVE")
    assert first == 1
    if release == "Exchange Server 5.5 SP3":
        assert total == 1
        assert [(e.type, e.category) for e in events] == [("Error", "Internal Processing")]
        assert [f.note for f in archived] == ["event 4120"]
        assert events[0].data.endswith(archived[0].name.encode("ascii"))
    else:
        assert total == 2
        assert events == []
        assert archived == []


def test_a_runs_results_do_not_depend_on_anything_but_the_release(release: str) -> None:
    def run() -> list[str]:
        org = Organisation(release)
        org.add_mailbox("alice")
        client = org.client("alice")
        client.send(BAD, subject="s")
        client.send_again(client.ndrs()[0])
        return [m.mime.decode() if m.mime else m.subject for m in client.inbox()] + org.ims.protocol_log.lines()

    assert run() == run()
