"""Q247255 — XADM: Information Store Silently Drops Messages.

From the article:
- Trigger: the information store hands a message to the MTA when "the MTA is not started or the
  information store loses session to the MTA"; "inbound Internet mail is [affected] (because it
  runs through the information store for content conversion)", outbound Internet mail is not.
- Symptom: the message is "silently deleted by the information store"; CAUSE: "the number of
  MTA recipients is incorrectly set to zero. This causes the message to be deleted from the
  queue in the information store."
- Regression: "introduced when fixing" Q235455 (Store.exe 5.5.2642.0, in SP3).
- Affected: Exchange Server 5.5 SP3; first fixed in SP4. The post-SP3 store fixes Q248838 carry
  it in the fixes of December 20, 1999 (Store.exe 5.5.2651.68).

Modelled assumptions (not in the article):
- The MTA service is stopped (the article's other case, an MTA out of resources, is not
  modelled); three Internet messages arrive for a local mailbox while it is stopped, then the
  MTA is started again.
- A store without the defect keeps the messages in MTS-IN ("Inbound messages awaiting
  delivery") and hands them to the MTA when it starts, so they are delivered.
- Control: the same three messages with the MTA running are delivered on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation, smtp_lines
from kb.sim import Organisation

SUBJECTS = ["Order 1001", "Order 1002", "Order 1003"]


def _flow(release: str, mta_stopped: bool, transcript: list[str], label: str) -> dict[str, Any]:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mx.example.org", "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, "mx.example.org")])
    if mta_stopped:
        org.mta.stop()
        transcript.append(f"[{label}] MSExchangeMTA stopped")
    for subject in SUBJECTS:
        session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
        payload = f"From: pat@example.org\r\nTo: alice@contoso.com\r\nSubject: {subject}\r\n\r\nPlease ship.\r\n".encode()
        dialogue = session.transaction("mx.example.org", "pat@example.org", ["alice@contoso.com"], payload)
        org.run()
        if subject == SUBJECTS[0]:
            transcript.extend(smtp_lines(dialogue, label))
    waiting = len(org.ims.queues()["inbound_awaiting_delivery"])
    if mta_stopped:
        transcript.append(f"[{label}] inbound messages awaiting delivery while the MTA is stopped: {waiting}")
        org.mta.start()
        org.run()
        transcript.append(f"[{label}] MSExchangeMTA started")
    delivered = [m.subject for m in org.client("alice").inbox()]
    ndrs = [d for d in org.internet.host("mx.example.org").received if d.mail_from == ""]
    transcript.append(f"[{label}] delivered to alice: {delivered or 'nothing'}; NDRs to the sender: {len(ndrs)}")
    return {"accepted": len(SUBJECTS), "waiting_while_stopped": waiting, "delivered": delivered,
            "ndrs_to_sender": len(ndrs),
            "events": sorted({(e.source, e.event_id) for e in org.eventlog.entries()})}


def run(release: str) -> Observation:
    """Reproduce Q247255 on ``release``."""
    org = Organisation(release)
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    stopped = _flow(release, True, transcript, "MTA stopped")
    control = _flow(release, False, transcript, "control: MTA running")
    symptom = len(stopped["delivered"]) < len(SUBJECTS) and stopped["ndrs_to_sender"] == 0
    transcript.append(
        "symptom: messages accepted while the MTA was stopped vanished without delivery, NDR or event"
        if symptom else "no symptom: messages waited for the MTA and were delivered")
    return Observation(symptom=symptom, evidence={"mta_stopped": stopped, "control_mta_running": control},
                       transcript=transcript)
