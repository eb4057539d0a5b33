"""Q264330 — XFOR: Internet Mail Service Relays Messages Despite Restrictions.

From the article: the server's site address is localdomain1.com; the Connections tab says
"Forward all messages to host" (domain2's host); the Routing tab says "Reroute incoming SMTP
mail" with the routing restriction "Hosts and clients that successfully authenticate". Mail to
``"IMCEA user@domain2.com"@localdomain1.com`` is relayed to domain2 anyway. Affected 5.5, fixed
in SP4 (post-SP3 IMS build 5.5.2652.78 of July 28, 2000, Q246889).

Modelled assumptions: the relaying client is one that has not authenticated; a fixed IMS answers
"550 Relaying is prohibited" at RCPT TO, as it does for any relay it refuses. Names: contoso.com
plays localdomain1.com, domain2.example plays domain2.com. Negative control: the same client
asking for ``user@domain2.example`` directly is refused on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation, smtp_lines
from kb.sim import ImsConfig, Organisation, RelayRules

FORWARD_HOST = "mail.domain2.example"
ENCAPSULATED = '"IMCEA user@domain2.example"@contoso.com'
PLAIN = "user@domain2.example"
AUTHENTICATED_CLIENTS = 8  # RelayFlags bit: authenticated clients may relay (Q193922)
SPAMMER_IP = "203.0.113.66"


def _flow(release: str, rcpt: str, transcript: list[str], label: str) -> dict[str, Any]:
    """An unauthenticated Internet client asks the IMS to take mail for ``rcpt``."""
    config = ImsConfig(forward_host=FORWARD_HOST, reroute_incoming=True, relay=RelayRules(flags=AUTHENTICATED_CLIENTS))
    org = Organisation(release, ims_config=config)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(FORWARD_HOST, "198.51.100.99")
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}; site address contoso.com; forward all "
                      f"mail to {FORWARD_HOST}; reroute on; only authenticated clients may relay")
    session = org.ims.session(peer_ip=SPAMMER_IP, peer_name="spammer.example")
    dialogue = session.transaction("spammer.example", "bulk@spammer.example", [rcpt],
                                   b"From: bulk@spammer.example\r\nSubject: Buy now\r\n\r\nOffer.\r\n")
    org.run()
    transcript += smtp_lines(dialogue, label)
    relayed = [list(d.rcpt_to) for d in org.internet.host(FORWARD_HOST).received]
    transcript.append(f"[{label}] {FORWARD_HOST} received: {relayed or 'nothing'}")
    return {"rcpt_reply": dialogue[2][1].line(), "relayed_to": relayed}


def run(release: str) -> Observation:
    """Reproduce Q264330 on ``release``."""
    transcript: list[str] = []
    encapsulated = _flow(release, ENCAPSULATED, transcript, "encapsulated")
    control = _flow(release, PLAIN, transcript, "control, plain address")
    symptom = bool(encapsulated["relayed_to"])
    transcript.append("symptom: the unauthenticated client relayed through the IMS to domain2" if symptom
                      else "no symptom: the relay was refused")
    return Observation(symptom=symptom, evidence={"encapsulated": encapsulated, "control_plain_address": control},
                       transcript=transcript)
