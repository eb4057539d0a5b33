"""Store-side report generation: the NDR a gateway asks the store to create, and its delivery.

The IMS creates an NDR through MAPI by adding the failed recipients to a report the store
builds (ims-domain §2.5.1, Q272672); failures inside that call reach the IMS as a MAPI error.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from email import policy
from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.core.directory import Mailbox
from kb.sim.store.imail import WIRE, rfc822_date
from kb.sim.store.imail_parts import attachments_of
from kb.sim.core.mapi import MAPI_E_NOT_FOUND, MapiError
from kb.sim.core.message import MapiMessage, RecipientRow, ndr_class
from kb.sim.core.dsn import recipient_request, request_of, xtext_encode
from kb.sim.core.p1 import ReportedFailure

if TYPE_CHECKING:
    from kb.sim.core.p1 import Transfer
    from kb.sim.core.ports import Converter, Delivery, TransferAgent
    from kb.sim.core.server import Server

# When a recipient row already carries PR_NDR_REASON_CODE/PR_NDR_DIAG_CODE (a message re-created
# from an NDR keeps them, Q171100), the store treats the failure as a re-reported recipient and
# finds the row again by its address string instead of by row identity.
# Q254893 (inference): the notes name only 5.5 SP3 as affected, so this branch is modelled as
# arriving with the SP3 Store.exe (5.5.2650.23, Q243604); earlier stores match by row identity.
STORE_REMATCHES_REREPORTED_ROWS_BY_ADDRESS = build("5.5.2650.23")
# Q254893/Q248838: Store.exe 5.5.2652.17 (April 12, 2000; in SP4) normalises both address strings
# (surrounding blanks, case) before comparing, so a row typed with a trailing space is found.
STORE_NORMALISES_REPORT_ROWS = build("5.5.2652.17")


def _client_time(when: datetime) -> str:
    """Return the client's short date form, e.g. ``1/11/00 9:00 AM``."""
    hour = when.hour % 12 or 12
    return f"{when.month}/{when.day}/{when.year % 100:02d} {hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"


def normalise_address(address: str) -> str:
    """Return ``address`` as the fixed store compares it: local part and domain trimmed, lower case.

    The IMS trims the local part and the domain separately (kb.sim.ims.addressing), so the
    store must too: ``joeuser @invaliddomain.com`` and ``joeuser@invaliddomain.com `` are both
    the address the IMS reports as ``joeuser@invaliddomain.com`` (Q254893 CAUSE: blanks the IMS
    removed make the re-reported row unfindable).
    """
    local, at, domain = address.rpartition("@")
    if not at:
        return address.strip().lower()
    return f"{local.strip()}@{domain.strip()}".lower()


