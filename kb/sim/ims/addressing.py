"""How the IMS parses the address of a recipient it has to deliver (the P1 recipient)."""

from __future__ import annotations

from dataclasses import dataclass

from kb.sim.core.builds import Build, build
from kb.sim.core.p1 import P1Recipient

# Q228998: before Msexcimc.exe 5.5.2594.0 (in SP3) the IMS kept the recipient domain exactly as
# typed, so "partner.com " (trailing space) did not equal the per-domain routing entry
# "partner.com" and the mail took the default route. From 5.5.2594.0 the IMS trims the domain
# before comparing it; the trimmed address is also the one it reports failures with.
IMS_TRIMS_RECIPIENT_DOMAIN = build("5.5.2594.0")


@dataclass
class ImsRecipient:
    """A recipient as the IMS works with it: the P1 entry plus the address it uses."""

    p1: P1Recipient
    local: str
    domain: str

    @property
    def address(self) -> str:
        """Return ``local@domain`` as the IMS uses it (RCPT TO and failure reports)."""
        return f"{self.local}@{self.domain}"


def parse_recipient(p1: P1Recipient, ims_build: Build) -> ImsRecipient:
    """Split a P1 address into local part and domain the way ``ims_build`` does."""
    local, _, domain = p1.address.rpartition("@")
    if not _:
        local, domain = p1.address, ""
    if ims_build >= IMS_TRIMS_RECIPIENT_DOMAIN:
        local, domain = local.strip(), domain.strip()
    return ImsRecipient(p1=p1, local=local, domain=domain)
