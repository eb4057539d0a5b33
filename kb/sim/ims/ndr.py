"""IMS side of non-delivery: classify a failure, ask the store for the NDR, handle its failure.

The IMS creates NDRs through MAPI against the store; when that MAPI work fails the IMS logs 4120
and aborts the notification (Q272672), and the message is moved to the archive (ims-domain §2.9).
That path is the same in every build; which inputs make the store fail is the store's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.core.directory import Mailbox
from kb.sim.core.eventlog import hresult_data
from kb.sim.core.mapi import MapiError
from kb.sim.ims.p1codes import reason_for
from kb.sim.core.message import MapiMessage
from kb.sim.store.report import ReportedFailure

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService
    from kb.sim.ims.addressing import ImsRecipient
    from kb.sim.core.p1 import Transfer

SOURCE = "MSExchangeIMC"


@dataclass(frozen=True)
class FailureKind:
    """How one kind of IMS-detected failure is reported (ims-domain §2.5.3, §2.5.4)."""

    code: int
    hex: str
    text: str
    reason: int  # X.400 reason code (Q174175)
    diag: int  # X.400 diagnostic code (Q174175)
    client_text: str
    status: str  # RFC 3464 status
    # Which Notifications option of the IMS covers it: "host" (destination host not found),
    # "address" (e-mail address could not be found), "timeout" (message timed out) or "other".
    notify: str = "other"


# Codes and texts from the corpus (§2.5.3); the X.400 reason/diagnostic pairs are inference
# (transfer failure for host problems, unable-to-transfer + unrecognised O/R name for addressing).
HOST_UNKNOWN = FailureKind(3902, "000B099C", "Host Unknown", 0, 255,
                           "Unable to deliver the message due to a communications failure", "5.4.4", "host")  # Q242961
SIZE_LIMIT = FailureKind(3903, "000B099C", "Message exceeds size limit", 1, 7,
                         "The content length of the message is too long for the recipient to take delivery", "5.3.4")  # Q257264, Q266092
UNKNOWN_RECIPIENT = FailureKind(0, "000C05A6", "Unknown Recipient", 1, 0,
                                "The recipient name is not recognized", "5.1.1", "address")  # Q246881
# (inference) no corpus text for the time-out NDR; diagnostic 5 is maximum-time-expired (Q174175).
EXPIRED = FailureKind(0, "000B099C", "Maximum time for delivery expired", 1, 5,
                      "Unable to deliver the message due to a communications failure", "4.4.7", "timeout")
NOTIFY_KINDS = ("host", "address", "timeout", "other")
# Q217195: before Msexcimc.exe 5.5.2558.0 (post-SP2 hotfix, in SP3) the IMS set the reason and
# diagnostic codes of an "e-mail address could not be found" failure to those of "destination
# host not found", so the administrator got notifications the Notifications settings excluded.
IMS_DISTINCT_ADDRESS_FAILURE_CODES = build("5.5.2558.0")


_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)")


def enhanced_status(reply: str) -> str:
    """Return the RFC 3464 Status for a reply line: its enhanced code, else ``<class>.0.0``.

    RFC 3463 §2: a reply may carry ``class.subject.detail`` after the reply code (``550 5.1.1
    User unknown``); a DSN reports that code. Without one (or with one whose class disagrees
    with the reply code) only the class is known: ``X.0.0``, "other undefined status".
    """
    code, _, text = reply.strip().partition(" ")
    first = code[:1] if code[:1] in "245" and code.isdigit() else "5"
    match = _ENHANCED.match(text.strip())
    if match and match.group(1) == first:
        return ".".join(match.groups())
    return f"{first}.0.0"


def remote_failure(reply: str) -> FailureKind:
    """Return the kind for a remote 5xx reply: code 3000 + reply (553 -> 3553; §2.5.3, inference)."""
    number = int(reply[:3]) if reply[:3].isdigit() else 500
    # (inference) 550/551/553 say the mailbox is unknown or the address is bad: "address".
    notify = "address" if number in (550, 551, 553) else "other"
    return FailureKind(3000 + number, "000B0981" if number == 502 else "000C05A6", reply, 1, 0,
                       "The recipient name is not recognized", enhanced_status(reply), notify)


@dataclass
class Failure:
    """One recipient the IMS gave up on, and why."""

    recipient: "ImsRecipient"
    kind: FailureKind
    remote_reply: str = ""
    remote_mta: str = ""  # the host whose reply this is (RFC 3464 Remote-MTA)


class NdrGenerator:
    """``ims.ndr``: turns failures into an NDR via the store, or into event 4120 + archive."""

    def __init__(self, ims: "InternetMailService") -> None:
        self.ims = ims
        self.generated = 0
        self.aborted = 0

    def diagnostic_line(self, kind: FailureKind) -> str:
        """Return ``MSEXCH:IMS:<org>:<site>:<server> <code> (<hex>) <text>``."""
        org = self.ims.org
        return f"MSEXCH:IMS:{org.organisation}:{org.site}:{org.server} {kind.code} ({kind.hex}) {kind.text}"

    def report(self, transfer: "Transfer", spool_name: str, failures: list[Failure], spool_dir: str = "OUT") -> MapiMessage | None:
        """Report ``failures`` on ``transfer``; return the NDR, or None when none was sent."""
        org = self.ims.org
        if not failures:
            return None
        if transfer.message.props.get("null_reverse_path"):
            # A report that cannot be delivered is not reported on (4132, Q185108).
            self._archive(spool_dir, spool_name, "event 4132")
            org.eventlog.log(SOURCE, 4132, data=hresult_data(0, spool_name), file=spool_name)
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
            org.store.quotas.check_gateway_report()  # generated in the gateway's mailbox (Q226202)
            ndr = org.reports.create_ndr(transfer.message, reported)
        except MapiError as error:
            self.aborted += 1
            org.eventlog.log(SOURCE, 4120, data=hresult_data(error.hresult, spool_name))
            self._archive(spool_dir, spool_name, "event 4120")
            return None
        self.generated += 1
        org.reports.deliver_report(ndr, transfer)
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
        config, org = self.ims.config, self.ims.org
        admin = org.directory.find(config.administrator) if config.administrator else None
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
                org.store.deliver(admin.alias, ndr)
                return

    def _archive(self, spool_dir: str, name: str, note: str) -> None:
        """Move (or, while other queue entries still need it, copy) the spool file to the archive."""
        ims = self.ims
        now = ims.org.clock.now()
        target = f"{spool_dir}\\ARCHIVE"
        if not ims.spool.exists(spool_dir, name):
            return
        if ims.outbound.pending_for(name):
            ims.spool.copy(spool_dir, name, target, now, note)
        else:
            ims.spool.move(spool_dir, name, target, now, note)