class StoreReports:
    """Builds NDRs as MAPI messages that also carry their MIME form."""

    def __init__(self, server: "Server", store: "Delivery", imail: "Converter") -> None:
        self.server = server
        self.store = store
        self.imail = imail
        self.build = server.builds.store
        self.mta: "TransferAgent"  # connected by the assembly layer (kb.sim.org)

    # -- row matching ------------------------------------------------------------------------
    def find_row(self, original: MapiMessage, failure: ReportedFailure) -> RecipientRow | None:
        """Find the original's recipient row that ``failure`` reports on."""
        by_id = next((r for r in original.recipients if r.row_id == failure.row_id), None)
        if by_id is None or not by_id.has_ndr_properties:
            return by_id
        if self.build < STORE_REMATCHES_REREPORTED_ROWS_BY_ADDRESS:
            return by_id
        # Re-reported recipient: look the row up again by address string.
        rows = [r for r in original.recipients if r.has_ndr_properties]
        if self.build >= STORE_NORMALISES_REPORT_ROWS:
            wanted = normalise_address(failure.address)
            return next((r for r in rows if normalise_address(r.address) == wanted), None)
        return next((r for r in rows if r.address == failure.address), None)

    # -- NDR ---------------------------------------------------------------------------------
    def create_ndr(self, original: MapiMessage, failures: list[ReportedFailure]) -> MapiMessage:
        """Create the NDR on ``original`` for ``failures``; raise MapiError when a row is missing."""
        rows: list[RecipientRow] = []
        for failure in failures:
            row = self.find_row(original, failure)
            if row is None:
                raise MapiError(MAPI_E_NOT_FOUND, f"no recipient row for {failure.address!r}")
            ndr_row = self._report_row(row, failure)
            ndr_row.ndr_reason = failure.reason
            ndr_row.ndr_diag = failure.diag
            ndr_row.supplementary = failure.diagnostic_line
            ndr_row.props["reason_text"] = failure.reason_text
            ndr_row.props["status"] = failure.status
            ndr_row.props["remote_reply"] = failure.remote_reply
            ndr_row.props["remote_mta"] = failure.remote_mta
            ndr_row.props["final_recipient"] = failure.address.strip()
            orcpt = recipient_request(original.props, row.row_id).original_recipient()
            if orcpt:
                ndr_row.props["orcpt"] = orcpt  # RFC 3461 §4.2 -> RFC 3464 §2.3.1
            rows.append(ndr_row)
        now = self.server.clock.now()
        ndr = MapiMessage(
            entry_id=self.store.new_entry_id(),
            message_class=ndr_class(original.message_class),
            subject=f"Undeliverable: {original.subject}",
            sender=self.server.postmaster,
            sender_name="System Administrator",
            recipients=rows,
            to_line=original.reverse_path or original.sender,
            submit_time=now,
            mts_id=self.server.new_mts_id(),
            original=original.clone(original.entry_id),
        )
        ndr.message_id = f"<{ndr.mts_id.rpartition('=')[2]}@{self.server.fqdn}>"
        ndr.body = self.render_text(ndr)
        ndr.mime = self.render_mime(ndr)
        return ndr

    def _report_row(self, row: RecipientRow, failure: ReportedFailure) -> RecipientRow:
        """Return the NDR row for ``failure``: the original row, or the list member that failed.

        The MTA expands a distribution list into its members and records where each came from
        (P1 ``via``); a failure of a member is reported on the member, not on the list (RFC 3464
        §2.3.2: Final-Recipient is the address the delivery was attempted to; the list stays as
        Original-Recipient).
        """
        ndr_row = copy.deepcopy(row)
        ndr_row.props.pop("original_recipient", None)  # a resent row is addressed as it stands now
        if failure.expanded_from is None or failure.member is None or row.entry is None:
            return ndr_row
        if row.entry.lower() != failure.expanded_from.lower():
            return ndr_row
        member = self.server.directory.find(failure.member)
        ndr_row.address = failure.address
        ndr_row.addrtype = "SMTP"
        ndr_row.entry = member.alias if member is not None else None
        ndr_row.display_name = member.display_name if member is not None else failure.address
        ndr_row.props["original_recipient"] = row.address
        return ndr_row

    def render_text(self, ndr: MapiMessage) -> str:
        """Render what the client shows for an NDR (ims-domain §2.5.2, Q242961)."""
        original = ndr.original
        assert original is not None
        assert ndr.submit_time is not None  # report() stamps every NDR
        sent = original.submit_time or ndr.submit_time
        lines = [
            "Your message did not reach some or all of the intended recipients.",
            "",
            f"      Subject:\t{original.subject}",
            f"      Sent:\t{_client_time(sent)}",
            "",
            "The following recipient(s) could not be reached:",
            "",
        ]
        for row in ndr.recipients:
            lines += [
                f"      '{row.address}' on {_client_time(ndr.submit_time)}",
                f"            {row.props.get('reason_text', '')}",
                f"            The MTS-ID of the original message is: {original.mts_id}",
                f"            {row.supplementary}",
                "",
            ]
        return "\r\n".join(lines)

    def render_mime(self, ndr: MapiMessage) -> bytes:
        """Return the NDR as a MIME multipart/report with an RFC 3464 message/delivery-status part."""
        original = ndr.original
        assert original is not None
        assert ndr.submit_time is not None  # report() stamps every NDR
        report = MIMEMultipart("report", report_type="delivery-status", policy=WIRE)
        report["From"] = f"System Administrator <{self.server.postmaster}>"
        report["To"] = original.reverse_path or original.sender or f"postmaster@{self.server.domain}"
        report["Subject"] = ndr.subject
        report["Date"] = rfc822_date(ndr.submit_time)
        report["Message-ID"] = ndr.message_id
        report["X-MS-Embedded-Report"] = ""
        # A boundary derived from the MTS-ID keeps the bytes deterministic.
        report.set_boundary("----=_NextPart_" + ndr.mts_id.rpartition("=")[2].replace("-", "_"))
        report.attach(MIMEText(ndr.body.replace("\r\n", "\n"), "plain", "us-ascii" if ndr.body.isascii() else "utf-8"))
        status = Message()
        status.set_type("message/delivery-status")
        request = request_of(original.props)
        per_message = Message()
        if request is not None and request.mail.envid is not None:
            per_message["Original-Envelope-Id"] = _field_text(request.mail.envid)  # RFC 3464 §2.2.1
        per_message["Reporting-MTA"] = f"dns; {self.server.fqdn}"
        per_message["Arrival-Date"] = rfc822_date(original.submit_time or ndr.submit_time)
        blocks: list[Message | str] = [per_message]
        for row in ndr.recipients:
            block = Message()
            orcpt = row.props.get("orcpt")
            block["Original-Recipient"] = (_field_text(str(orcpt)) if orcpt else
                                           f"rfc822;{row.props.get('original_recipient', row.address)}")
            block["Final-Recipient"] = f"rfc822;{row.props.get('final_recipient') or row.address.strip()}"
            block["Action"] = str(row.props.get("action", "failed"))
            block["Status"] = str(row.props.get("status", "5.0.0"))
            if row.props.get("remote_mta"):
                block["Remote-MTA"] = f"dns; {row.props['remote_mta']}"
            if row.props.get("remote_reply"):
                block["Diagnostic-Code"] = f"smtp; {row.props['remote_reply']}"
            else:
                block["X-Display-Name"] = row.display_name or row.address
            blocks.append(block)
        status.set_payload(blocks)
        report.attach(status)
        content = self.imail.to_internet(original)
        if ndr.props.get("without_content"):
            pass
        elif request is not None and request.mail.ret == "HDRS":
            # RET=HDRS (RFC 3461 §4.3): only the header comes back, as text/rfc822-headers (RFC 3462).
            header = content.split(b"\r\n\r\n", 1)[0] + b"\r\n"
            headers = MIMEText(header.decode("ascii", "replace").replace("\r\n", "\n"), "rfc822-headers", "us-ascii")
            report.attach(headers)
        else:
            embedded = BytesParser(policy=policy.compat32).parsebytes(content)
            report.attach(MIMEMessage(embedded))
        return report.as_bytes(policy=WIRE)

    # -- delivery reports (DSN NOTIFY=SUCCESS, RFC 3461 §6.2) ------------------------------
    def report_success(self, original: MapiMessage, rows: list[tuple[int, str]], action: str,
                       transfer: "Transfer", remote_mta: str = "") -> MapiMessage | None:
        """Send a delivery report on ``rows`` ((row id, final recipient)) that asked NOTIFY=SUCCESS.

        ``action`` is RFC 3464's ``delivered`` (a mailbox took it), ``expanded`` (a distribution
        list did) or ``relayed`` (handed to a host without DSN, RFC 3461 §6.2.7.2; Q156063 §2.2.14
        records the 5.0 IMS not doing this). Return the report, or None when no row asked.
        """
        wanted = [(row_id, final) for row_id, final in rows if recipient_request(original.props, row_id).wants_success]
        if not wanted or not original.reverse_path:
            return None
        now = self.server.clock.now()
        report_rows: list[RecipientRow] = []
        for row_id, final in wanted:
            source = next((r for r in original.recipients if r.row_id == row_id), None)
            row = copy.deepcopy(source) if source is not None else RecipientRow(row_id=row_id, address=final)
            row.props = {"final_recipient": final, "action": action, "status": "2.0.0", "remote_mta": remote_mta,
                         "reason_text": action}
            orcpt = recipient_request(original.props, row_id).original_recipient()
            if orcpt:
                row.props["orcpt"] = orcpt
            report_rows.append(row)
        report = MapiMessage(
            entry_id=self.store.new_entry_id(),
            message_class=original.message_class.replace("IPM.", "REPORT.IPM.", 1) + ".DR"
            if original.message_class.startswith("IPM.") else "REPORT.IPM.Note.DR",
            subject=f"{'Delivered' if action == 'delivered' else 'Relayed' if action == 'relayed' else 'Expanded'}: {original.subject}",
            sender=self.server.postmaster,
            sender_name="System Administrator",
            recipients=report_rows,
            to_line=original.reverse_path,
            submit_time=now,
            mts_id=self.server.new_mts_id(),
            original=original.clone(original.entry_id),
        )
        report.message_id = f"<{report.mts_id.rpartition('=')[2]}@{self.server.fqdn}>"
        report.props["without_content"] = True  # RFC 3461 §4.3: a success report returns no content
        sent = _client_time(original.submit_time or now)
        lines = ["Your message", "", f"      Subject:\t{original.subject}", f"      Sent:\t{sent}", "",
                 {"delivered": "was delivered to the following recipient(s):",
                  "relayed": "was relayed to a system that does not report delivery for the following recipient(s):",
                  "expanded": "was delivered to the following distribution list(s), which expanded it:"}[action], ""]
        lines += [f"      {row.props['final_recipient']} on {_client_time(now)}" for row in report_rows]
        report.body = "\r\n".join(lines)
        report.mime = self.render_mime(report)
        self.deliver_report(report, transfer)
        return report

    # -- delivery ----------------------------------------------------------------------------
    def deliver_report(self, report: MapiMessage, transfer: "Transfer") -> None:
        """Deliver a report to the originator: a local mailbox, an X.400 connector, or out through the MTA."""
        if self.mta.return_foreign_report(report, transfer):
            return  # a P1 report to the foreign MTA the original came from
        if transfer.originator:
            self.store.deliver(transfer.originator, report)
            return
        sender = transfer.message.reverse_path
        if not sender:
            return  # never report on a report (null reverse path, RFC 5321 §4.5.5)
        entry = self.server.directory.by_smtp(sender)
        if isinstance(entry, Mailbox):
            self.store.deliver(entry.alias, report)
            return
        self.mta.return_report(report, sender)  # out through the MTA with MAIL FROM:<>


