"""Q217195 — XFOR: Admin Notification Is Being Incorrectly Executed.

From the article:
- Symptom: "The Internet Mail Service sends notification to the Administrator mailbox for an
  Unknown recipient for which this option is not selected in the Internet Mail Service
  Notification window".
- Cause: the reason and diagnostic codes for "email address could not be found" are set to
  those of "destination host not found".
- Fixed in Exchange Server 5.5 SP3; the hotfix is Msexcimc.exe/Imcmsg.dll 5.5.2558.0
  (posted as Psp2imca.zip/Psp2imci.zip, a post-SP2 IMS hotfix).

Modelled assumptions (not in the article):
- The Notifications window has "destination host not found" selected and "email address could
  not be found" cleared (the codes of the first are what the wrong codes match).
- The unknown recipient is a mailbox the remote host refuses with ``550`` after RCPT TO; the
  notification is a copy of the NDR in the administrator's mailbox.
- Control: a message to a domain that does not exist (host unknown) is copied to the
  administrator on every build, as the selected option asks.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import ImsConfig, Organisation


def _count_admin_copies(org: Organisation) -> int:
    return len(org.client("admin").ndrs())


def run(release: str) -> Observation:
    """Reproduce Q217195 on ``release``."""
    org = Organisation(release, ims_config=ImsConfig(administrator="admin", notifications=["host"]))
    org.add_mailbox("admin", "IMS Administrator")
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mail.fabrikam.com", "192.0.2.25", recipients={"nobody@fabrikam.com": "550 5.1.1 User unknown"})
    org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
    client = org.client("alice")
    transcript = [
        f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}",
        "Notifications: send to administrator 'admin' for 'destination host not found' only",
    ]
    results: dict[str, Any] = {}
    for label, recipient in (("unknown address", "SMTP:nobody@fabrikam.com"), ("unknown host", "SMTP:joe@no-such-host.example")):
        before = _count_admin_copies(org)
        client.send(recipient, subject=f"test: {label}", body="Hello.")
        ndr = client.ndrs()[-1] if client.ndrs() else None
        copied = _count_admin_copies(org) - before
        row = ndr.recipients[0] if ndr else None
        results[label] = {
            "ndr_to_sender": ndr is not None,
            "diagnostic": row.supplementary if row else None,
            "ndr_reason_code": row.ndr_reason if row else None,
            "ndr_diag_code": row.ndr_diag if row else None,
            "admin_copies": copied,
        }
        transcript.append(
            f"sent to {recipient}: NDR to sender {'yes' if ndr else 'no'}"
            + (f" ({row.supplementary}; reason {row.ndr_reason}, diagnostic {row.ndr_diag})" if row else "")
            + f"; copies in the administrator's mailbox: {copied}"
        )
    symptom = results["unknown address"]["ndr_to_sender"] and results["unknown address"]["admin_copies"] > 0
    transcript.append(
        "symptom: the administrator was notified of an unknown recipient although that option is not selected"
        if symptom
        else "no symptom: only the selected failure kind was copied to the administrator"
    )
    return Observation(symptom=symptom, evidence=results, transcript=transcript)
