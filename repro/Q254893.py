"""Q254893 — XFOR: Internet Mail Service Does Not Generate the NDR.

A user sends to a one-off SMTP address whose domain does not exist and ends in a blank
(``SMTP:joeuser@invaliddomain.com ``), receives the host-unknown NDR and clicks Send Again.
The article's symptom: no second NDR, MSExchangeIMC event 4120 (Error, Internal Processing),
and the message moved to the archive. The same flow without the blank is the negative control.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation

WITH_SPACE = "SMTP:joeuser@invaliddomain.com "
WITHOUT_SPACE = "SMTP:joeuser@invaliddomain.com"


def _flow(release: str, recipient: str, transcript: list[str], label: str) -> dict[str, Any]:
    """Send, read the NDR, click Send Again; return what the user and the administrator see."""
    org = Organisation(release)  # invaliddomain.com has no zone: the resolver answers NXDOMAIN
    org.add_mailbox("joeuser", "Joe User")
    client = org.client("joeuser")
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}")
    client.send(recipient, subject="Status report", body="Please see the figures below.")
    first = client.ndrs()
    transcript.append(f"[{label}] sent to {recipient!r}; NDRs in Inbox: {len(first)}")
    for ndr in first:
        transcript.append(f"[{label}]   NDR: {ndr.subject!r}: {ndr.recipients[0].supplementary}")
    if not first:
        return {"ndrs_after_send": 0, "ndrs_after_send_again": 0, "events": [], "archive": [], "out_spool": []}
    opened = client.open(first[0])
    client.send_again(opened)
    after = client.ndrs()
    transcript.append(f"[{label}] clicked Send Again; NDRs in Inbox: {len(after)}")
    events = org.eventlog.entries(source="MSExchangeIMC")
    for event in events:
        transcript.append(f"[{label}]   event {event.event_id} ({event.type}, {event.category}): {event.description}")
    archive = org.ims.spool.list("OUT\\ARCHIVE")
    for spool_file in archive:
        transcript.append(f"[{label}]   IMCDATA\\OUT\\ARCHIVE\\{spool_file.name} ({spool_file.note})")
    return {
        "ndrs_after_send": len(first),
        "ndrs_after_send_again": len(after),
        "ndr_diagnostics": [n.recipients[0].supplementary for n in after],
        "events": [
            {"source": e.source, "event_id": e.event_id, "type": e.type, "category": e.category, "data": e.data.hex(" ")}
            for e in events
        ],
        "archive": [f.name for f in archive],
        "out_spool": [f.name for f in org.ims.spool.list("OUT")],
    }


def run(release: str) -> Observation:
    """Reproduce Q254893 on ``release``."""
    transcript: list[str] = []
    trailing = _flow(release, WITH_SPACE, transcript, "trailing space")
    control = _flow(release, WITHOUT_SPACE, transcript, "control")
    logged_4120 = any(e["event_id"] == 4120 and e["category"] == "Internal Processing" for e in trailing["events"])
    symptom = (
        trailing["ndrs_after_send"] == 1
        and trailing["ndrs_after_send_again"] == 1
        and logged_4120
        and bool(trailing["archive"])
    )
    transcript.append(
        "symptom: no second NDR, event 4120 and the message archived" if symptom else "no symptom: Send Again produced a second NDR"
    )
    return Observation(
        symptom=symptom,
        evidence={"trailing_space": trailing, "control_without_trailing_space": control},
        transcript=transcript,
    )
