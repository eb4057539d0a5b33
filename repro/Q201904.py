"""Q201904 — XFOR: Information Store Archiving a Message If ResolveP2 Enabled.

From the article (and its twin Q192583):
- Trigger: the IMS registry value ``MSExchangeIMC\\Parameters\\ResolveP2`` is enabled, and inbound
  Internet mail comes from a custom recipient that exists twice in the global address list (two
  sites had the same custom recipient and directory replication brought both together).
- Mechanism: the IMS submits the message to the information store, which looks the sender up in
  the directory, gets an ambiguous-name error and maps it to E_FAIL.
- Symptom: MSExchangeIS 12004 "Error 80004005-F0000000 occurred while processing message <>. The
  archive filename is '3SW32JRP'.", MSExchangeIMC 4117 "... moved to the IMCDATA\\IN\\ARCHIVE
  directory", and the message is not delivered.
- Fixed in Exchange Server 5.5 SP2 — in the information store (Store.exe, Mdbmsg.dll, Gapi32.dll
  5.5.2398.0), not in the IMS.

Modelled assumptions (not in the article):
- The sender is looked up by the P2 From address; both replicated entries have it as their
  target address.
- On fixed stores an ambiguous sender stays unresolved and the message is delivered.
- Controls: with ResolveP2 off the message is delivered on every build; with ResolveP2 on, a
  sender that matches one custom recipient is delivered with the directory display name.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import ImsConfig, Organisation


def _message(sender: str, subject: str) -> bytes:
    return (f"From: {sender}\r\nTo: Alice Smith <alice@contoso.com>\r\nSubject: {subject}\r\n\r\nHello.\r\n").encode("ascii")


def _flow(release: str, resolve_p2: int, label: str, transcript: list[str]) -> dict[str, Any]:
    """Send mail from a duplicated and from a unique custom recipient; return what happened."""
    org = Organisation(release, ims_config=ImsConfig(registry={"ResolveP2": resolve_p2}))
    org.add_mailbox("alice", "Alice Smith")
    # The same custom recipient created in site X and in site Y, both in the GAL after replication.
    org.add_custom_recipient("someone-x", "SMTP:someone@fabrikam.com", "Someone")
    org.add_custom_recipient("someone-y", "SMTP:someone@fabrikam.com", "Someone")
    org.add_custom_recipient("buyer", "SMTP:buyer@fabrikam.com", "Fabrikam Buyer")
    if not transcript:
        transcript.append(f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}")
    outcomes: dict[str, Any] = {}
    for sender, subject in (("someone@fabrikam.com", "from the duplicated custom recipient"),
                            ("buyer@fabrikam.com", "from a unique custom recipient")):
        session = org.ims.session("192.0.2.25", "mail.fabrikam.com")
        session.helo("mail.fabrikam.com")
        session.mail(sender)
        session.rcpt("alice@contoso.com")
        reply = session.data(_message(sender, subject))
        session.quit()
        org.run()
        spool_name = reply.text.split()[0]
        inbox = {m.subject: m for m in org.client("alice").inbox()}
        delivered = inbox.get(subject)
        archived = org.ims.spool.exists("IN\\ARCHIVE", spool_name)
        outcomes[subject] = {
            "spool_file": spool_name,
            "delivered": delivered is not None,
            "sender_display_name": delivered.sender_name if delivered else None,
            "in_archive": archived,
        }
        transcript.append(
            f"[ResolveP2={resolve_p2}] {subject} ({sender}): "
            + (f"delivered, sender shown as {delivered.sender_name!r}" if delivered else "not delivered")
            + (f"; spool file {spool_name} in IMCDATA\\IN\\ARCHIVE" if archived else "")
        )
    events = [
        {"source": e.source, "event_id": e.event_id, "type": e.type, "description": e.description}
        for e in org.eventlog.entries()
    ]
    for event in events:
        transcript.append(f"[ResolveP2={resolve_p2}]   {event['source']} {event['event_id']} ({event['type']}): {event['description']}")
    return {"messages": outcomes, "events": events}


def run(release: str) -> Observation:
    """Reproduce Q201904 on ``release``."""
    transcript: list[str] = []
    enabled = _flow(release, 1, "ResolveP2 on", transcript)
    disabled = _flow(release, 0, "ResolveP2 off", transcript)
    duplicated = enabled["messages"]["from the duplicated custom recipient"]
    ids = {(e["source"], e["event_id"]) for e in enabled["events"]}
    symptom = (
        not duplicated["delivered"]
        and duplicated["in_archive"]
        and ("MSExchangeIS", 12004) in ids
        and ("MSExchangeIMC", 4117) in ids
    )
    transcript.append(
        "symptom: IS 12004, IMC 4117, the message archived and not delivered"
        if symptom
        else "no symptom: mail from the duplicated custom recipient was delivered"
    )
    return Observation(
        symptom=symptom,
        evidence={"resolve_p2_on": enabled, "resolve_p2_off": disabled},
        transcript=transcript,
    )
