"""Q237927 — XIMS: Messages Sent to Encapsulated SMTP Address Are Rerouted.

From the article: with "Do not reroute incoming SMTP mail" set on the Routing tab, a message sent
to an encapsulated SMTP one-off address (``IMCEASMTP-...``) is still rerouted. Affected 5.5,
fixed in SP3 (Msexcimc.exe 5.5.2650.1): "if rerouting is disabled, the Internet Mail Service
returns all messages that are sent to an encapsulated SMTP one-off address".

Modelled assumptions: "returns" is the refusal the IMS gives any relay when rerouting is off,
"550 Relaying is prohibited" at RCPT TO; the encapsulation is the Q189492 form
(``IMCEASMTP-user+40partner+2Eexample`` = ``user@partner.example``). Negative control: the plain
address ``user@partner.example`` is refused on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation, smtp_lines
from kb.sim import ImsConfig, Organisation

PARTNER_HOST = "mx.partner.example"
ENCAPSULATED = "IMCEASMTP-user+40partner+2Eexample@contoso.com"
PLAIN = "user@partner.example"


def _flow(release: str, rcpt: str, transcript: list[str], label: str) -> dict[str, Any]:
    """An Internet client sends to ``rcpt`` through an IMS that does not reroute."""
    org = Organisation(release, ims_config=ImsConfig(reroute_incoming=False))
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(PARTNER_HOST, "198.51.100.25")
    org.dns.add_zone("partner.example", mx=[(10, PARTNER_HOST)])
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}; Routing tab: Do not reroute incoming SMTP mail")
    session = org.ims.session(peer_ip="192.0.2.80", peer_name="client.example")
    dialogue = session.transaction("client.example", "someone@client.example", [rcpt],
                                   b"From: someone@client.example\r\nSubject: Hello\r\n\r\nHi.\r\n")
    org.run()
    transcript += smtp_lines(dialogue, label)
    rerouted = [list(d.rcpt_to) for d in org.internet.host(PARTNER_HOST).received]
    transcript.append(f"[{label}] {PARTNER_HOST} received: {rerouted or 'nothing'}")
    return {"rcpt_reply": dialogue[2][1].line(), "rerouted_to": rerouted}


def run(release: str) -> Observation:
    """Reproduce Q237927 on ``release``."""
    transcript: list[str] = []
    encapsulated = _flow(release, ENCAPSULATED, transcript, "IMCEASMTP one-off")
    control = _flow(release, PLAIN, transcript, "control, plain address")
    symptom = bool(encapsulated["rerouted_to"])
    transcript.append("symptom: the encapsulated address was rerouted although rerouting is off" if symptom
                      else "no symptom: the encapsulated address was returned")
    return Observation(symptom=symptom, evidence={"encapsulated": encapsulated, "control_plain_address": control},
                       transcript=transcript)
