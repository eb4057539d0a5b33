"""Q193782 — XADM: Internet Mail Service Stops with Event IDs 4182, 12800.

From the article:
- Trigger: the IMS receives "an inbound Internet message that contains a corrupted
  encapsulation address". Encapsulated one-offs look like ``IMCEAEX-_O=Organization_OU=Site_CN=
  ContainerName_CN=...`` and every character but letters, digits, "=", "-" and "/" is encoded as
  ``+xx`` (xx: hexadecimal).
- Mechanism: the store parses the addresses for display names, detects the corrupted address
  and sets MAPI_E_CALL_FAILED, "but later this error is overwritten as MAPI_E_NOT_ENOUGH_MEMORY".
- Symptom: MSExchangeIS 12800 "... not enough available memory (8007000E-F20000FF)", then
  MSExchangeIMC 4182 and the IMS shuts itself down.
- Affected 5.5 and 5.5 SP1; fixed in Exchange Server 5.5 SP2 — in the information store
  (Store.exe, Mdbmsg.dll, Gapi32.dll 5.5.2417.0), not in the IMS.

Modelled assumptions (not in the article):
- The corrupted address sits in the Cc header: ``+3L`` is a ``+`` not followed by two hex digits.
- The simulator logs the shut-down text under 4102 after 4182, as Q232279 and Q325939 do
  (Q193782 prints that text under 4182); the repro requires 4182, IS 12800 and a stopped service.
- On fixed stores the real error (0x80004005) reaches the IMS, which treats it like any failed
  submit: IS 12004, IMC 4117, the spool file moved to IMCDATA\\IN\\ARCHIVE, and the service keeps
  running. The article says only that the error is no longer overwritten.
- Controls: the same message with a well-formed encapsulated address is delivered everywhere,
  and a later ordinary message shows whether the service still accepts mail.
"""

from __future__ import annotations

from typing import Any

from kb.exceptions import SimError
from kb.repro import Observation
from kb.sim import Organisation

GOOD_CC = "IMCEAEX-_O=Contoso_OU=Europe_CN=Recipients_CN=Mail+3bLondon@contoso.com"
CORRUPTED_CC = "IMCEAEX-_O=Contoso_OU=Europe_CN=Recipients_CN=Mail+3LLondon@contoso.com"


def _message(subject: str, cc: str) -> bytes:
    return (
        "From: Pat Jones <pat@example.net>\r\n"
        "To: Alice Smith <alice@contoso.com>\r\n"
        f"Cc: {cc}\r\n"
        f"Subject: {subject}\r\n"
        "\r\n"
        "Forwarded through the Europe site.\r\n"
    ).encode("ascii")


def _deliver(org: Organisation, subject: str, cc: str, transcript: list[str]) -> str:
    """Send one message to alice@contoso.com over the IMS's SMTP session; return the SMTP outcome."""
    try:
        session = org.ims.session("192.0.2.7", "mail.example.net")
    except SimError as error:
        transcript.append(f"SMTP {subject!r}: {error}")
        return "refused"
    session.helo("mail.example.net")
    session.mail("pat@example.net")
    session.rcpt("alice@contoso.com")
    reply = session.data(_message(subject, cc))
    session.quit()
    org.run()
    transcript.append(f"SMTP {subject!r} (Cc: {cc}): {reply.line()}")
    return reply.line()


def _events(org: Organisation) -> list[dict[str, Any]]:
    return [
        {"source": e.source, "event_id": e.event_id, "type": e.type, "category": e.category, "description": e.description}
        for e in org.eventlog.entries()
    ]


def run(release: str) -> Observation:
    """Reproduce Q193782 on ``release``."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    _deliver(org, "well-formed", GOOD_CC, transcript)
    _deliver(org, "corrupted", CORRUPTED_CC, transcript)
    service = org.ims.state
    transcript.append(f"MSExchangeIMC service: {service}")
    events = _events(org)
    for event in events:
        transcript.append(f"  {event['source']} {event['event_id']} ({event['type']}): {event['description']}")
    _deliver(org, "afterwards", "carol@contoso.com", transcript)
    inbox = [m.subject for m in org.client("alice").inbox()]
    transcript.append(f"alice's Inbox: {inbox}")
    archived = [f.name for f in org.ims.spool.list("IN\\ARCHIVE")]
    left_in_spool = [f.name for f in org.ims.spool.list("IN")]
    ids = {(e["source"], e["event_id"]) for e in events}
    symptom = (
        service == "stopped"
        and ("MSExchangeIMC", 4182) in ids
        and ("MSExchangeIS", 12800) in ids
        and "corrupted" not in inbox
    )
    transcript.append(
        "symptom: IS 12800, IMC 4182 and the Internet Mail Service shut down"
        if symptom
        else "no symptom: the Internet Mail Service kept running"
    )
    return Observation(
        symptom=symptom,
        evidence={
            "service": service,
            "events": events,
            "inbox": inbox,
            "in_archive": archived,
            "in_spool": left_in_spool,
        },
        transcript=transcript,
    )
