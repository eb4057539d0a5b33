"""Q192982 — XFOR: Internet Mail Service Does Not Allow Auto Forwarded Msgs.

From the article: when the IMS is configured to disable auto replies to the Internet, auto
forwards to an Internet address are suppressed too, because the IMS cannot tell an auto reply
from an auto forward (which carries PR_AUTO_FORWARDED). Fixed in SP2 (Msexcimc.exe 5.5.2407.0)
together with the registry value ``AlwaysAllowForwarding`` = 1 in MSExchangeIMC\\Parameters;
without the value the behaviour stays the same.

Modelled assumptions: the auto-forward comes from a server-side Inbox rule of Bob's that forwards
new mail to his Internet address; the IMS logs a suppressed message as 4123 "intentionally
dropped" (the event of Q192939 for the same filter). The registry value is set on every build
(older builds ignore it). Negative control: an auto reply (Bob's reply rule) is suppressed on
every build, since auto replies stay disabled.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import ImsConfig, Organisation

HOST = "mx.example.net"
HOME = "bob.home@example.net"


def _flow(release: str, action: str, transcript: list[str], label: str) -> dict[str, Any]:
    """Give Bob a rule (``forward`` or ``reply``), mail him, and see what reaches the Internet."""
    config = ImsConfig(disable_auto_replies=True, registry={"AlwaysAllowForwarding": 1})
    org = Organisation(release, ims_config=config)
    org.add_mailbox("bob", "Bob Jones")
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(HOST, "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, HOST)])
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}; Disable auto replies to the Internet; "
                      "AlwaysAllowForwarding = 1")
    bob = org.client("bob")
    if action == "forward":
        bob.add_rule("forward", to=f"SMTP:{HOME}")
        transcript.append(f"[{label}] Bob's rule: forward new mail to {HOME}")
        org.client("alice").send("bob", subject="Budget", body="Numbers attached.")
    else:
        bob.add_rule("reply", text="I am on the road this week.")
        transcript.append(f"[{label}] Bob's rule: reply to the sender")
        session = org.ims.session(peer_ip="192.0.2.25", peer_name=HOST)
        session.helo(HOST)
        session.mail("carol@example.net")
        session.rcpt("bob@contoso.com")
        session.data(b"From: carol@example.net\r\nTo: bob@contoso.com\r\nSubject: Budget\r\n\r\nNumbers?\r\n")
        org.run()
    sent = [(list(d.rcpt_to), d.data.split(b"Subject: ", 1)[-1].split(b"\r\n", 1)[0].decode()) for d in org.internet.host(HOST).received]
    dropped = org.eventlog.entries(source="MSExchangeIMC", event_id=4123)
    transcript.append(f"[{label}] {HOST} received: {sent or 'nothing'}")
    for event in dropped:
        transcript.append(f"[{label}]   event 4123 ({event.type}, {event.category}): {event.description}")
    return {"reached_internet": sent, "events_4123": len(dropped)}


def run(release: str) -> Observation:
    """Reproduce Q192982 on ``release``."""
    transcript: list[str] = []
    forward = _flow(release, "forward", transcript, "auto forward")
    control = _flow(release, "reply", transcript, "control, auto reply")
    symptom = not forward["reached_internet"]
    transcript.append("symptom: the auto-forwarded message was suppressed" if symptom
                      else f"no symptom: the auto forward reached {HOME}")
    return Observation(symptom=symptom, evidence={"auto_forward": forward, "control_auto_reply": control},
                       transcript=transcript)