def _field_text(value: str) -> str:
    """Return a decoded ENVID/ORCPT for a delivery-status field: as is when printable, else as xtext.

    RFC 3464 §2.2.1/§2.3.1 carry the values decoded; a value with controls or non-ASCII octets
    (which a header cannot hold) is written in its xtext form instead (RFC 3461 §4).
    """
    if value.isascii() and value.isprintable():
        return value
    kind, semi, address = value.partition(";")
    return f"{kind};{xtext_encode(address)}" if semi and kind.isalnum() else xtext_encode(value)


def parse_report(data: bytes) -> EmailMessage:
    """Parse an NDR's MIME form (helper for clients and tests)."""
    return BytesParser(policy=policy.default).parsebytes(data)  # type: ignore[return-value]


@dataclass(frozen=True)
class DsnFields:
    """The RFC 3464 fields of an NDR: ``per_message`` and one mapping per failed recipient."""

    per_message: dict[str, str]
    recipients: list[dict[str, str]]

    def recipient(self, address: str) -> dict[str, str]:
        """Return the fields of the recipient whose Final-Recipient is ``address`` (case-insensitive)."""
        wanted = f"rfc822;{address.strip()}".lower()
        for fields in self.recipients:
            if fields.get("Final-Recipient", "").replace(" ", "").lower() == wanted:
                return fields
        raise KeyError(f"no delivery-status block for {address!r}")

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {"per_message": dict(self.per_message), "recipients": [dict(r) for r in self.recipients]}


