"""Q238498 — XFOR: NDR to SMTP Report If Prohibit Receive Enabled.

From the article: the information store generates an NDR to an SMTP report returned to a mailbox
that is over its limit with "Prohibit send and receive (K)" selected, on a server other than the
Internet Mail Service's. The report is addressed to a null (<>) address, so the IMS cannot deliver
that NDR and returns an NDR to the originator, the mailbox, which cannot accept mail: another NDR,
and the process repeats (a message loop). First corrected in SP4 (before that in the store hotfix
package Q248838).

Modelled assumptions: the mailbox is homed on EXCH02, the IMS runs on EXCH01; the report is an
Internet delivery report (MAIL FROM:<>) for the mailbox; Q248838's first Store.exe, 5.5.2652.17, is
taken as the fixed build. The simulator does everything due at one instant, so the loop is seen by
running a bounded number of steps (``org.clock.run(limit=…)``) and finding work still due and the
refusals still growing; the NDRs embed each other, so the budget stays small. Controls: the same
report to the same mailbox homed on the IMS's own server, and to a mailbox under its limit.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation, StorageLimits

REPORT = (b"From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.org>\r\nTo: alice@contoso.com\r\n"
          b"Subject: Returned mail: User unknown\r\n\r\nThe original message could not be delivered.\r\n")
STEPS = 24


def _flow(release: str, home_server: str, full: bool, transcript: list[str], label: str) -> dict[str, Any]:
    """Fill Alice's mailbox, then send her an Internet report; run at most ``STEPS`` steps."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith", home_server=home_server)
    org.add_mailbox("bob", "Bob Jones")
    org.client("bob").send("alice", subject="Site photos", body="x" * 200_000)
    if full:
        org.store.quotas.set_limits(StorageLimits(prohibit_send_kb=80, prohibit_send_receive_kb=100), "alice")
    state = org.store.quotas.state("alice")
    transcript.append(f"[{label}] {org.builds.name}: store {org.builds.store}; Alice on "
                      f"{home_server or org.server} (IMS on {org.server}); Storage Limits: {state}")
    session = org.ims.session(peer_ip="192.0.2.10", peer_name="mail.example.org")
    session.transaction("mail.example.org", "", ["alice@contoso.com"], REPORT)
    looping = False
    try:
        org.clock.run(limit=STEPS)
    except RuntimeError:
        looping = True
    still_due = [label for when, label in org.clock.pending() if when <= org.clock.now()]
    transcript.append(f"[{label}]   after {STEPS} steps: {org.store.quotas.refused} refused deliveries, "
                      f"{org.ims.counters()['ndrs_total']} IMS NDRs, {len(still_due)} task(s) still due now")
    outbound = [s for s in org.ims.protocol_log.outbound()]
    transcript += [f"[{label}]   queue: {entry['recipients']} ({entry['state']})"
                   for entry in org.ims.queues()["outbound_awaiting_delivery"]][:3]
    return {"storage_limits": state, "refused": org.store.quotas.refused, "ims_ndrs": org.ims.counters()["ndrs_total"],
            "still_running": looping or bool(still_due), "smtp_sessions_out": len(outbound),
            "alice_inbox": len(org.client("alice").inbox())}


def run(release: str) -> Observation:
    """Reproduce Q238498 on ``release``."""
    transcript: list[str] = []
    remote = _flow(release, "EXCH02", True, transcript, "mailbox on EXCH02, over its limit")
    local = _flow(release, "", True, transcript, "control: mailbox on the IMS's server")
    below = _flow(release, "EXCH02", False, transcript, "control: mailbox under its limit")
    symptom = remote["still_running"] and remote["refused"] > 2 and remote["ims_ndrs"] > 1
    transcript.append("symptom: the store NDRs the report to <>, the IMS NDRs that back, and the loop goes on"
                      if symptom else "no symptom: the report was refused once and not reported on")
    return Observation(symptom=symptom, evidence={"remote_mailbox_over_limit": remote, "control_local_mailbox": local,
                                                  "control_under_limit": below}, transcript=transcript)
