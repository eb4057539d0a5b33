"""Q260741 — XFOR: Internet Mail Service Won't Deliver to Others w. 552 Code.

From the article: an SP3 IMS sends one message to several recipients at one SMTP host; the host
answers "552 mailbox quota limit exceeded" for one of them; the 552 is "stamped" on the remaining
recipients of the batch and the whole batch is not delivered. Fixed in SP4 (post-SP3 IMS build
5.5.2652.39 of May 19, 2000, Q246889).

Modelled assumptions: the 552 comes in answer to RCPT TO (the mailbox is full); a fixed IMS fails
only that recipient and carries on with RCPT and DATA for the others; the NDR diagnostic code is
3552 (the 3000 + reply pattern of the corpus NDRs). Builds before SP3 share the batch code in the
model (the article names SP3 only). The negative control sends to the same host without the
full mailbox: everyone receives it on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation

HOST = "mx.example.net"
FULL = "full@example.net"
OTHERS = ["ann@example.net", "bo@example.net"]


def _flow(release: str, recipients: list[str], transcript: list[str], label: str) -> dict[str, Any]:
    """Send one message to ``recipients``; report who got it, the NDR rows and the SMTP dialogue."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(HOST, "192.0.2.25", recipients={FULL: "552 mailbox quota limit exceeded"})
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}; {HOST} answers 552 for {FULL}")
    client = org.client("alice")
    client.send([f"SMTP:{r}" for r in recipients], subject="Quarterly figures", body="Attached.")
    received = sorted(r for d in org.internet.host(HOST).received for r in d.rcpt_to)
    ndr_rows = [(row.address, row.supplementary or "") for ndr in client.ndrs() for row in ndr.recipients]
    dialogue = [line for s in org.ims.protocol_log.sessions if s.direction == "outbound" for line in s.lines]
    transcript += [f"[{label}]   {line}" for line in dialogue]
    transcript.append(f"[{label}] {HOST} received the message for: {', '.join(received) or 'nobody'}")
    for address, diagnostic in ndr_rows:
        transcript.append(f"[{label}]   NDR row '{address}': {diagnostic}")
    return {
        "received_by_host": received,
        "ndr_rows": [address for address, _ in ndr_rows],
        "ndr_diagnostics": sorted({d for _, d in ndr_rows}),
        "data_sent": any(line.endswith(" : DATA") for line in dialogue),
    }


def run(release: str) -> Observation:
    """Reproduce Q260741 on ``release``."""
    transcript: list[str] = []
    batch = _flow(release, [OTHERS[0], FULL, OTHERS[1]], transcript, "one mailbox full")
    control = _flow(release, OTHERS, transcript, "control, no full mailbox")
    others_failed = [a for a in OTHERS if a in batch["ndr_rows"] or a not in batch["received_by_host"]]
    symptom = bool(others_failed) and all("552" in d for d in batch["ndr_diagnostics"])
    transcript.append(f"symptom: the 552 for {FULL} was stamped on {', '.join(others_failed)}" if symptom
                      else f"no symptom: only {FULL} failed, the others received the message")
    return Observation(symptom=symptom, evidence={"one_mailbox_full": batch, "control_no_full_mailbox": control},
                       transcript=transcript)
