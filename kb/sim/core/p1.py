"""The MTA transfer interface: P1 envelopes, the form in which messages move between the MTA and
its gateways (the IMS takes them from MTS-OUT, Q234065; reports go back the same way).

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
