"""Q252624 — XIMS: Internet Mail w. Illegal X-Mac-Creator Attribute Archived.

From the article: after SP3 is applied, Internet mail whose header carries an illegal
X-Mac-Creator attribute (as some Macintosh mail programs write when a Macintosh binary file is
attached) is archived, with events 12006 and 4117; SP2 and earlier ignored the X-Mac-Type and
X-Mac-Creator attributes. Fixed in SP4; before SP4 by the post-SP3 store fix (download
Q248838, Store.exe 5.5.2652.17 of April 12, 2000). A regression on one release: SP3 only.

Modelled assumptions: the attributes are the ``x-mac-type``/``x-mac-creator`` parameters of the
attachment's Content-Type; a legal value is eight hex digits (``x-mac-creator="4D535744"`` in
Q153464), so the raw four-character ``"XPR3"`` is illegal; the fixed store drops the illegal value
and delivers. 12006 carries the content-engine code printed in Q190084. Negative control: the
same attachment with legal hex values is delivered on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation, smtp_lines
from kb.sim import Organisation

SENDER = "designer@example.org"


def message(mac_type: str, mac_creator: str) -> bytes:
    """Return a MIME message with a Macintosh attachment typed by Content-Type parameters."""
    return (
        f"From: Mac Designer <{SENDER}>\r\nTo: alice@contoso.com\r\nSubject: New layout\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="==mac=="\r\n\r\n'
        "--==mac==\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe layout is attached.\r\n"
        f'--==mac==\r\nContent-Type: application/octet-stream; name="LAYOUT.QXD"; x-mac-type="{mac_type}"; '
        f'x-mac-creator="{mac_creator}"\r\nContent-Transfer-Encoding: base64\r\n'
        'Content-Disposition: attachment; filename="LAYOUT.QXD"\r\n\r\nAAECAwQFBgc=\r\n--==mac==--\r\n'
    ).encode("ascii")


def _flow(release: str, data: bytes, transcript: list[str], label: str) -> dict[str, Any]:
    """Receive ``data`` over SMTP for alice; report delivery, events and the IN archive."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}")
    session = org.ims.session(peer_ip="192.0.2.70", peer_name="mac.example.org")
    dialogue = session.transaction("mac.example.org", SENDER, ["alice@contoso.com"], data)
    org.run()
    transcript += smtp_lines(dialogue, label)
    inbox = org.client("alice").inbox()
    events = org.eventlog.entries()
    archive = [f.name for f in org.ims.spool.list("IN\\ARCHIVE")]
    transcript.append(f"[{label}] alice's Inbox: {len(inbox)} message(s)")
    for event in events:
        transcript.append(f"[{label}]   event {event.source} {event.event_id} ({event.type}, {event.category}): {event.description}")
    for name in archive:
        transcript.append(f"[{label}]   IMCDATA\\IN\\ARCHIVE\\{name}")
    return {
        "delivered": len(inbox),
        "events": [{"source": e.source, "event_id": e.event_id, "category": e.category} for e in events],
        "in_archive": archive,
    }


def run(release: str) -> Observation:
    """Reproduce Q252624 on ``release``."""
    transcript: list[str] = []
    illegal = _flow(release, message("XDOC", "XPR3"), transcript, "illegal X-Mac-Creator")
    control = _flow(release, message("58444F43", "58505233"), transcript, "control, legal hex values")
    ids = {(e["source"], e["event_id"]) for e in illegal["events"]}
    symptom = (illegal["delivered"] == 0 and bool(illegal["in_archive"])
               and {("MSExchangeIS", 12006), ("MSExchangeIMC", 4117)} <= ids)
    transcript.append("symptom: archived with events 12006 and 4117 instead of delivered" if symptom
                      else "no symptom: the message was delivered")
    return Observation(symptom=symptom, evidence={"illegal_attribute": illegal, "control_legal_attribute": control},
                       transcript=transcript)
