"""Q192939 — XFOR: Event 4123; Message Not Delivered.

From the article:
- Trigger: "Disable Auto Replies to the Internet" is selected on the IMS, and a message sent
  from Exchange through the IMS "contains the property PR_AUTO_FORWARDED but the value is set to
  False or 0" (a third-party gateway such as WorldTalk can add the property; a user replies).
- Symptom: MSExchangeIMC event 4123 "A message passing through the Internet Mail Service has
  been intentionally dropped ..." and the message is dropped: the IMS "acts on the message based
  on the property's existence and not its value".
- Fixed in Exchange Server 5.5 SP2 (Msexcimc.exe 5.5.2387.0).

Modelled assumptions (not in the article):
- The outgoing reply carries PR_AUTO_FORWARDED = FALSE; the repro sets it on the message the
  way a MAPI program would, since third-party gateways are not simulated.
- Controls: a message without the property is delivered on every build, and a genuine automatic
  reply (message class IPM.Note.Rules.ReplyTemplate.Microsoft) is dropped on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import ImsConfig, Organisation


def run(release: str) -> Observation:
    """Reproduce Q192939 on ``release``."""
    org = Organisation(release, ims_config=ImsConfig(disable_auto_replies=True))
    org.add_mailbox("alice", "Alice Smith")
    host = org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
    org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
    client = org.client("alice")
    transcript = [
        f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}",
        "IMS option 'Disable Auto Replies to the Internet': on",
    ]
    cases = (
        ("reply carrying PR_AUTO_FORWARDED = FALSE", {"PR_AUTO_FORWARDED": False}, "IPM.Note"),
        ("ordinary reply", {}, "IPM.Note"),
        ("automatic reply (rule)", {}, "IPM.Note.Rules.ReplyTemplate.Microsoft"),
    )
    results: dict[str, Any] = {}
    for label, props, message_class in cases:
        events_before = len(org.eventlog.entries(source="MSExchangeIMC", event_id=4123))
        subject = f"RE: order 1234 ({label})"
        client.send("SMTP:buyer@fabrikam.com", subject=subject, body="Confirmed.", props=props, message_class=message_class)
        delivered = any(b"Subject: " + subject.encode() in d.data for d in host.received)
        dropped_4123 = len(org.eventlog.entries(source="MSExchangeIMC", event_id=4123)) - events_before
        ndrs = len([n for n in client.ndrs() if n.subject.endswith(subject)])
        results[label] = {"delivered": delivered, "events_4123": dropped_4123, "ndrs": ndrs}
        transcript.append(f"{label}: {'delivered' if delivered else 'not delivered'}; event 4123 logged {dropped_4123}x; NDRs {ndrs}")
    flagged = results["reply carrying PR_AUTO_FORWARDED = FALSE"]
    symptom = not flagged["delivered"] and flagged["events_4123"] > 0
    transcript.append(
        "symptom: the reply was dropped with event 4123 although PR_AUTO_FORWARDED is FALSE"
        if symptom
        else "no symptom: the reply was delivered"
    )
    return Observation(symptom=symptom, evidence=results, transcript=transcript)
