"""How the IMS builds the MTS-ID of inbound mail: from its administrator mailbox's X.400 address.

The IMS takes the global domain identifier (country ``c=``, ADMD ``a=``, PRMD ``p=``) from the
X.400 address of the IMS administrator mailbox (Q156710 for the 4.0 IMC, Q253619 for 5.5) and
adds a local string ``l=<SERVER>-<yyMMddhhmmss>Z-<n>`` (Q242961). The MTA refuses a message whose
MTS-ID has no global domain identifier (kb.sim.mta, event 3150).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.core.directory import Mailbox

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService

# Q253619: before Msexcimc.exe 5.5.2652.39 (post-SP3 IMS fixes of May 19, 2000, Q246889; in SP4)
# the IMS recognised "c=", "a=" and "p=" only in lower case, so an administrator address written
# "C=US; A=ADMD; P=PRMD; S=Administrator" gave an MTS-ID with the local string only.
IMS_READS_X400_FIELDS_IN_ANY_CASE = build("5.5.2652.39")
GLOBAL_DOMAIN_FIELDS = ("c", "a", "p")


def x400_fields(address: str, any_case: bool) -> dict[str, str]:
    """Return the ``key=value`` fields of an X.400 address the IMS recognises.

    ``any_case`` False models the pre-fix parser: only lower-case keys are recognised.
    """
    fields: dict[str, str] = {}
    for part in address.split(";"):
        key, sep, value = part.partition("=")
        if not sep:
            continue
        key = key.strip()
        if any_case:
            key = key.lower()
        if key in GLOBAL_DOMAIN_FIELDS and key not in fields:
            fields[key] = value.strip() or " "
    return fields


def inbound_mts_id(ims: "InternetMailService") -> str:
    """Return the MTS-ID the IMS gives an inbound message."""
    org = ims.org
    generic = org.new_mts_id()  # c=US;a= ;p=<org>;l=<SERVER>-<stamp>Z-<n>
    admin = org.directory.find(ims.config.administrator) if ims.config.administrator else None
    if not isinstance(admin, Mailbox) or not admin.x400:
        return generic
    local = generic.rpartition(";l=")[2]
    fields = x400_fields(admin.x400, ims.build >= IMS_READS_X400_FIELDS_IN_ANY_CASE)
    if all(k in fields for k in GLOBAL_DOMAIN_FIELDS):
        return f"c={fields['c']};a={fields['a']};p={fields['p']};l={local}"
    return f"l={local}"  # no global domain identifier, only the local string (Q253619)
