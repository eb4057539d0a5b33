"""Q246881 — XIMS: NDR Includes DL Name Rather Than Individual Recipient.

From the article: a message is sent to a distribution list through an IMS configured to send
content formatted in TNEF; the NDR that comes back ("The recipient name is not recognized",
"MSEXCH:IMS:microsoft:<site>:<server> 0 (000C05A6) Unknown Recipient") names the DL rather than
the individual recipient that is not recognized. First corrected in SP4 (post-SP3 IMS fixes of
Dec 14, 1999, Msexcimc.exe 5.5.2651.58, Q246889).

Modelled assumptions: two Exchange servers of the organisation Microsoft (two simulated
organisations on the same release, wired over SMTP); the sending IMS sends rich text (TNEF) to the
other's domain; the DL has two custom-recipient members there, one of whom has no mailbox; the
receiving IMS makes the 000C05A6 NDR and sends it back through the sender's inbound path. The
fault is in the IMS that makes the NDR. The negative control sends the same message as MIME
without rich text: the member is named on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import DomainRoute, ImsConfig, Organisation, wire

REMOTE = "europe.microsoft.example"


def _flow(release: str, rich_text: str, transcript: list[str], label: str) -> dict[str, Any]:
    """Send to the DL "Sales Team" from the Redmond server; return the NDR rows Alice gets back."""
    sender = Organisation(release, organisation="Microsoft", site="Redmond", server="TOTO", domain="microsoft.example",
                          ims_config=ImsConfig(domain_routes=[DomainRoute(REMOTE, rich_text=rich_text)]))
    receiver = Organisation(release, organisation="Microsoft", site="Dublin", server="EUR01", domain=REMOTE)
    wire(sender, receiver)
    sender.add_mailbox("alice", "Alice Smith")
    receiver.add_mailbox("sean", "Sean Kelly")
    sender.add_custom_recipient("sean", f"SMTP:sean@{REMOTE}", "Sean Kelly")
    sender.add_custom_recipient("gone", f"SMTP:gone@{REMOTE}", "Pat Gone")
    sender.add_distribution_list("sales", ["sean", "gone"], "Sales Team")
    transcript.append(f"[{label}] {release}: IMS {sender.builds.ims} on both servers; rich text to {REMOTE}: {rich_text}")
    sender.client("alice").send("sales", subject="Q3 figures", body="Attached are the figures.")
    transcript += sender.ims.protocol_log.transcript(f"{label}, TOTO -> EUR01", "outbound")
    reports = [m for m in sender.client("alice").inbox() if m.subject.startswith("Undeliverable")]
    lines = [line.strip() for m in reports for line in m.body.splitlines() if line.strip().startswith("'")]
    transcript += [f"[{label}]   NDR row: {line}" for line in lines]
    return {"delivered_to_sean": len(receiver.client("sean").inbox()), "ndr_rows": lines}


def run(release: str) -> Observation:
    """Reproduce Q246881 on ``release``."""
    transcript: list[str] = []
    tnef = _flow(release, "always", transcript, "TNEF")
    mime = _flow(release, "never", transcript, "control: MIME, no rich text")
    names_list = any("sales@" in row for row in tnef["ndr_rows"])
    names_member = any(f"gone@{REMOTE}" in row for row in tnef["ndr_rows"])
    symptom = names_list and not names_member
    transcript.append("symptom: the NDR names the distribution list, not the unknown member" if symptom
                      else "no symptom: the NDR names the member that is not recognized")
    return Observation(symptom=symptom, evidence={"tnef": tnef, "control_mime": mime}, transcript=transcript)
