"""The C17-C22 articles of ims-domain §3: where each documented deviation lives (component thresholds)."""

from __future__ import annotations

from typing import Callable

from kb.sim import ComponentBuilds, resolve
from kb.sim.ims.content import IMS_NAMES_ENVELOPE_RECIPIENT_IN_TNEF_NDR
from kb.sim.ims.loglevels import IMS_WRITES_NOTES_LITERALLY
from kb.sim.ims.p1codes import IMS_SETS_VALID_FOREIGN_REASON
from kb.sim.ims.smarthost import IMS_KEEPS_NULL_PATH_FOR_SMART_HOST
from kb.sim.store.quota import STORE_EXEMPTS_GATEWAY_REPORTS_FROM_QUOTA, STORE_NEVER_REPORTS_ON_REPORTS

# (article, conforming behaviour, its source, builds that deviate, why) - C17-C22 of ims-domain §3.
ARTICLES: list[tuple[str, str, str, Callable[[ComponentBuilds], bool], str]] = [
    ("Q258999", "a null reverse path is kept when forwarding to the smart host", "RFC 5321 §4.5.5; Q258999",
     lambda b: b.ims < IMS_KEEPS_NULL_PATH_FOR_SMART_HOST, "the IMS rebuilds it as <unknown>"),
    ("Q246881", "an NDR for a TNEF message names the envelope recipient", "RFC 3464 §2.3.2; Q246881",
     lambda b: b.ims < IMS_NAMES_ENVELOPE_RECIPIENT_IN_TNEF_NDR, "the P2 list row is named instead"),
    ("Q239816", "a '%s' subject is logged literally at Maximum", "Q239816 (fixed IMS)",
     lambda b: b.ims < IMS_WRITES_NOTES_LITERALLY, "the log writer takes the line for a format and crashes"),
    ("Q226202", "the IMS mailbox quota does not stop its reports", "Q226202 (fixed store)",
     lambda b: b.store < STORE_EXEMPTS_GATEWAY_REPORTS_FROM_QUOTA, "IS Private 2018 (0x4dd), no NDR"),
    ("Q230288", "an NDR to an X.400 originator carries a one-octet reason", "X.411 NonDeliveryReasonCode; Q230288",
     lambda b: b.ims < IMS_SETS_VALID_FOREIGN_REASON, "reason -1 leaves as three octets"),
    ("Q238498", "a report refused by a disabled mailbox is not reported on", "RFC 5321 §4.5.5; Q238498",
     lambda b: b.store < STORE_NEVER_REPORTS_ON_REPORTS, "the remote store NDRs it to <>: a loop"),
]


def affected(article: str, release: str) -> bool:
    """Return True when ``release`` runs a build with ``article``'s documented bug."""
    return next(b for a, _, _, b, _ in ARTICLES if a == article)(resolve(release))
