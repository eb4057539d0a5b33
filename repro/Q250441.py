"""Q250441 — XFOR: Internet Mail Service Moves Messages to Archive Folder.

From the article:
- Trigger: "a large number of files are copied to the Exchange Server Internet Mail Service
  Pickup folder"; CAUSE: a file "does not have a size associated with it when it is first
  copied", the IMS picks it up and "cannot process a file that has no size", although the file
  then grows to its correct size.
- Symptom: a (good) message is moved to the Archive folder and MSExchangeIMC 4164 (Message
  Transfer) says it "could not be parsed to get the originator and recipients due to the error
  0x80004005".
- Affected: Exchange Server 5.5; first fixed in SP4 (the post-SP3 IMS fix list Q246889 carries
  it in Msexcimc.exe 5.5.2652.39, May 19, 2000).

Modelled assumptions (not in the article):
- The batch: twelve well-formed RFC 822 files (X-Sender / X-Receiver headers, Q201314) copied
  one after another, each copy taking 2 seconds of virtual time; the IMS scans the Pickup
  directory every 15 seconds, so a scan meets one file whose copy has only created it.
- A fixed IMS leaves a file with no size for its next scan and delivers it then.
- Control: the same twelve files already complete when the IMS scans (copied while the service
  was stopped) are all delivered on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation

FILES = 12
COPY_SECONDS = 2.0


def _file(n: int) -> bytes:
    return (f"X-Sender: app@contoso.com\r\nX-Receiver: alice@contoso.com\r\n"
            f"From: app@contoso.com\r\nTo: alice@contoso.com\r\nSubject: Report {n:02d}\r\n\r\n"
            f"Nightly report number {n}.\r\n").encode("ascii")


def _flow(release: str, copy_seconds: float, stopped: bool, transcript: list[str], label: str) -> dict[str, Any]:
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    if stopped:
        org.ims.stop()
    for n in range(1, FILES + 1):
        org.ims.pickup.copy_in(f"REPORT{n:02d}.EML", _file(n), seconds=copy_seconds)
        org.advance(copy_seconds or 1.0)
    if stopped:
        org.ims.start()
    org.advance(120)
    delivered = sorted(m.subject for m in org.client("alice").inbox())
    archived = [f.name for f in org.ims.spool.list("PICKUP\\ARCHIVE")]
    events = [e for e in org.eventlog.entries(source="MSExchangeIMC", event_id=4164)]
    transcript.append(f"[{label}] {FILES} files copied into Imcdata\\Pickup; delivered to alice: {len(delivered)}; "
                      f"in Pickup\\Archive: {archived or 'none'}")
    for event in events:
        transcript.append(f"[{label}]   event 4164 ({event.type}, {event.category}): {event.description}")
    return {
        "delivered": len(delivered),
        "pickup_archive": archived,
        "archived_sizes": [len(f.data) for f in org.ims.spool.list("PICKUP\\ARCHIVE")],
        "events_4164": len(events),
        "left_in_pickup": [f.name for f in org.ims.spool.list("PICKUP")],
    }


def run(release: str) -> Observation:
    """Reproduce Q250441 on ``release``."""
    org = Organisation(release)
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    batch = _flow(release, COPY_SECONDS, False, transcript, "copied while running")
    control = _flow(release, 0.0, True, transcript, "control: complete files")
    symptom = bool(batch["pickup_archive"]) and batch["events_4164"] > 0 and batch["delivered"] < FILES
    transcript.append(
        "symptom: a good file seen before it had a size was moved to Pickup\\Archive with event 4164"
        if symptom else "no symptom: every copied file was delivered")
    return Observation(symptom=symptom, evidence={"batch": batch, "control_complete_files": control},
                       transcript=transcript)
