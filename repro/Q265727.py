"""Q265727 — XFOR: Internet Mail Service Stops while Obtaining Next Host.

From the article:
- Symptom: "While the Internet Mail Service tries to retrieve the next host address to deliver a
  message, the Internet Mail Service may generate a Dr. Watson error message. This behavior is
  most likely to occur after several unsuccessful attempts to deliver a message."
- Cause: "under very specific circumstances, the Internet Mail Service continues to search for
  IP addresses to use to deliver the message, even though there are no more IP addresses to try
  for a given domain."
- Affected: Exchange Server 5.5; first fixed in SP4 (post-SP3 IMS fix list Q246889: Msexcimc.exe
  5.5.2652.78, July 28, 2000).

Modelled assumptions (not in the article):
- The "very specific circumstances": the destination domain lost an address between two
  attempts. The first attempt to example.net finds two MX hosts, both answer 421, so the message
  is rescheduled; meanwhile the secondary MX record is withdrawn, and at the retry the pre-fix
  delivery batch walks as many addresses as the first attempt found, past the end of the list.
- The crash is observed as the service state (MSExchangeIMC stopped) and the event log: a
  Dr. Watson application-error record and Service Control Manager 7031 ("terminated
  unexpectedly"); the faulting function named in the record is an inference.
- A fixed IMS ends the walk at the last address and reschedules again; the mail is delivered
  once the remaining host accepts.
- Control: the same failures with the DNS unchanged never stop the service.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation


def _flow(release: str, withdraw_mx: bool, transcript: list[str], label: str) -> dict[str, Any]:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    primary = org.add_remote_host("mx1.example.net", "192.0.2.31", behaviour="tempfail")
    org.add_remote_host("mx2.example.net", "192.0.2.32", behaviour="tempfail")
    org.dns.add_zone("example.net", mx=[(10, "mx1.example.net"), (20, "mx2.example.net")])
    org.client("alice").send("SMTP:bob@example.net", subject="Quarterly figures", body="Attached.")
    [entry] = org.ims.queues()["outbound_awaiting_delivery"]
    transcript.append(f"[{label}] attempt 1: {entry['last_error']}; next try {entry['next_try']}")
    if withdraw_mx:
        org.dns.add_zone("example.net", mx=[(10, "mx1.example.net")])
        transcript.append(f"[{label}] DNS: the MX record for mx2.example.net is withdrawn")
    org.advance(16 * 60)
    state_after_retry = org.ims.state
    primary.behaviour = "accept"
    org.advance(4 * 3600)
    events = [(e.source, e.event_id, e.description) for e in org.eventlog.entries()]
    for source, event_id, text in events:
        transcript.append(f"[{label}]   {source} {event_id}: {text}")
    received = [d.rcpt_to for d in org.internet.host("mx1.example.net").received]
    transcript.append(f"[{label}] MSExchangeIMC after the retry: {state_after_retry}; "
                      f"mx1.example.net received: {len(received)} message(s)")
    return {"service_after_retry": state_after_retry, "service_at_end": org.ims.state,
            "events": [(s, i) for s, i, _ in events], "delivered": len(received)}


def run(release: str) -> Observation:
    """Reproduce Q265727 on ``release``."""
    org = Organisation(release)
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    shrunk = _flow(release, True, transcript, "MX withdrawn between attempts")
    control = _flow(release, False, transcript, "control: DNS unchanged")
    symptom = (shrunk["service_after_retry"] == "stopped"
               and ("Service Control Manager", 7031) in shrunk["events"]
               and ("DrWatson", 4097) in shrunk["events"])
    transcript.append(
        "symptom: the IMS stopped with a Dr. Watson record while looking for the next host"
        if symptom else "no symptom: the IMS kept running and rescheduled the message")
    return Observation(symptom=symptom, evidence={"mx_withdrawn": shrunk, "control_dns_unchanged": control},
                       transcript=transcript)
