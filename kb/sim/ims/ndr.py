"""IMS side of non-delivery: classify a failure, ask the store for the NDR, handle its failure.

The IMS creates NDRs through MAPI against the store; when that MAPI work fails the IMS logs 4120
and aborts the notification (Q272672), and the message is moved to the archive (ims-domain §2.9).
That path is the same in every build; which inputs make the store fail is the store's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.core.directory import Mailbox
from kb.sim.core.eventlog import hresult_data
from kb.sim.core.mapi import MapiError
from kb.sim.core.dsn import recipient_request
from kb.sim.ims.p1codes import reason_for
from kb.sim.core.message import MapiMessage
from kb.sim.core.p1 import ReportedFailure, Transfer
from kb.sim.ims.failures import (EXPIRED, HOST_UNKNOWN, NOTIFY_KINDS, SIZE_LIMIT, UNKNOWN_RECIPIENT, Failure,  # noqa: F401
                                 FailureKind, enhanced_status, remote_failure)
from kb.sim.ims import SOURCE

if TYPE_CHECKING:
    from kb.sim.ims.context import Ims
    from kb.sim.ims.addressing import ImsRecipient



# Q217195: before Msexcimc.exe 5.5.2558.0 (post-SP2 hotfix, in SP3) the IMS set the reason and
# diagnostic codes of an "e-mail address could not be found" failure to those of "destination
# host not found", so the administrator got notifications the Notifications settings excluded.
IMS_DISTINCT_ADDRESS_FAILURE_CODES = build("5.5.2558.0")


class NdrGenerator:
    """``ims.ndr``: turns failures into an NDR via the store, or into event 4120 + archive."""

    def __init__(self, ims: "Ims") -> None:
        self.ims = ims
        self.generated = 0
        self.aborted = 0

    def diagnostic_line(self, kind: FailureKind) -> str:
        """Return ``MSEXCH:IMS:<org>:<site>:<server> <code> (<hex>) <text>``."""
        server = self.ims.server
        return f"MSEXCH:IMS:{server.organisation}:{server.site}:{server.name} {kind.code} ({kind.hex}) {kind.text}"

    def report(self, transfer: "Transfer", spool_name: str, failures: list[Failure], spool_dir: str = "OUT") -> MapiMessage | None:
        """Report ``failures`` on ``transfer``; return the NDR, or None when none was sent."""
        server = self.ims.server
        if "dsn" in transfer.message.props:
            # NOTIFY without FAILURE (NEVER, SUCCESS or DELAY alone): no NDR for that recipient (RFC 3461 §4.1).
            failures = [f for f in failures
                        if recipient_request(transfer.message.props, f.recipient.p1.row_id).wants_failure]
        if not failures:
            return None
        if transfer.message.props.get("null_reverse_path"):
            # A report that cannot be delivered is not reported on (4132, Q185108).
            self._archive(spool_dir, spool_name, "event 4132")
            server.eventlog.log(SOURCE, 4132, data=hresult_data(0, spool_name), file=spool_name)
            return None
        reported = [
            ReportedFailure(
                row_id=f.recipient.p1.row_id,
                address=f.recipient.address,
                reason=reason_for(self.ims, transfer, self.codes(f.kind)[0]),  # Q230288
                diag=self.codes(f.kind)[1],
                diagnostic_line=self.diagnostic_line(f.kind),
                reason_text=f.kind.client_text,
                status=f.kind.status,
                remote_reply=f.remote_reply,
                remote_mta=f.remote_mta,
                expanded_from=f.recipient.p1.via,
                member=f.recipient.p1.entry,
            )
            for f in failures
        ]
        try:
            self.ims.store.check_gateway_report()  # generated in the gateway's mailbox (Q226202)
            ndr = self.ims.reports.create_ndr(transfer.message, reported)
        except MapiError as error:
            self.aborted += 1
            server.eventlog.log(SOURCE, 4120, data=hresult_data(error.hresult, spool_name))
            self._archive(spool_dir, spool_name, "event 4120")
            return None
        self.generated += 1
        self.ims.reports.deliver_report(ndr, transfer)
        self.notify_administrator(ndr, [self.codes(f.kind) for f in failures])
        return ndr

    def codes(self, kind: FailureKind) -> tuple[int, int]:
        """Return the (reason, diagnostic) codes this build sets for a failure of ``kind``."""
        if kind.notify == "address" and self.ims.build < IMS_DISTINCT_ADDRESS_FAILURE_CODES:
            return HOST_UNKNOWN.reason, HOST_UNKNOWN.diag
        return kind.reason, kind.diag

    def notify_administrator(self, ndr: MapiMessage, codes: list[tuple[int, int]]) -> None:
        """Copy ``ndr`` to the IMS administrator when a failure's codes match a chosen option.

        The Notifications options are recognised by their (reason, diagnostic) codes (Q217195).
        """
        config, server = self.ims.config, self.ims.server
        admin = server.directory.find(config.administrator) if config.administrator else None
        if not isinstance(admin, Mailbox):
            return
        option_codes = {
            "host": (HOST_UNKNOWN.reason, HOST_UNKNOWN.diag),
            "address": (UNKNOWN_RECIPIENT.reason, UNKNOWN_RECIPIENT.diag),
            "timeout": (EXPIRED.reason, EXPIRED.diag),
        }
        chosen = {option_codes[k] for k in NOTIFY_KINDS if k in option_codes and config.notifies(k)}
        for pair in codes:
            if pair in chosen or (config.notifies("other") and pair not in option_codes.values()):
                self.ims.store.deliver(admin.alias, ndr)
                return

    def _archive(self, spool_dir: str, name: str, note: str) -> None:
        """Move (or, while other queue entries still need it, copy) the spool file to the archive."""
        ims = self.ims
        now = ims.server.clock.now()
        target = f"{spool_dir}\\ARCHIVE"
        if not ims.spool.exists(spool_dir, name):
            return
        if ims.outbound.pending_for(name):
            ims.spool.copy(spool_dir, name, target, now, note)
        else:
            ims.spool.move(spool_dir, name, target, now, note)
