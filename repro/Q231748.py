"""Q231748 — XADM: Pattern in Address in SMTP Messages Causes Store to Crash.

From the article:
- Trigger: a message from the Internet whose To or Cc field holds an address with a comment;
  the CAUSE's example is ``"mchiba (M,Chiba); "``.
- Symptom: "The Microsoft Exchange Server Information Store service stops responding (crashes)
  when processing a message from the Internet", in ``STORE!CmcvtrHdr::ulSkipComment`` under
  ``CmcvtrHdrAddress::HrExtractRecips`` / ``CmcvtrHdrCc::hrExtract`` / ``CConvertStream::Write``.
- Cause: ``DeleteHeaderComments`` deletes the comment in place without clearing the rest of the
  field (``"mchiba ; ,Chiba); "``), and ``HrExtractAddress`` overruns the end of the field.
- Affected: Exchange Server 5.5; first fixed in SP3 (Store.exe 5.5.2607.0).

Modelled assumptions (not in the article):
- The crash is observed as the service state (MSExchangeIS stopped) and the Service Control
  Manager's 7031 "terminated unexpectedly"; the IMS, whose conversion call fails with
  0x80040115, logs 3039 as Q166558 prints it and shuts down, leaving the message in Imcdata\\IN.
- Fixed builds remove the comment cleanly and deliver the message.
- Control: the same message with the Cc address written without a comment is delivered on every
  build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation, smtp_lines
from kb.sim import Organisation


def _flow(release: str, cc: str, transcript: list[str], label: str) -> dict[str, Any]:
    org = Organisation(release)
    org.add_mailbox("mchiba", "M Chiba")
    org.add_mailbox("kato", "K Kato")
    session = org.ims.session(peer_ip="192.0.2.50", peer_name="mx.example.org")
    payload = (f"From: pat@example.org\r\nTo: kato@contoso.com\r\nCc: {cc}\r\n"
               f"Subject: Meeting notes\r\n\r\nNotes attached.\r\n").encode()
    dialogue = session.transaction("mx.example.org", "pat@example.org", ["kato@contoso.com", "mchiba@contoso.com"], payload)
    org.run()
    transcript.append(f"[{label}] Cc: {cc!r}")
    transcript.extend(smtp_lines(dialogue, label))
    events = org.eventlog.entries()
    for event in events:
        transcript.append(f"[{label}]   {event.source} {event.event_id}: {event.description}")
    delivered = sorted(a for a in ("kato", "mchiba") if org.client(a).inbox())
    transcript.append(f"[{label}] MSExchangeIS {org.store.state}, MSExchangeIMC {org.ims.state}; "
                      f"delivered to {delivered or 'nobody'}; left in Imcdata\\IN: {[f.name for f in org.ims.spool.list('IN')]}")
    return {"store": org.store.state, "ims": org.ims.state, "delivered": delivered,
            "events": [(e.source, e.event_id) for e in events],
            "left_in_in": [f.name for f in org.ims.spool.list("IN")]}


def run(release: str) -> Observation:
    """Reproduce Q231748 on ``release``."""
    org = Organisation(release)
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    comment = _flow(release, "mchiba (M,Chiba); ", transcript, "comment in Cc")
    control = _flow(release, "mchiba@contoso.com", transcript, "control: no comment")
    symptom = comment["store"] == "stopped" and ("Service Control Manager", 7031) in comment["events"]
    transcript.append("symptom: the information store stopped while converting the message"
                      if symptom else "no symptom: the store converted and delivered the message")
    return Observation(symptom=symptom, evidence={"comment_in_cc": comment, "control_no_comment": control},
                       transcript=transcript)
