"""Q246051 — XIMS: No NDR If SMTP Msg Exceeds "Max Recipients on Submit".

From the article: the store's "Max Recipients on Submit" counts To + Cc + Bcc with distribution
lists expanded; an inbound SMTP message over the limit is not delivered, MSExchangeIMC logs 4117
(Error, Internal Processing) "... moved to the IMCDATA\\IN\\ARCHIVE directory", and the sender
gets no NDR, because the store cannot create an NDR that embeds the over-limit message. Fixed in
SP4 (and in the post-SP3 IMS build 5.5.2651.58, Q246889): the IMS NDRs the originator with one
"0 (00010256) Too many recipients." line per recipient.

Modelled assumptions: the limit (5) and the org are this script's choice; the Internet sender's
domain has a reachable mail host, so an NDR, when the IMS sends one, is seen arriving there.
The negative control sends the same message to two recipients, under the limit.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation, smtp_lines
from kb.sim import Organisation

LIMIT = 5
SENDER = "pat@example.org"
SENDER_HOST = "mx.example.org"


def _flow(release: str, rcpts: list[str], transcript: list[str], label: str) -> dict[str, Any]:
    """Send one message over SMTP to ``rcpts``; report delivery, events, archive and NDRs."""
    org = Organisation(release)
    for alias in ("user1", "user2", "dana", "eli", "fran", "gil"):
        org.add_mailbox(alias, alias.capitalize())
    org.add_distribution_list("hugedl", ["dana", "eli", "fran", "gil"], "Huge DL")
    org.store.max_recipients_on_submit = LIMIT
    org.add_remote_host(SENDER_HOST, "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, SENDER_HOST)])
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}; "
                      f"Max Recipients on Submit = {LIMIT}; hugedl has 4 members")
    session = org.ims.session(peer_ip="192.0.2.50", peer_name=SENDER_HOST)
    body = (f"From: Pat <{SENDER}>\r\nTo: {', '.join(rcpts)}\r\nSubject: Testing\r\n\r\nHello all.\r\n").encode()
    dialogue = session.transaction(SENDER_HOST, SENDER, rcpts, body)
    org.run()
    transcript += smtp_lines(dialogue, label)
    delivered = sorted(m.alias for m in org.directory.mailboxes() if org.client(m.alias).inbox())
    events = org.eventlog.entries(source="MSExchangeIMC")
    archive = [f.name for f in org.ims.spool.list("IN\\ARCHIVE")]
    ndrs = [d for d in org.internet.host(SENDER_HOST).received if d.rcpt_to == (SENDER,)]
    lines = [line.strip() for d in ndrs for line in d.data.decode("utf-8", "replace").splitlines() if "MSEXCH:IMS" in line]
    transcript.append(f"[{label}] delivered to: {', '.join(delivered) or 'nobody'}")
    for event in events:
        transcript.append(f"[{label}]   event {event.event_id} ({event.type}, {event.category}): {event.description} "
                          f"data {event.data.hex(' ')}")
    for name in archive:
        transcript.append(f"[{label}]   IMCDATA\\IN\\ARCHIVE\\{name}")
    transcript.append(f"[{label}] NDRs reaching {SENDER}: {len(ndrs)}" + "".join(f"\n      {line}" for line in lines))
    return {
        "delivered_to": delivered,
        "events": [{"event_id": e.event_id, "type": e.type, "category": e.category, "data": e.data.hex(" ")} for e in events],
        "in_archive": archive,
        "ndrs_to_sender": len(ndrs),
        "ndr_diagnostics": lines,
    }


def run(release: str) -> Observation:
    """Reproduce Q246051 on ``release``."""
    transcript: list[str] = []
    over = _flow(release, ["user1@contoso.com", "hugedl@contoso.com", "user2@contoso.com"], transcript, "6 recipients")
    control = _flow(release, ["user1@contoso.com", "user2@contoso.com"], transcript, "control, 2 recipients")
    logged_4117 = any(e["event_id"] == 4117 and e["category"] == "Internal Processing" for e in over["events"])
    symptom = not over["delivered_to"] and over["ndrs_to_sender"] == 0 and logged_4117 and bool(over["in_archive"])
    transcript.append("symptom: not delivered, no NDR, event 4117 and the message in IN\\ARCHIVE" if symptom
                      else "no symptom: the sender was told (NDR) or the message was delivered")
    return Observation(symptom=symptom, evidence={"over_limit": over, "control_under_limit": control},
                       transcript=transcript)
