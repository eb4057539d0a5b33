"""Q193639 — XFOR: Internet Mail Service Stops with Event Log Error 4116.

From the article:
- Trigger: an outbound message in MTS-OUT has "a property header that contained more than 21 KB
  of data", and with the other properties it totals more than 32 KB. The store's memory manager
  allows 32 KB per RPC, so the property fetch fails with 0x8007000E (out of memory).
- Symptom: MSExchangeIMC event 4116; its data begins ``74 00 05 00 0e 00 07 80``; the Internet
  Mail Service stops ("programmed to stop if it receives such a memory error").
- Fixed: Exchange Server 5.5 SP2, Msexcimc.exe 5.5.2417.0: the error is no longer critical and
  the properties are fetched in two attempts.

Modelled assumptions (not in the article):
- The large property is PR_TRANSPORT_MESSAGE_HEADERS (24 KB of header text, as a forwarded
  Internet message carries); the rest of the 32 KB comes from the PR_DISPLAY_TO of a message to
  500 recipients. Which properties they were is not stated.
- The message stays in MTS-OUT while the service is stopped and is retried when the service
  starts (the 4116 text: "Otherwise it will be retried when the service is restarted"), so a
  restart stops the service again.
- On fixed builds the message is delivered.
"""

from __future__ import annotations

from typing import Any

from kb.repro import Observation
from kb.sim import Organisation

DOMAIN = "fabrikam.com"
RECIPIENTS = [f"SMTP:user{n:03d}@{DOMAIN}" for n in range(500)]
HEADER_BLOCK = "".join(f"X-Relay-Trace-{n:04d}: hop through gateway{n % 7}.example.net\r\n" for n in range(450))


def _events(org: Organisation, event_id: int) -> list[dict[str, Any]]:
    return [
        {"event_id": e.event_id, "type": e.type, "category": e.category, "data": e.data.hex(" "), "description": e.description}
        for e in org.eventlog.entries(source="MSExchangeIMC", event_id=event_id)
    ]


def run(release: str) -> Observation:
    """Reproduce Q193639 on ``release``."""
    org = Organisation(release)
    org.add_mailbox("alice", "Alice Smith")
    host = org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
    org.dns.add_zone(DOMAIN, mx=[(10, "mail.fabrikam.com")])
    client = org.client("alice")
    transcript = [f"{org.builds.name}: IMS {org.builds.ims}, Store.exe {org.builds.store}, MTA {org.builds.mta}"]
    sizes = org.store.property_sizes(
        client.compose(RECIPIENTS, subject="Trace", props={"PR_TRANSPORT_MESSAGE_HEADERS": HEADER_BLOCK})
    )
    transcript.append(
        f"message properties: PR_TRANSPORT_MESSAGE_HEADERS {sizes['PR_TRANSPORT_MESSAGE_HEADERS']} bytes, "
        f"PR_DISPLAY_TO {sizes['PR_DISPLAY_TO']} bytes, {sum(sizes.values())} bytes in all"
    )
    client.send(RECIPIENTS, subject="Trace", body="See the header block.",
                props={"PR_TRANSPORT_MESSAGE_HEADERS": HEADER_BLOCK})
    first_state = org.ims.state
    events_4116 = _events(org, 4116)
    transcript.append(f"sent to {len(RECIPIENTS)} recipients at {DOMAIN}; MSExchangeIMC service: {first_state}")
    for event in events_4116:
        transcript.append(f"  event 4116 ({event['type']}, {event['category']}), data: {event['data']}")
    queued = [m["subject"] for m in org.ims.queues()["outbound_awaiting_conversion"]]
    transcript.append(f"outbound messages awaiting conversion (MTS-OUT): {queued}")
    client.send(f"SMTP:carol@{DOMAIN}", subject="Lunch?", body="12:30?")
    transcript.append(f"a second, ordinary message: {'delivered' if any('carol@' + DOMAIN in d.rcpt_to for d in host.received) else 'not delivered'}")
    restarted_state = None
    if first_state == "stopped":
        org.ims.start()
        org.run()
        restarted_state = org.ims.state
        transcript.append(f"service restarted: the message is retried; service: {restarted_state}")
    delivered = sorted({r for d in host.received for r in d.rcpt_to})
    stopped_on_memory_error = first_state == "stopped" and any(e["data"].startswith("74 00 05 00 0e 00 07 80") for e in events_4116)
    symptom = stopped_on_memory_error and "user000@" + DOMAIN not in delivered
    transcript.append(
        "symptom: event 4116 (0x8007000E) and the Internet Mail Service stopped"
        if symptom
        else f"no symptom: the message was delivered to {len([r for r in delivered if r.startswith('user')])} recipients"
    )
    return Observation(
        symptom=symptom,
        evidence={
            "service_after_send": first_state,
            "service_after_restart": restarted_state,
            "events_4116": events_4116,
            "mts_out": queued,
            "delivered_recipients": len(delivered),
            "property_bytes": sizes,
        },
        transcript=transcript,
    )
