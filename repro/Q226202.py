"""Q226202 — XCON: No Delivery Receipts When IMS Is in Mailbox Disabled State.

From the article: MSExchangeIS Private event 2018 (Type Information, category Transfer Out Of
Gateway) "The generation of a delivery report or a non - delivery report for a gateway
/o=MyOrg/ou=MySite/cn=configuration/cn=connections/cn=internet mail connector has failed due to
error 0x4dd", and the IMS's mailbox shows "Mailbox disabled" in the Storage Limits column. CAUSE:
the report cannot be created because the IMS mailbox has reached the quota set on the Private
Information Store's General tab. Fixed in SP3 (Store.exe 5.5.2591.0).

Modelled assumptions: the IMS mailbox fills with large outbound messages waiting for retry to a
host that answers 421 (a message stays in the IMS mailbox until the IMS has finished with it,
Q296879); the report that should be made is the NDR of a message to a domain that does not exist
(an NDR "for a gateway"); the IMS then logs 4120 because its notification failed. The backlog comes from three users, each under the
limit (their Sent Items count against their own mailboxes). The negative
control sends the same NDR-producing message with the IMS mailbox under its limit.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation, StorageLimits


def _flow(release: str, backlog: int, transcript: list[str], label: str) -> dict[str, Any]:
    """Queue ``backlog`` 400 KB messages for a busy host, then send to a domain that does not exist."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    senders = [f"user{n}" for n in range(backlog)]  # each under the limit; together over it
    for alias in senders:
        org.add_mailbox(alias, alias.capitalize())
    org.store.quotas.set_limits(StorageLimits(warning_kb=600, prohibit_send_kb=800, prohibit_send_receive_kb=1000))
    org.add_remote_host("mx.busy.example", "192.0.2.40", behaviour="tempfail")
    org.dns.add_zone("busy.example", mx=[(10, "mx.busy.example")])
    client = org.client("alice")
    for number, alias in enumerate(senders):
        org.client(alias).send("SMTP:bob@busy.example", subject=f"Site plans {number + 1}", body="x" * 400_000)
    state = org.store.quotas.state(org.ims_mailbox)
    transcript.append(f"[{label}] {org.builds.name}: store {org.builds.store}; {backlog} message(s) waiting; "
                      f"IMS mailbox Storage Limits: {state}")
    client.send("SMTP:pat@invaliddomain.com", subject="Meeting", body="See you there.")
    for entry in org.eventlog.entries():
        transcript.append(f"[{label}]   event {entry.source} {entry.event_id} ({entry.type}): {entry.description}")
    ndrs = client.ndrs()
    transcript.append(f"[{label}]   NDRs in Alice's Inbox: {len(ndrs)}")
    return {"ims_mailbox": state, "ndrs": len(ndrs),
            "events": [f"{e.source} {e.event_id}" for e in org.eventlog.entries()]}


def run(release: str) -> Observation:
    """Reproduce Q226202 on ``release``."""
    transcript: list[str] = []
    full = _flow(release, 3, transcript, "IMS mailbox over its limit")
    control = _flow(release, 1, transcript, "control: IMS mailbox under its limit")
    symptom = full["ndrs"] == 0 and "MSExchangeIS Private 2018" in full["events"]
    transcript.append("symptom: no NDR for the gateway, event 2018 (0x4dd)" if symptom
                      else "no symptom: the NDR was generated although the IMS mailbox is over its limit")
    return Observation(symptom=symptom, evidence={"mailbox_disabled": full, "control_below_limit": control},
                       transcript=transcript)
