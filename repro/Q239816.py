"""Q239816 — XIMS: Internet Mail Service Crashes with a Particular Message.

From the article: SMTP protocol logging is set to Maximum; a message goes to a domain whose mail
servers are currently unavailable; its subject contains "%s". The IMS crashes when it writes
"499 No routing hosts are reachable for test.com. Message subject: ""RE:33%s5%s99"".
Rescheduling delivery for later." into the SMTP log, because it takes "%s" in the line for a
format specification. Affected: 5.5, SP1, SP2 (applies-to); first corrected in SP4 (the post-SP3
IMS fixes of Dec 14, 1999, Msexcimc.exe 5.5.2651.58, Q246889).

Modelled assumptions: "currently unavailable" is a mail host that answers 421 (service not
available), so the IMS reschedules; the crash is seen as the MSExchangeIMC service stopped with a
Dr. Watson record and Service Control Manager 7031 in the event log, and the 499 line missing from
the LOG file. The negative controls send the same subject with logging at Medium (the workaround
direction: the subject is not written below Maximum) and a subject without "%s" at Maximum.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import ImsConfig, Organisation

DOMAIN = "test.com"
HOST = "mx.test.com"


def _flow(release: str, subject: str, level: str, transcript: list[str], label: str) -> dict[str, Any]:
    """Send one message with ``subject`` to an unavailable domain, logging at ``level``."""
    org = Organisation(release, ims_config=ImsConfig(logging={"smtp_protocol_log": level}))
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(HOST, "192.0.2.31", behaviour="tempfail")  # 421: currently unavailable
    org.dns.add_zone(DOMAIN, mx=[(10, HOST)])
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}; SMTP Protocol Log {level}; "
                      f"subject {subject!r}")
    org.client("alice").send(f"SMTP:user@{DOMAIN}", subject=subject, body="Minutes attached.")
    log_lines = [line for f in org.ims.spool.list("LOG") for line in f.data.decode("utf-8").splitlines()]
    transcript += [f"[{label}]   LOG: {line}" for line in log_lines]
    events = [(e.source, e.event_id) for e in org.eventlog.entries()]
    for entry in org.eventlog.entries():
        transcript.append(f"[{label}]   event {entry.source} {entry.event_id}: {entry.description}")
    transcript.append(f"[{label}]   MSExchangeIMC service: {org.ims.state}")
    return {
        "service": org.ims.state,
        "events": [f"{source} {event_id}" for source, event_id in events],
        "reschedule_logged": any(" : 499 " in line for line in log_lines),
        "queued": len(org.ims.queues()["outbound_awaiting_delivery"]),
    }


def run(release: str) -> Observation:
    """Reproduce Q239816 on ``release``."""
    transcript: list[str] = []
    bad = _flow(release, "RE:33%s5%s99", "Maximum", transcript, "%s subject, Maximum")
    medium = _flow(release, "RE:33%s5%s99", "Medium", transcript, "control: Medium")
    plain = _flow(release, "RE:33 5 99", "Maximum", transcript, "control: no %s")
    symptom = bad["service"] == "stopped" and "DrWatson 4097" in bad["events"] and not bad["reschedule_logged"]
    transcript.append("symptom: the IMS crashed writing the 499 line of a '%s' subject at Maximum" if symptom
                      else "no symptom: the 499 line was written literally and the IMS kept running")
    return Observation(symptom=symptom,
                       evidence={"percent_s_at_maximum": bad, "control_medium": medium, "control_no_percent_s": plain},
                       transcript=transcript)
