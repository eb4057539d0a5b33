"""Q230288 — XFOR: NDR from IMS Has Incorrect 3-Byte Reason Code.

From the article: the Exchange MTA transfers a NonDeliveryReasonCode of 3-byte integer; X.411
defines the field as a 1-byte integer; some X.400 MTAs cannot handle the extra bytes and may stop
processing. CAUSE: the NonDeliveryReasonCode passed is incorrectly set to -1, which is not a valid
code. First corrected in SP3 (Msexcimc.exe 5.5.2594.0).

Modelled assumptions: the NDR is one the IMS makes (the title) for a message from a user behind an
X.400 connector to a foreign MTA, sent to an Internet domain that does not exist (3902 Host
Unknown); the foreign MTA is strict (accepts only a one-octet reason code). The MTA keeps the code
in a 16-bit field, so -1 goes out as 65535, BER ``80 03 00 FF FF`` (the article gives the width,
the bytes are an inference). Controls: the same flow to a lenient foreign MTA (it reads what
arrived) and a message that is delivered (no report at all).
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation

ORIGINATOR = "c=US;a= ;p=Fabrikam;o=Sales;s=Smith;g=Jo"


def _flow(release: str, recipient: str, strict: bool, transcript: list[str], label: str) -> dict[str, Any]:
    """Send from the foreign X.400 user to ``recipient`` through the IMS; report what the foreign MTA got."""
    org = Organisation(release)
    connector = org.add_x400_connector("FABMTA", "c=US;a= ;p=Fabrikam", strict=strict)
    org.add_remote_host("mx.example.net", "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}, MTA {org.builds.mta}; "
                      f"foreign MTA FABMTA ({'strict' if strict else 'lenient'})")
    connector.submit(ORIGINATOR, [f"SMTP:{recipient}"], subject="Order 7731", body="Please confirm.")
    foreign = connector.foreign
    for report in foreign.received:
        for entry in report.recipients:
            transcript.append(f"[{label}]   P1 report for {entry.recipient}: octets {entry.octets.hex(' ')}")
    for decoded in foreign.decoded:
        transcript.append(f"[{label}]   FABMTA read reason {decoded.reason} ({decoded.reason_octets} octet(s))")
    transcript += [f"[{label}]   FABMTA: {error}" for error in foreign.errors]
    transcript.append(f"[{label}]   FABMTA state: {foreign.state}")
    widths = [entry.octets[1] for report in foreign.received for entry in report.recipients]
    return {"reports": len(foreign.received), "reason_widths": widths, "foreign_state": foreign.state,
            "reasons_read": [d.reason for d in foreign.decoded], "errors": list(foreign.errors)}


def run(release: str) -> Observation:
    """Reproduce Q230288 on ``release``."""
    transcript: list[str] = []
    strict = _flow(release, "pat@invaliddomain.com", True, transcript, "NDR to a strict foreign MTA")
    lenient = _flow(release, "pat@invaliddomain.com", False, transcript, "NDR to a lenient foreign MTA")
    delivered = _flow(release, "pat@example.net", True, transcript, "control: delivered, no report")
    symptom = any(width != 1 for width in strict["reason_widths"]) and strict["foreign_state"] == "stopped"
    transcript.append("symptom: the NonDeliveryReasonCode left as a multi-byte integer and the foreign MTA stopped"
                      if symptom else "no symptom: a one-byte reason code the foreign MTA processed")
    return Observation(symptom=symptom, evidence={"strict_foreign_mta": strict, "lenient_foreign_mta": lenient,
                                                  "control_delivered": delivered}, transcript=transcript)
