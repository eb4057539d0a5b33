"""Q178378 — XFOR: IMS Doesn't Send NDR for Messages Passed From Custom DLL.

From the article:
- Trigger: a custom routing extension DLL returns DISP_NDR_ORIG for an inbound message.
- Symptom: "The Microsoft Exchange Server Internet Mail Service does not send a non-delivery
  report (NDR)"; "The message may be delivered to the mailbox" and MSExchangeIS Private 2078
  (Transfer Out Of Gateway) "Unable to submit, send or transfer out a message. Check
  PR_DELIVERY_TIME, PR_NDR_REASON, PR_NON_DELIVERY_DIAGNOSTIC" is logged.
- Affected: Exchange Server 5.0 and 5.5; corrected in 5.0 SP2 and in 5.5 SP1.

Modelled assumptions (not in the article):
- The extension returns DISP_NDR_ORIG for mail whose subject starts with "[SPAM]"; the sender's
  domain has a mail host, so a fixed IMS's NDR can be seen arriving there (with MAIL FROM:<>).
- The fixed IMS's NDR line (reason unable-to-transfer, "Returned to originator by the routing
  extension") is an inference; the article only says an NDR is due.
- Control: a message the extension passes (DISP_NO_CHANGE) is delivered with no NDR on every
  build.
- Exchange Server 5.0 is not simulated (no 5.0 IMS or store builds in the catalogue).
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation


def _decide(message: Any) -> str:
    return "DISP_NDR_ORIG" if str(message.subject).startswith("[SPAM]") else "DISP_NO_CHANGE"


def _flow(release: str, subject: str, transcript: list[str], label: str) -> dict[str, Any]:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mx.example.org", "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, "mx.example.org")])
    org.ims.install_extension("Filter.dll", _decide)
    session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
    payload = f"From: pat@example.org\r\nTo: alice@contoso.com\r\nSubject: {subject}\r\n\r\nBuy now.\r\n".encode()
    session.transaction("mx.example.org", "pat@example.org", ["alice@contoso.com"], payload)
    org.run()
    delivered = [m.subject for m in org.client("alice").inbox()]
    ndrs = [d for d in org.internet.host("mx.example.org").received if d.mail_from == ""]
    events = [(e.source, e.event_id) for e in org.eventlog.entries()]
    transcript.append(f"[{label}] subject {subject!r}: extension says {_decide(type('M', (), {'subject': subject}))}; "
                      f"delivered to alice: {delivered or 'nothing'}; NDRs to pat@example.org: {len(ndrs)}; events {events or 'none'}")
    return {"delivered": delivered, "ndrs_to_sender": len(ndrs), "events": events}


def run(release: str) -> Observation:
    """Reproduce Q178378 on ``release``."""
    org = Organisation(release)
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    returned = _flow(release, "[SPAM] Cheap watches", transcript, "DISP_NDR_ORIG")
    control = _flow(release, "Lunch on Friday", transcript, "control: DISP_NO_CHANGE")
    symptom = returned["ndrs_to_sender"] == 0
    transcript.append("symptom: the extension returned the message to its originator, but no NDR was sent"
                      + (" and it was delivered (IS Private 2078)" if returned["delivered"] else "")
                      if symptom else "no symptom: the IMS sent the NDR the extension asked for")
    return Observation(symptom=symptom, evidence={"disp_ndr_orig": returned, "control_no_change": control},
                       transcript=transcript)
