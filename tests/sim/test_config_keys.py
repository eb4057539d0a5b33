"""Every org file key reaches its modelled behaviour; a bad value is a located one-line error."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.exceptions import ConfigError
from kb.resources import schema_dir
from kb.sim import Organisation
from kb.sim.config import load_org
from kb.sim.serve import SimServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sim"
SP1, SP3, SP4 = "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4"


def _load(name: str, release: str = SP4) -> Organisation:
    return load_org(release, FIXTURES / name)


def _inbound(org: Organisation, payload: bytes, *recipients: str, peer: str = "192.0.2.7") -> list[str]:
    """Run one inbound SMTP transaction; return the reply lines of RCPT and DATA."""
    session = org.ims.session(peer, "mail.example.net")
    session.mail("pat@example.net")
    replies = [session.rcpt(r).line() for r in recipients]
    replies.append(session.data(payload).line())
    org.run()
    return replies


# -- the schema itself -----------------------------------------------------------------------------
def _properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}.{name}", sub
        for key, sub in node.items():
            if key in ("if", "then"):
                continue  # conditions on declared properties, not declarations
            yield from _properties(sub, f"{where}.{key}" if key != "properties" else where)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{where}[{i}]")


def test_every_property_has_a_title_and_a_description_and_every_object_is_closed() -> None:
    schema = json.loads((schema_dir() / "sim-config.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for where, prop in _properties(schema):
        assert prop.get("title") and prop.get("description"), where
        if prop.get("type") == "object" and "properties" in prop:
            assert prop.get("additionalProperties") is False, where


def test_the_built_in_org_still_loads_with_the_ims_running() -> None:
    org = load_org(SP3)
    assert org.ims.running and org.ims.config.administrator == ""


# -- mailboxes.x400, ims.administrator, ims.notifications ------------------------------------------
@pytest.mark.parametrize(("release", "global_domain"), [(SP3, ""), (SP4, "c=US;a=ADMD;p=PRMD;")])
def test_mailbox_x400_of_the_administrator_gives_the_inbound_mts_id(release: str, global_domain: str) -> None:
    org = _load("ims-administrator.yaml", release)
    assert org.directory.get("admin").x400 == "C=US; A=ADMD; P=PRMD; S=Administrator"  # type: ignore[union-attr]
    _inbound(org, b"Subject: figures\r\n\r\nHi.\r\n", "alice@contoso.com")
    (message,) = org.client("alice").inbox()
    assert message.mts_id.startswith(f"{global_domain}l=EXCH01-")


def test_ims_administrator_with_host_notifications_gets_a_copy_of_a_host_not_found_ndr() -> None:
    org = _load("ims-administrator.yaml")
    org.client("alice").send("SMTP:joe@no-such-host.example", subject="test")
    assert len(org.client("alice").ndrs()) == 1
    assert [m.subject for m in org.client("admin").ndrs()] == [org.client("alice").ndrs()[0].subject]


def test_ims_notifications_all_copies_an_unknown_address_ndr_too() -> None:
    org = _load("ims-notify-all.yaml")
    assert org.ims.config.notifications == "all"
    org.client("alice").send("SMTP:nobody@fabrikam.com", subject="test")
    assert len(org.client("alice").ndrs()) == 1 and len(org.client("admin").ndrs()) == 1


# -- ims.disable_oof, ims.disable_auto_replies, registry AlwaysAllowForwarding, mailbox rules -------
def test_ims_disable_oof_drops_an_out_of_office_reply_with_4123() -> None:
    org = _load("automatic-replies.yaml")
    org.client("carl").send("SMTP:buyer@fabrikam.com", subject="Out of Office", message_class="IPM.Note.Rules.OofTemplate.Microsoft")
    assert org.internet.host("mail.fabrikam.com").received == []
    assert len(org.eventlog.entries(source="MSExchangeIMC", event_id=4123)) == 1


def test_mailbox_reply_rule_and_ims_disable_auto_replies_drop_the_rule_reply() -> None:
    org = _load("automatic-replies.yaml")
    _inbound(org, b"From: pat@example.net\r\nSubject: order\r\n\r\nHi.\r\n", "bob@contoso.com")
    assert [m.subject for m in org.client("bob").inbox()] == ["order"]
    assert org.internet.host("mail.fabrikam.com").received == []
    assert len(org.eventlog.entries(source="MSExchangeIMC", event_id=4123)) == 1


@pytest.mark.parametrize(("release", "forwarded"), [(SP1, False), (SP3, True)])
def test_mailbox_forward_rule_leaves_with_always_allow_forwarding_from_sp2(release: str, forwarded: bool) -> None:
    org = _load("automatic-replies.yaml", release)
    assert org.ims.config.registry == {"AlwaysAllowForwarding": 1}
    org.client("carl").send("alice", subject="minutes")
    received = org.internet.host("mail.fabrikam.com").received
    assert [list(d.rcpt_to) for d in received] == ([["alice@fabrikam.com"]] if forwarded else [])


# -- ims.registry: ResolveP2, size limits, AdvertiseSMTPExtensions, SiteDomain ----------------------
@pytest.mark.parametrize(("release", "archived"), [(SP1, True), (SP3, False)])
def test_registry_resolve_p2_resolves_the_originator_in_the_directory(release: str, archived: bool) -> None:
    org = _load("resolve-p2.yaml", release)
    _inbound(org, b"From: someone@fabrikam.com\r\nSubject: hi\r\n\r\nHi.\r\n", "alice@contoso.com")
    events = [(e.source, e.event_id) for e in org.eventlog.entries()]
    if archived:
        assert events == [("MSExchangeIS", 12004), ("MSExchangeIMC", 4117)] and org.client("alice").inbox() == []
    else:
        assert events == [] and [m.subject for m in org.client("alice").inbox()] == ["hi"]


@pytest.mark.parametrize(("release", "limited"), [("Exchange Server 5.5 SP2", False), (SP3, True)])
def test_registry_inbound_size_limit_answers_552_from_2591(release: str, limited: bool) -> None:
    org = _load("ims-limits.yaml", release)
    reply = _inbound(org, b"Subject: big\r\n\r\n" + b"x" * 5000 + b"\r\n", "alice@contoso.com")[-1]
    assert reply.startswith("552 ") == limited


def test_registry_outbound_size_limit_ndrs_a_larger_message() -> None:
    org = _load("ims-limits.yaml")
    org.client("alice").send("SMTP:carol@example.net", subject="big", body="x" * 9000)
    assert org.internet.host("mx.example.net").received == []
    assert " 3903 " in org.client("alice").ndrs()[0].recipients[0].supplementary


def test_registry_advertise_smtp_extensions_0_drops_the_e_from_the_banner() -> None:
    org = _load("ims-limits.yaml")
    assert org.ims.session("192.0.2.7").banner().startswith("exch01.contoso.com SMTP Server (Microsoft Exchange")


def test_registry_site_domain_is_the_domain_of_the_postmaster() -> None:
    org = _load("ims-limits.yaml")
    org.client("alice").send("SMTP:carol@example.net", subject="big", body="x" * 9000)
    assert org.client("alice").ndrs()[0].sender == "postmaster@mail.contoso.com"


# -- ims.domain_routes (max_size_kb, relay), ims.address_spaces ------------------------------------
def test_domain_route_max_size_kb_limits_only_that_domain() -> None:
    org = _load("ims-limits.yaml")
    org.client("alice").send(["SMTP:p@partner.example", "SMTP:c@example.net"], subject="3k", body="x" * 3000)
    assert len(org.internet.host("mx.example.net").received) == 1
    assert org.internet.host("mx.partner.example").received == []
    (row,) = org.client("alice").ndrs()[0].recipients
    assert row.address == "p@partner.example"


def test_domain_route_relay_lets_any_client_relay_to_that_domain_only() -> None:
    org = _load("ims-limits.yaml")
    session = org.ims.session("192.0.2.7", "mail.example.net")
    session.mail("pat@example.net")
    assert session.rcpt("x@partner.example").line().startswith("250 ")
    assert session.rcpt("x@other.example").line() == "550 Relaying is prohibited"


def test_ims_address_spaces_send_other_domains_to_an_mta_ndr() -> None:
    org = _load("ims-limits.yaml")
    org.client("alice").send("SMTP:x@other.example", subject="outside")
    assert org.internet.host("mx.other.example").received == []
    assert org.client("alice").ndrs()[0].recipients[0].supplementary.startswith("MSEXCH:MSExchangeMTA:")


# -- ims.service -----------------------------------------------------------------------------------
def test_ims_service_stopped_holds_outbound_mail_in_mts_out() -> None:
    org = _load("ims-stopped.yaml")
    assert org.ims.state == "stopped"
    org.client("alice").send("SMTP:carol@example.net", subject="queued")
    assert [m["subject"] for m in org.ims.queues()["outbound_awaiting_conversion"]] == ["queued"]
    org.ims.start()
    org.run()
    assert len(org.internet.host("mx.example.net").received) == 1


def test_ims_service_stopped_refuses_smtp_connections_with_421_over_the_wire() -> None:
    with SimServer(_load("ims-stopped.yaml"), ("127.0.0.1", 0), ("127.0.0.1", 0)).running() as bound:
        with pytest.raises(smtplib.SMTPConnectError) as caught:
            smtplib.SMTP(bound.smtp[0], bound.smtp[1], timeout=5)
        assert caught.value.smtp_code == 421
        assert caught.value.smtp_error == b"exch01.contoso.com Service not available, closing transmission channel"


# -- bad values ------------------------------------------------------------------------------------
BAD = [
    ("mailboxes:\n  - alias: admin\n    x400: Administrator\n", 3,
     "mailboxes.0.x400: 'Administrator' is not valid (expected The mailbox's X.400 address"),
    ("mailboxes:\n  - alias: alice\n    rules:\n      - {action: bounce}\n", 4,
     "mailboxes.0.rules.0.action: 'bounce' is not one of ['forward', 'reply']"),
    ("mailboxes:\n  - alias: alice\n    rules:\n      - {action: forward, to: nobody}\n", 4,
     "mailboxes.0.rules.0.to: no recipient with alias 'nobody' (expected an alias of this file or TYPE:address)"),
    ("mailboxes:\n  - alias: alice\n    rules:\n      - {action: forward}\n", 4,
     "mailboxes.0.rules.0: 'to' is a required property"),
    ("mailboxes:\n  - alias: alice\nims:\n  administrator: nobody\n", 4,
     "ims.administrator: 'nobody' is not a mailbox of this file (expected one of: alice)"),
    ("ims:\n  notifications: [host]\n", 2,
     "ims.notifications: ['host'] needs ims.administrator set too"),
    ("mailboxes:\n  - alias: a\nims:\n  administrator: a\n  notifications: [hosts]\n", 5,
     "ims.notifications: ['hosts'] is not valid (expected Internet Mail tab 'Notifications'"),
    ("ims:\n  disable_oof: sometimes\n", 2, "ims.disable_oof: 'sometimes' is not of type 'boolean'"),
    ("ims:\n  disable_auto_replies: 1\n", 2, "ims.disable_auto_replies: 1 is not of type 'boolean'"),
    ("ims:\n  service: paused\n", 2, "ims.service: 'paused' is not one of ['running', 'stopped']"),
    ("ims:\n  address_spaces:\n    - {type: SMTP}\n", 3, "ims.address_spaces.0: 'address' is a required property"),
    ("ims:\n  registry:\n    ResolveP2: 2\n", 3, "ims.registry.ResolveP2: 2 is not one of [0, 1]"),
    ("ims:\n  registry:\n    AlwaysAllowForwarding: yes please\n", 3,
     "ims.registry.AlwaysAllowForwarding: 'yes please' is not one of [0, 1]"),
    ("ims:\n  registry:\n    InboundSizeLimit: -1\n", 3, "ims.registry.InboundSizeLimit: -1 is less than the minimum of 0"),
    ("ims:\n  registry:\n    ResolveP3: 1\n", 2,
     "ims.registry: Additional properties are not allowed ('ResolveP3' was unexpected)"),
    ("ims:\n  domain_routes:\n    - {domain: partner.example, max_size_kb: -2}\n", 3,
     "ims.domain_routes.0.max_size_kb: -2 is less than the minimum of 0"),
    ("store:\n  max_recipients_on_submit: many\n", 2,
     "store.max_recipients_on_submit: 'many' is not of type 'integer'"),
    ("start: 'soon'\n", 1, "start: 'soon' is not an ISO 8601 date-time (expected e.g. 2000-01-11T09:00:00)"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD, ids=[m.split(":")[0] for _, _, m in BAD])
def test_a_bad_value_is_one_located_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_org(SP3, bad)
    error = str(caught.value)
    assert "\n" not in error
    assert error.startswith(f"{bad}:{line}: {message}"), error


def test_the_example_org_file_of_the_simulator_docs_loads(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text(encoding="utf-8")
    example = docs.split("An example (see also `tests/fixtures/sim/`):", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "org.yaml").write_text(example, encoding="utf-8")
    org = load_org(SP4, tmp_path / "org.yaml")
    assert org.ims.config.administrator == "admin" and org.rules.rules("dana")[0].action == "forward"
