"""Q274403 — XADM: Internet Mail Service Stops Processing Inbound Conversion.

From the article:
- Affected: "Store.exe builds 5.5.2653.7 through 5.5.2653.18" (post-SP3 store hotfixes that carry
  the Q268357 fix); first corrected in Exchange Server 5.5 SP4. Neither SP3 nor SP4 as shipped
  has such a store build: the symptom shows only with a hotfix overlay.
- Trigger (MORE INFORMATION): "import a lot of directory changes at the same time that you are
  modifying objects such as protocols, site addressing, or the Gateway Address Resolution Table
  (GWART). You must have many small changes being imported to catch this."
- Symptom: "backlogs of items that are awaiting inbound conversion on the Internet Mail
  Service"; the queue "may not clear until the services are stopped and restarted"; the store
  "may take an abnormally long time to shut down or may stop responding (hang)".
- Cause: two threads take two critical sections in opposite order (a deadlock).

Modelled assumptions (not in the article):
- The import: 400 small changes to watched objects over ten minutes of virtual time; three
  Internet messages arrive for a mailbox during it.
- The deadlock needs a conversion to start while the store's rebuild thread runs; once it has
  happened every later conversion waits too. A shutdown of the deadlocked store stays in
  "stopping"; ending it and starting the store releases the backlog.
- Releases outside the STATUS range, and the first build after 5.5.2653.18, convert normally.
- Control: the same three messages without a directory import are delivered on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation

SUBJECTS = ["Invoice 7", "Invoice 8", "Invoice 9"]


def _flow(release: str, import_changes: bool, transcript: list[str], label: str) -> dict[str, Any]:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    if import_changes:
        org.import_directory_changes(400, seconds=600)
        transcript.append(f"[{label}] directory import: 400 changes to site addressing over 10 minutes")
    for n, subject in enumerate(SUBJECTS):
        org.advance(60)
        session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
        payload = f"From: pat@example.org\r\nTo: alice@contoso.com\r\nSubject: {subject}\r\n\r\nDue.\r\n".encode()
        session.transaction("mx.example.org", "pat@example.org", ["alice@contoso.com"], payload)
        org.run()
    org.advance(2 * 3600)  # long after the import finished
    backlog = [f["name"] for f in org.ims.queues()["inbound_awaiting_conversion"]]
    delivered = [m.subject for m in org.client("alice").inbox()]
    transcript.append(f"[{label}] two hours later: awaiting inbound conversion {backlog or 'none'}; "
                      f"delivered {delivered or 'nothing'}")
    org.store.stop()
    state_on_stop = org.store.state
    transcript.append(f"[{label}] stop the information store: {state_on_stop}")
    org.store.start()
    org.run()
    after_restart = [m.subject for m in org.client("alice").inbox()]
    transcript.append(f"[{label}] after the store restarts: delivered {after_restart or 'nothing'}")
    return {"backlog_after_2h": backlog, "delivered_after_2h": delivered, "store_on_stop": state_on_stop,
            "delivered_after_restart": after_restart}


def run(release: str) -> Observation:
    """Reproduce Q274403 on ``release``."""
    org = Organisation(release)
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    busy = _flow(release, True, transcript, "directory import")
    control = _flow(release, False, transcript, "control: no import")
    symptom = bool(busy["backlog_after_2h"]) and len(busy["delivered_after_2h"]) < len(SUBJECTS)
    transcript.append(
        "symptom: inbound conversion stopped during the directory import and did not clear until a restart"
        if symptom else "no symptom: inbound conversion went on during the directory import")
    return Observation(symptom=symptom, evidence={"directory_import": busy, "control_no_import": control},
                       transcript=transcript)
