"""Q214682 — XCON: MTA Deferred Delivery Message Generates NDR.

From the article:
- Trigger: a message sent "with a deferred delivery time after the message timeout"; "The
  default message timeout period is seven days."
- Symptom: on the deferred delivery date (not at sending) the sender receives an NDR from the
  System Administrator: "The maximum time for delivering the message expired",
  ``MSEXCH:MSExchangeMTA:Site:Server``; the message is not delivered.
- Cause: "When the deferred delivery date arrives, the MTA checks the message timeout value, and
  displays the NDR for this message based on that date, instead of delivering the message."
- Affected: Exchange Server 5.5; first fixed in SP3 (Emsmta.exe 5.5.2534).

Modelled assumptions (not in the article):
- The recipient is a mailbox on the same server (the article's is an X.400 custom recipient;
  every MTA on the path evaluates the deferral, so a local recipient behind the same MTA shows the
  same decision). Deferral: ten days, past the seven-day default.
- A fixed MTA delivers the message at its deferred time.
- Control: a two-day deferral (inside the timeout) is delivered on time on every build.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kb.repro import Observation
from kb.sim import Organisation


def _flow(release: str, days: int, transcript: list[str], label: str) -> dict[str, Any]:
    org = Organisation(release, organisation="Contoso", site="Site", server="SERVER")
    org.add_mailbox("alice", "Alice Smith")
    org.add_mailbox("user1", "User One")
    sent = org.clock.now()
    when = sent + timedelta(days=days)
    org.client("alice").send("user1", subject="test 2 on Friday", body="See you then.",
                             props={"PR_DEFERRED_DELIVERY_TIME": when})
    transcript.append(f"[{label}] alice sends to user1 at {sent:%m/%d/%y %H:%M}, do not deliver before {when:%m/%d/%y %H:%M}")
    org.advance(days * 86400 - 60)
    early = len(org.client("user1").inbox()) + len(org.client("alice").ndrs())
    org.advance(120)
    delivered = [m.subject for m in org.client("user1").inbox()]
    ndrs = org.client("alice").ndrs()
    lines = [f"{row.display_name or row.address}: {row.supplementary}" for n in ndrs for row in n.recipients]
    ndr_times = [f"{n.delivery_time:%m/%d/%y %H:%M}" for n in ndrs if n.delivery_time]
    transcript.append(f"[{label}] before the deferred time: {early} item(s); at it: user1 received {delivered or 'nothing'}, "
                      f"alice received {len(ndrs)} NDR(s) {ndr_times}")
    for n in ndrs:
        transcript.extend(f"[{label}]   {line}" for line in (n.body or "").splitlines() if line.strip())
    return {"delivered": delivered, "ndrs": len(ndrs), "ndr_lines": lines, "ndr_times": ndr_times,
            "expired_text": any("maximum time for delivering the message expired" in (n.body or "") for n in ndrs),
            "before_deferred_time": early}


def run(release: str) -> Observation:
    """Reproduce Q214682 on ``release``."""
    org = Organisation(release)
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    late = _flow(release, 10, transcript, "deferred 10 days")
    control = _flow(release, 2, transcript, "control: deferred 2 days")
    symptom = late["ndrs"] > 0 and late["expired_text"] and not late["delivered"] and late["before_deferred_time"] == 0
    transcript.append(
        "symptom: on the deferred date the MTA returned the message as timed out instead of delivering it"
        if symptom else "no symptom: the deferred message was delivered at its time")
    return Observation(symptom=symptom, evidence={"deferred_past_timeout": late, "control_within_timeout": control},
                       transcript=transcript)
