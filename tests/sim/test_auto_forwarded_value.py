"""The IMS's drop of automatic messages reads PR_AUTO_FORWARDED's value, not its presence (Q192939)."""

from __future__ import annotations

import pytest

from kb.sim import ImsConfig, Organisation

# release -> is a reply carrying PR_AUTO_FORWARDED = FALSE dropped (4123)?
MATRIX = {
    "Exchange Server 5.5": True,
    "Exchange Server 5.5 SP1": True,
    "Exchange Server 5.5 SP1 + Msexcimc.exe 5.5.2387.0": False,
    "Exchange Server 5.5 SP2": False,
    "Exchange Server 5.5 SP3": False,
    "Exchange Server 5.5 SP4": False,
}


def _org(release: str, **ims: object) -> Organisation:
    org = Organisation(release, ims_config=ImsConfig(**ims))  # type: ignore[arg-type]
    org.add_mailbox("alice", "Alice Smith")
    org.add_remote_host("mail.fabrikam.com", "192.0.2.25")
    org.dns.add_zone("fabrikam.com", mx=[(10, "mail.fabrikam.com")])
    return org


def _outcome(org: Organisation, **send: object) -> tuple[bool, int]:
    """Send to buyer@fabrikam.com; return (delivered, number of 4123 events)."""
    org.client("alice").send("SMTP:buyer@fabrikam.com", subject="RE: order", body="Confirmed.", **send)  # type: ignore[arg-type]
    delivered = bool(org.internet.host("mail.fabrikam.com").received)
    return delivered, len(org.eventlog.entries(source="MSExchangeIMC", event_id=4123))


@pytest.mark.parametrize("release", list(MATRIX))
def test_a_false_auto_forwarded_property_drops_the_message_only_before_2387(release: str) -> None:
    org = _org(release, disable_auto_replies=True)
    delivered, dropped = _outcome(org, props={"PR_AUTO_FORWARDED": False})
    assert (delivered, dropped) == ((False, 1) if MATRIX[release] else (True, 0))
    assert org.client("alice").ndrs() == []  # dropped silently: no NDR


@pytest.mark.parametrize("release", list(MATRIX))
def test_without_the_option_the_property_changes_nothing(release: str) -> None:
    assert _outcome(_org(release), props={"PR_AUTO_FORWARDED": False}) == (True, 0)


@pytest.mark.parametrize("release", list(MATRIX))
def test_an_ordinary_message_passes_and_a_rule_reply_is_dropped_on_every_build(release: str) -> None:
    assert _outcome(_org(release, disable_auto_replies=True)) == (True, 0)
    reply = _outcome(_org(release, disable_auto_replies=True), message_class="IPM.Note.Rules.ReplyTemplate.Microsoft")
    assert reply == (False, 1)


@pytest.mark.parametrize("release", list(MATRIX))
def test_an_out_of_office_reply_is_dropped_only_when_oof_is_disabled(release: str) -> None:
    oof = "IPM.Note.Rules.OofTemplate.Microsoft"
    assert _outcome(_org(release, disable_auto_replies=True), message_class=oof) == (True, 0)
    assert _outcome(_org(release, disable_oof=True), message_class=oof) == (False, 1)
