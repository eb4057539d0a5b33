"""Q245041 — XFOR: Postmaster Incorrectly Receives SMTP Messages.

From the article: the IMS accepts partial addresses ``p@<domain>`` (or "po", "pos", "post",
"postm", ...) and delivers them to the designated postmaster account; if a user account has
that address, mail is delivered to the user as expected. Affected: 5.5 SP2 (and SP3: the fix is
in the post-SP3 IMS build 5.5.2651.58 of December 14, 1999, Q246889); fixed in SP4.

Modelled assumptions: the postmaster account is the mailbox that owns postmaster@contoso.com;
a fixed IMS treats "pos@contoso.com" as any unknown local recipient, an NDR
"0 (000C05A6) Unknown Recipient" to the Internet sender (the article does not describe the fixed
behaviour). The negative control mails "p@contoso.com", which a real user owns: delivered to
that user on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation, smtp_lines
from kb.sim import Organisation

SENDER = "lee@example.org"
SENDER_HOST = "mx.example.org"


def _flow(release: str, rcpt: str, transcript: list[str], label: str) -> dict[str, Any]:
    """Mail ``rcpt`` over SMTP from the Internet; report whose Inbox got it and any NDR."""
    org = Organisation(release)
    org.add_mailbox("administrator", "Administrator", smtp=["administrator@contoso.com", "postmaster@contoso.com"])
    org.add_mailbox("pauline", "Pauline Price", smtp=["pauline@contoso.com", "p@contoso.com"])
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(SENDER_HOST, "192.0.2.50")
    org.dns.add_zone("example.org", mx=[(10, SENDER_HOST)])
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}; postmaster@contoso.com is the "
                      "Administrator mailbox; p@contoso.com is Pauline Price")
    session = org.ims.session(peer_ip="192.0.2.50", peer_name=SENDER_HOST)
    body = f"From: Lee <{SENDER}>\r\nTo: {rcpt}\r\nSubject: Order status\r\n\r\nWhere is my order?\r\n".encode()
    dialogue = session.transaction(SENDER_HOST, SENDER, [rcpt], body)
    org.run()
    transcript += smtp_lines(dialogue, label)
    received = {m.alias: [x.subject for x in org.client(m.alias).inbox()] for m in org.directory.mailboxes()}
    got = sorted(alias for alias, subjects in received.items() if "Order status" in subjects)
    ndrs = [d for d in org.internet.host(SENDER_HOST).received if d.rcpt_to == (SENDER,)]
    lines = [line.strip() for d in ndrs for line in d.data.decode("utf-8", "replace").splitlines() if "MSEXCH:IMS" in line]
    transcript.append(f"[{label}] delivered to: {', '.join(got) or 'nobody'}; NDRs reaching {SENDER}: {len(ndrs)}"
                      + "".join(f"\n      {line}" for line in lines))
    return {"delivered_to": got, "ndrs_to_sender": len(ndrs), "ndr_diagnostics": lines}


def run(release: str) -> Observation:
    """Reproduce Q245041 on ``release``."""
    transcript: list[str] = []
    partial = _flow(release, "pos@contoso.com", transcript, "pos@")
    control = _flow(release, "p@contoso.com", transcript, "control, p@ is a real user")
    symptom = partial["delivered_to"] == ["administrator"]
    transcript.append("symptom: mail to the partial address pos@ went to the postmaster account" if symptom
                      else "no symptom: pos@ was not taken for postmaster")
    return Observation(symptom=symptom, evidence={"partial_postmaster": partial, "control_real_user": control},
                       transcript=transcript)
