"""Store report generation: the NDR's MIME form and how rows are found again on a resend."""

from __future__ import annotations

from kb.sim import Organisation
from kb.sim.store.report import STORE_NORMALISES_REPORT_ROWS, ReportedFailure, parse_report


def _ndr(release: str = "Exchange Server 5.5 SP4"):  # noqa: ANN202
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    client = org.client("alice")
    client.send("SMTP:joeuser@invaliddomain.com ", subject="Figures", body="Numbers.")
    return org, client, client.ndrs()[0]


def test_the_delivery_status_part_names_the_reporting_mta_and_the_failed_recipient() -> None:
    _, _, ndr = _ndr()
    mime = parse_report(ndr.mime)
    status = list(mime.iter_parts())[1]
    per_message, per_recipient = status.get_payload()
    assert per_message["Reporting-MTA"] == "dns; exch01.contoso.com"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.4.4"
    assert per_recipient["Final-Recipient"] == "rfc822;joeuser@invaliddomain.com"


def test_the_ndr_text_carries_the_mts_id_of_the_original_and_the_diagnostic_line() -> None:
    _, _, ndr = _ndr()
    assert ndr.subject == "Undeliverable: Figures"
    assert f"The MTS-ID of the original message is: {ndr.original.mts_id}" in ndr.body
    assert ndr.original.mts_id.startswith("c=US;a= ;p=Contoso;l=EXCH01-000111090000Z-")
    assert "'joeuser@invaliddomain.com ' on 1/11/00 9:00 AM" in ndr.body  # the row as typed


def test_the_embedded_original_is_the_message_as_sent() -> None:
    _, _, ndr = _ndr()
    original = list(parse_report(ndr.mime).iter_parts())[2].get_payload()[0]
    assert original["Subject"] == "Figures"
    assert original.get_payload().strip() == "Numbers."


def test_a_fixed_store_finds_a_re_reported_row_whatever_the_blanks() -> None:
    org, client, ndr = _ndr()
    assert org.builds.store >= STORE_NORMALISES_REPORT_ROWS
    resend = client.compose("SMTP:x@y.example")
    resend.recipients = ndr.recipients
    failure = ReportedFailure(ndr.recipients[0].row_id, "JOEUSER@invaliddomain.com", 0, 255, "line", "text")
    assert org.reports.find_row(resend, failure) is ndr.recipients[0]


def test_the_sp3_store_misses_a_re_reported_row_whose_address_differs_by_a_blank() -> None:
    org, client, ndr = _ndr("Exchange Server 5.5 SP3")
    resend = client.compose("SMTP:x@y.example")
    resend.recipients = ndr.recipients
    trimmed = ReportedFailure(ndr.recipients[0].row_id, "joeuser@invaliddomain.com", 0, 255, "line", "text")
    raw = ReportedFailure(ndr.recipients[0].row_id, "joeuser@invaliddomain.com ", 0, 255, "line", "text")
    assert org.reports.find_row(resend, trimmed) is None
    assert org.reports.find_row(resend, raw) is ndr.recipients[0]


def test_the_4120_event_data_holds_the_hresult_and_the_spool_file_name() -> None:
    org, client, ndr = _ndr("Exchange Server 5.5 SP3")
    client.send_again(ndr)
    (event,) = org.eventlog.entries(event_id=4120)
    (archived,) = org.ims.spool.list("OUT\\ARCHIVE")
    assert event.data[:8] == bytes.fromhex("740005000f010480")  # 0x8004010F MAPI_E_NOT_FOUND, little-endian
    assert event.data[8:] == archived.name.encode("ascii")