def dsn_fields(report: "MapiMessage | bytes") -> DsnFields:
    """Return the message/delivery-status fields of a report (a MapiMessage or MIME bytes) as data.

    The report is an NDR the store made (its MIME form) or one that came from the Internet, such
    as a remote host's own DSN (its delivery-status attachment).

    ``dsn_fields(ndr).recipients[0]["Status"]`` is ``"5.1.1"`` for a remote ``550 5.1.1``; keys
    are the field names as written (``Final-Recipient``, ``Original-Recipient``, ``Action``,
    ``Status``, ``Remote-MTA``, ``Diagnostic-Code``; RFC 3464 §2.2, §2.3). Raise ValueError
    when the message has no delivery-status part.
    """
    data = report.mime if isinstance(report, MapiMessage) else report
    if data is None and isinstance(report, MapiMessage):
        # A report that came from the Internet: its status part is an attachment (Q262986).
        data = next((a.data for a in attachments_of(report) if a.content_type == "message/delivery-status"), None)
    if data is None:
        raise ValueError("the message has no Internet form and no delivery-status attachment (not a report)")
    parsed = parse_report(data)
    for part in parsed.walk():
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list) and blocks:
                fields = [{k: str(v) for k, v in block.items()} for block in blocks if isinstance(block, Message)]
                return DsnFields(per_message=fields[0], recipients=fields[1:])
    raise ValueError("the message has no message/delivery-status part (RFC 3464)")
