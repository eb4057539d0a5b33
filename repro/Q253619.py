"""Q253619 — XCON: MTA Logs Event 3150 Receiving Invalid Message.

From the article:
- Trigger: the X.400 address of the IMS administrator mailbox is written in upper case, e.g.
  ``C=US; A=ADMD; P=PRMD; S=Administrator``; "The Internet Mail Service can only process the
  'c=,' 'a=,' and 'p=' if they are lowercase characters."
- Mechanism: the IMS builds the MTS-ID of an inbound message without the global domain
  identifier (only the local string), an invalid X.400 message.
- Symptom: MSExchangeMTA 3150 (Warning, X.400 Service) "... failed integrity verification ...
  [XAPI GATEWAY 30 1 130 (14)"; "The incoming message is lost and the sender does not receive a
  non-delivery report (NDR)."
- Workaround: write ``c=``, ``a=``, ``p=`` in lower case. Fixed in Exchange Server 5.5 SP4; the
  fix is Msexcimc.exe 5.5.2652.39 (post-SP3 IMS fixes of May 19, 2000, Q246889).

Modelled assumptions (not in the article):
- Only a message the MTA has to route shows the problem: the store delivers local mailboxes
  without looking at the MTS-ID (as Q156710 describes for the 4.0 IMC). The repro therefore sends
  to a custom recipient (partner@contoso.com -> partner@fabrikam.com), and also to a local
  mailbox, which gets its copy on every build.
- Control: the same message with the administrator address in lower case (the workaround) is
  relayed to the custom recipient on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import ImsConfig, Organisation

UPPER = "C=US; A=ADMD; P=PRMD; S=Administrator"  # the article's example
LOWER = "c=US; a=ADMD; p=PRMD; s=Administrator"  # the article's workaround
MESSAGE = (
    b"From: Pat Jones <pat@example.net>\r\n"
    b"To: Partner <partner@contoso.com>, Alice Smith <alice@contoso.com>\r\n"
    b"Subject: Quarterly figures\r\n"
    b"\r\n"
    b"Figures attached.\r\n"
)


def _flow(release: str, admin_x400: str, label: str, transcript: list[str]) -> dict[str, Any]:
    """Send one inbound message to a custom recipient and a mailbox; return what happened."""
    org = Organisation(release, ims_config=ImsConfig(administrator="admin"))
    org.add_mailbox("admin", "IMS Administrator").x400 = admin_x400
    org.add_mailbox("alice", "Alice Smith")
    org.add_custom_recipient("partner", "SMTP:partner@fabrikam.com", "Partner", smtp=["partner@contoso.com"])
    fabrikam = org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
    org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
    sender_host = org.add_remote_host("mail.example.net", "192.0.2.7")
    org.dns.add_zone("example.net", mx=[(10, "mail.example.net")])
    if label == "upper case":
        transcript.append(f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}")
    session = org.ims.session("192.0.2.7", "mail.example.net")
    session.helo("mail.example.net")
    session.mail("pat@example.net")
    session.rcpt("partner@contoso.com")
    session.rcpt("alice@contoso.com")
    reply = session.data(MESSAGE)
    session.quit()
    org.run()
    org.advance(3600)  # let any retry or report happen
    events = [
        {"source": e.source, "event_id": e.event_id, "type": e.type, "category": e.category, "description": e.description}
        for e in org.eventlog.entries()
    ]
    relayed = [list(d.rcpt_to) for d in fabrikam.received]
    reports = [d.mail_from for d in sender_host.received]
    inbox = [m.subject for m in org.client("alice").inbox()]
    mts_ids = [m.mts_id for m in org.client("alice").inbox()]  # the MTS-ID a MAPI client can read
    transcript.append(f"[{label}] administrator X.400 address {admin_x400!r}; SMTP DATA: {reply.line()}")
    transcript.append(f"[{label}]   MTS-ID of alice's copy: {mts_ids}")
    transcript.append(f"[{label}]   relayed to mail.fabrikam.com: {relayed}; reports to example.net: {len(reports)}; alice's Inbox: {inbox}")
    for event in events:
        transcript.append(f"[{label}]   {event['source']} {event['event_id']} ({event['type']}, {event['category']}): {event['description']}")
    return {"events": events, "relayed": relayed, "reports_to_sender": len(reports), "alice_inbox": inbox,
            "mts_ids": mts_ids}


def run(release: str) -> Observation:
    """Reproduce Q253619 on ``release``."""
    transcript: list[str] = []
    upper = _flow(release, UPPER, "upper case", transcript)
    lower = _flow(release, LOWER, "lower case", transcript)
    logged_3150 = any(e["source"] == "MSExchangeMTA" and e["event_id"] == 3150 for e in upper["events"])
    symptom = logged_3150 and not upper["relayed"] and upper["reports_to_sender"] == 0
    transcript.append(
        "symptom: MTA 3150, the message to the custom recipient is lost and no NDR is sent"
        if symptom
        else "no symptom: the message reached the custom recipient"
    )
    return Observation(
        symptom=symptom,
        evidence={"upper_case_admin_address": upper, "lower_case_admin_address": lower},
        transcript=transcript,
    )
