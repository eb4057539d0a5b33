"""Q240788 — XIMS: Outbound Limitation Works Improperly Post 5.5 SP2.

From the article:
- Trigger: a domain under "Specify by E-Mail Domain" has a "Maximum size"; the article's example
  is 2,000 KB, after which "only messages that are less than 2 KB can be sent out".
- Affected: Exchange Server 5.5 SP2 *after* one of the Internet Mail Service post-SP2 hotfixes
  "from 2607 to 2650" is applied ("This regression is introduced after SP2").
- Cause: the OutboundSizeLimit feature (Q231303) moved the size comparisons to bytes, but the
  per-domain maximum is still kept in kilobytes.
- Fixed: Exchange Server 5.5 SP3, Msexcimc.exe 5.5.2650.21.

Modelled assumptions (not in the article):
- Which build is affected is decided by Msexcimc.exe alone: [5.5.2607, 5.5.2650.21). Hotfix
  builds outside that range (5.5.2594.0, say) behave like SP2.
- The refused message gets the IMS size NDR ``3903 (000B099C) Message exceeds size limit``, as
  Q257264 shows for a per-domain size restriction.
- Controls: a 1 KB message passes on every build, and a message larger than 2,000 KB is refused
  on every build (the limit is still enforced where it works).
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import DomainRoute, ImsConfig, Organisation

LIMIT_KB = 2000  # the article's example
DOMAIN = "fabrikam.com"


def _organisation(release: str) -> Organisation:
    """Return an org whose IMS limits mail to fabrikam.com to 2,000 KB per message."""
    config = ImsConfig(domain_routes=[DomainRoute(DOMAIN, max_size_kb=LIMIT_KB)])
    org = Organisation(release, ims_config=config)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
    org.dns.add_zone(DOMAIN, mx=[(10, "mail.fabrikam.com")])
    return org


def _send(org: Organisation, subject: str, body_bytes: int, transcript: list[str]) -> dict[str, Any]:
    """Send one message of about ``body_bytes`` to bob@fabrikam.com; report what became of it."""
    client = org.client("alice")
    host = org.internet.host("mail.fabrikam.com")
    before_ndrs, before_received = len(client.ndrs()), len(host.received)
    client.send(f"SMTP:bob@{DOMAIN}", subject=subject, body="x" * body_bytes)
    ndrs = client.ndrs()[before_ndrs:]
    received = host.received[before_received:]
    diagnostics = [row.supplementary for ndr in ndrs for row in ndr.recipients]
    outcome = "delivered to mail.fabrikam.com" if received else "NDR: " + "; ".join(d or "" for d in diagnostics)
    size = len(received[0].data) if received else None
    transcript.append(f"sent {subject!r} ({body_bytes} bytes of text) to bob@{DOMAIN}: {outcome}")
    return {"delivered": bool(received), "wire_size": size, "ndr_diagnostics": diagnostics}


def run(release: str) -> Observation:
    """Reproduce Q240788 on ``release``."""
    org = _organisation(release)
    transcript = [
        f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}",
        f"per-domain route {DOMAIN}: Maximum size {LIMIT_KB} KB",
    ]
    small = _send(org, "1 KB note", 1000, transcript)
    three_kb = _send(org, "3 KB report", 3000, transcript)
    oversize = _send(org, "2.1 MB upload", (LIMIT_KB + 100) * 1024, transcript)
    refused_for_size = (not three_kb["delivered"]) and any(
        "3903 (000B099C) Message exceeds size limit" in (d or "") for d in three_kb["ndr_diagnostics"]
    )
    symptom = refused_for_size and small["delivered"]
    transcript.append(
        "symptom: a 3 KB message is refused by a 2,000 KB per-domain limit (the limit acts as 2,000 bytes)"
        if symptom
        else "no symptom: the per-domain limit is applied in kilobytes"
    )
    return Observation(
        symptom=symptom,
        evidence={
            "limit_kb": LIMIT_KB,
            "one_kb": small,
            "three_kb": three_kb,
            "over_limit": oversize,
            "builds": org.builds.to_json(),
        },
        transcript=transcript,
    )
