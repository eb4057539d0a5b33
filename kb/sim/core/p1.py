"""The MTA transfer interface: P1 envelopes, the form in which messages move between the MTA and
its gateways (the IMS takes them from MTS-OUT, Q234065; reports go back the same way), and the
per-recipient report fields a gateway or the MTA hands the store when it asks for an NDR.

Gateways (kb.sim.ims) and the store's report generation depend on this module only, not on the
MTA that routes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.sim.core.message import MapiMessage


@dataclass
class P1Recipient:
    """An envelope (P1) recipient: which row it came from and the address the gateway gets."""

    row_id: int
    address: str
    addrtype: str = "SMTP"
    via: str | None = None  # alias of the DL or custom recipient it was expanded from
    entry: str | None = None  # alias of the directory object it stands for (a list member), if any


@dataclass
class Transfer:
    """A message in transit to a gateway: the store message plus its P1 recipients."""

    message: MapiMessage
    recipients: list[P1Recipient] = field(default_factory=list)
    originator: str = ""  # alias of the local sender, "" for mail that came from the Internet

    @property
    def mts_id(self) -> str:
        """Return the MTS-ID of the message."""
        return self.message.mts_id


@dataclass
class ReportedFailure:
    """One failed recipient as a gateway (or the MTA, or the store) reports it to the store's report generation."""

    row_id: int
    address: str  # the address as the gateway saw it
    reason: int  # X.400 reason code (0 transfer failure, 1 unable to transfer, ...)
    diag: int  # X.400 diagnostic code (Q174175)
    diagnostic_line: str  # e.g. "MSEXCH:IMS:Org:Site:SERVER 3902 (000B099C) Host Unknown"
    reason_text: str  # what the client shows under the recipient
    status: str = "5.0.0"  # RFC 3464 Status of the delivery-status part
    remote_reply: str = ""  # the remote host's reply line (Diagnostic-Code: smtp; ...)
    remote_mta: str = ""  # the host that gave it (Remote-MTA: dns; ...)
    expanded_from: str | None = None  # alias of the distribution list the recipient came from
    member: str | None = None  # alias of the list member (directory object) that failed
