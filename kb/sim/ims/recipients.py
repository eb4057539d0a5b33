"""How the inbound IMS reads an RCPT TO address: relay target, encapsulation, local resolution.

An inbound recipient at a local domain is either a directory object (a proxy address), the
postmaster, or an *encapsulated* one-off that the IMS reroutes: ``IMCEASMTP-user+40host+2Ecom``
stands for ``SMTP:user@host.com`` ("@" as +40, "." as +2E, Q189492). Rerouting such an address
sends the mail back out to the Internet, so it is relaying and the relay gate must judge the
decapsulated target, not the local envelope domain (Q237927, Q264330).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.sim.core.builds import build
from kb.sim.core.directory import Entry
from kb.sim.store.imail import decode_encapsulated

if TYPE_CHECKING:
    from kb.sim.ims import InternetMailService

ENCAPSULATION_PREFIX = "IMCEA"
POSTMASTER = "postmaster"

# Q237927 (fix: Msexcimc.exe 5.5.2650.1, in SP3): before this build the "Do not reroute incoming
# SMTP mail" gate and the routing restrictions looked only at the envelope domain, so an
# IMCEASMTP-... address at a local domain passed them and was then decapsulated and rerouted.
# From 5.5.2650.1 the gate recognises the canonical IMCEASMTP- local part and judges its target.
IMS_GATES_CANONICAL_ENCAPSULATION = build("5.5.2650.1")
# Q264330 (fix: Msexcimc.exe 5.5.2652.78, post-SP3 IMS fixes of July 28, 2000, Q246889; in SP4):
# the 5.5.2650.1 gate still missed the loose form "IMCEA user@domain2.com"@localdomain1.com, which
# the decapsulator accepts, so such mail was relayed despite the routing restrictions. From
# 5.5.2652.78 the gate judges whatever the decapsulator would reroute to.
IMS_GATES_ANY_ENCAPSULATION = build("5.5.2652.78")
# Q245041 (fix: Msexcimc.exe 5.5.2651.58, post-SP3 IMS fixes of December 14, 1999, Q246889; in
# SP4): before this build the IMS matched the postmaster alias as a prefix ("p", "po", "pos" ...
# all meant postmaster when no directory object owned the address); from 5.5.2651.58 only the
# whole word does.
IMS_POSTMASTER_EXACT = build("5.5.2651.58")


def split(address: str) -> tuple[str, str]:
    """Split ``local@domain`` at the last "@", dropping the quotes of a quoted local part."""
    local, at, domain = address.strip().strip("<>").rpartition("@")
    if not at:
        return address.strip(), ""
    if len(local) >= 2 and local[0] == local[-1] == '"':
        local = local[1:-1].replace('\\"', '"')
    return local, domain.strip()


def decapsulate(local: str) -> str | None:
    """Return the SMTP address an encapsulated local part stands for, or None.

    The decapsulator takes ``IMCEA``, an address type up to "-" or a blank (empty means SMTP),
    then the address with its ``+xx`` escapes decoded; a raw "@" passes through, which is how
    ``"IMCEA user@domain2.com"`` (Q264330) decodes to ``user@domain2.com``. (Modelled tolerance:
    the article shows that form being rerouted; the tokenising rule is an inference.) Only SMTP
    targets are rerouted by the IMS; other types (IMCEAEX-...) are the store's business.
    """
    if not local[: len(ENCAPSULATION_PREFIX)].upper() == ENCAPSULATION_PREFIX:
        return None
    rest = local[len(ENCAPSULATION_PREFIX):]
    cut = min((i for i in (rest.find("-"), rest.find(" ")) if i >= 0), default=-1)
    if cut < 0:
        return None
    addrtype, encoded = rest[:cut].strip().upper() or "SMTP", rest[cut + 1:].strip()
    if addrtype != "SMTP":
        return None
    try:
        target = decode_encapsulated(encoded)
    except ValueError:
        return None
    return target if "@" in target.strip("@") else None


def is_canonical_smtp_encapsulation(local: str) -> bool:
    """Return True for the canonical ``IMCEASMTP-...`` form (what the 5.5.2650.1 gate looks for)."""
    return local.upper().startswith(ENCAPSULATION_PREFIX + "SMTP-")


def reroute_target(ims: "InternetMailService", address: str) -> str | None:
    """Return where the IMS reroutes an inbound ``address`` at a local domain, or None (every build)."""
    local, domain = split(address)
    if not ims.is_local_domain(domain):
        return None
    return decapsulate(local)


def relay_target(ims: "InternetMailService", address: str) -> str:
    """Return the address the relay gate judges for RCPT TO ``address``, as ``ims.build`` does."""
    local, domain = split(address)
    if not ims.is_local_domain(domain):
        return address
    target = decapsulate(local)
    if target is None:
        return address
    if ims.build >= IMS_GATES_ANY_ENCAPSULATION:
        return target
    if ims.build >= IMS_GATES_CANONICAL_ENCAPSULATION and is_canonical_smtp_encapsulation(local):
        return target
    return address  # the gate sees only the local envelope domain


def is_postmaster(ims: "InternetMailService", local: str) -> bool:
    """Return True when the IMS takes ``local`` for the postmaster alias, as ``ims.build`` does."""
    wanted = local.strip().lower()
    if not wanted:
        return False
    if ims.build >= IMS_POSTMASTER_EXACT:
        return wanted == POSTMASTER
    return POSTMASTER.startswith(wanted)


def resolve_local(ims: "InternetMailService", address: str) -> Entry | None:
    """Return the directory object that receives inbound mail for a local ``address``, or None.

    A proxy address wins (a real user "p@domain" gets mail for "p", Q245041). Otherwise, when
    the IMS takes the local part for the postmaster, the mail goes to the designated postmaster
    account: the owner of ``postmaster@<domain>``, else the IMS administrator's mailbox (the
    Internet Mail tab setting; modelled assumption for where "postmaster" lands).
    """
    directory = ims.org.directory
    entry = directory.by_smtp(address.strip())
    if entry is not None:
        return entry
    local, domain = split(address)
    if not is_postmaster(ims, local):
        return None
    entry = directory.by_smtp(f"{POSTMASTER}@{domain}")
    if entry is None and ims.config.administrator:
        entry = directory.find(ims.config.administrator)
    return entry
