"""Q258999 — XIMS: Internet Mail w. Original Address of Mail From:<> Changed.

From the article: the IMS is set to "Forward all messages to host" (smtp.microsoft.com); the
Routing tab has "Do not reroute incoming SMTP mail" with the SMTP domain (microsoft.com) accepted
as incoming; a custom recipient exists for user@microsoft.com. Internet mail with a null From,
"Mail From:<>", arrives for that user: the IMS accepts it and forwards it to smtp.microsoft.com
with "Mail From:<unknown>". First corrected in SP4 (post-SP3 IMS fixes of May 19, 2000,
Msexcimc.exe 5.5.2652.39, Q246889).

Modelled assumptions: the arriving message is a delivery report from another Internet host (a
null reverse path is what reports use, RFC 5321 §4.5.5). The fixed IMS keeps MAIL FROM:<>. The
negative control sends the same message with a real reverse path: it is forwarded with that path
on every build.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation, smtp_lines
from kb.sim import DomainRoute, ImsConfig, Organisation

SMART_HOST = "smtp.microsoft.com"
USER = "user@microsoft.com"
REPORT = (b"From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.org>\r\nTo: user@microsoft.com\r\n"
          b"Subject: Returned mail: see transcript for details\r\n\r\nThe original message was received.\r\n")


def _flow(release: str, mail_from: str, transcript: list[str], label: str) -> dict[str, Any]:
    """Send ``REPORT`` from the Internet with ``mail_from`` to the custom recipient's address."""
    config = ImsConfig(forward_host=SMART_HOST, reroute_incoming=False,
                       domain_routes=[DomainRoute("microsoft.com", inbound=True)])
    org = Organisation(release, ims_config=config)
    org.add_custom_recipient("user", f"SMTP:{USER}", "User (Internet)", smtp=[USER])
    smart = org.add_remote_host(SMART_HOST, "192.0.2.80")
    transcript.append(f"[{label}] {org.builds.name}: IMS {org.builds.ims}; forward all messages to {SMART_HOST}")
    session = org.ims.session(peer_ip="192.0.2.10", peer_name="mail.example.org")
    dialogue = session.transaction("mail.example.org", mail_from, [USER], REPORT)
    org.run()
    transcript += smtp_lines(dialogue, f"{label}, inbound")
    transcript += org.ims.protocol_log.transcript(f"{label}, to {SMART_HOST}", "outbound")
    return {"forwarded_mail_from": [d.mail_from for d in smart.received],
            "forwarded_to": sorted(r for d in smart.received for r in d.rcpt_to)}


def run(release: str) -> Observation:
    """Reproduce Q258999 on ``release``."""
    transcript: list[str] = []
    null = _flow(release, "", transcript, "MAIL FROM:<>")
    control = _flow(release, "MAILER-DAEMON@mail.example.org", transcript, "control: real reverse path")
    changed = [path for path in null["forwarded_mail_from"] if path != ""]
    symptom = bool(null["forwarded_to"]) and bool(changed)
    transcript.append(f"symptom: forwarded to {SMART_HOST} with MAIL FROM:<{changed[0]}>" if symptom
                      else f"no symptom: forwarded to {SMART_HOST} with MAIL FROM:<> kept")
    return Observation(symptom=symptom, evidence={"null_reverse_path": null, "control_real_reverse_path": control},
                       transcript=transcript)
