"""Q228998 — XADM: Trailing Space in Domain Name Allows Incorrect Mail Route.

The IMS has a per-domain route: mail for partner.example goes to gateway.partner.example
("Specify by E-mail Domain"); DNS publishes a different MX (mx.partner.example). A user sends to
``SMTP:user@partner.example `` (trailing space). The article's symptom: the mail is routed
incorrectly, i.e. not to the configured host. The same send without the blank is the control.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import DomainRoute, ImsConfig, Organisation

ROUTED_HOST = "gateway.partner.example"
MX_HOST = "mx.partner.example"


def _flow(release: str, recipient: str, transcript: list[str], label: str) -> dict[str, Any]:
    """Send one message and report which remote host received it."""
    config = ImsConfig(domain_routes=[DomainRoute(domain="partner.example", host=ROUTED_HOST)])
    org = Organisation(release, ims_config=config)
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host(ROUTED_HOST, "198.51.100.10")
    org.add_remote_host(MX_HOST, "198.51.100.25")
    org.dns.add_zone("partner.example", mx=[(10, MX_HOST)])
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}; route partner.example -> {ROUTED_HOST}; MX -> {MX_HOST}")
    org.client("alice").send(recipient, subject="Order 4711", body="Please confirm.")
    received = {host.name: [list(d.rcpt_to) for d in host.received] for host in org.internet.hosts()}
    connections = [s.peer for s in org.ims.protocol_log.sessions if s.direction == "outbound"]
    transcript.append(f"[{label}] sent to {recipient!r}; IMS connected to {', '.join(connections) or 'no host'}")
    for name, deliveries in received.items():
        if deliveries:
            transcript.append(f"[{label}]   {name} received mail for {deliveries}")
    return {
        "received_by": sorted(name for name, deliveries in received.items() if deliveries),
        "connections": connections,
        "ndrs": len(org.client("alice").ndrs()),
    }


def run(release: str) -> Observation:
    """Reproduce Q228998 on ``release``."""
    transcript: list[str] = []
    trailing = _flow(release, "SMTP:user@partner.example ", transcript, "trailing space")
    control = _flow(release, "SMTP:user@partner.example", transcript, "control")
    symptom = bool(trailing["received_by"]) and trailing["received_by"] != [ROUTED_HOST]
    transcript.append(
        f"symptom: the mail bypassed the per-domain route and went to {', '.join(trailing['received_by'])}"
        if symptom
        else f"no symptom: the mail followed the per-domain route to {ROUTED_HOST}"
    )
    return Observation(
        symptom=symptom,
        evidence={"trailing_space": trailing, "control_without_trailing_space": control, "configured_host": ROUTED_HOST},
        transcript=transcript,
    )
