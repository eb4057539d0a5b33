"""The new settings are checked where they are given, load from an org file, and their data formats round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.exceptions import ConfigError
from kb.sim import DomainRoute, ImsConfig, Organisation
from kb.sim.config import load_org
from kb.sim.ims.loglevels import AccessViolation, printf, strip_subject
from kb.sim.peering import wire
from kb.sim.store.quota import StorageLimits
from kb.sim.ims.tnef import TnefError, TnefMessage, TnefRecipient, decode, encode
from kb.sim.mta.x400 import ber_integer, encapsulate_x400, parse_or_address

SP3 = "Exchange Server 5.5 SP3"


@pytest.mark.parametrize("settings, message", [
    ({"content_format": "BinHex"}, "'BinHex' is not a message content format"),
    ({"rich_text": "sometimes"}, "'sometimes' is not a rich-text setting"),
    ({"logging": {"smtp_protocol_log": "Verbose"}}, "'Verbose' is not a logging level"),
    ({"logging": {"smtp_protocol_log": 7}}, "7 is not a logging level"),
])
def test_bad_ims_settings_are_refused_when_the_config_is_made(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ImsConfig(**settings)  # type: ignore[arg-type]


def test_a_domain_entry_refuses_an_unknown_content_format_but_takes_any_case() -> None:
    with pytest.raises(ConfigError, match="'yEnc' is not a message content format"):
        DomainRoute("partner.example", content="yEnc")
    assert DomainRoute("partner.example", content="uuencode", rich_text="Always").rich_text == "Always"


def test_storage_limits_refuse_negative_and_oversized_values() -> None:
    with pytest.raises(ConfigError, match="prohibit_send_kb -1 is not a limit in KB"):
        StorageLimits(prohibit_send_kb=-1)
    with pytest.raises(ConfigError, match="warning_kb 3000000"):
        StorageLimits(warning_kb=3_000_000)
    assert StorageLimits(warning_kb=10).state(20 * 1024) == "Issue warning"


def test_storage_limits_for_an_unknown_mailbox_are_refused() -> None:
    org = Organisation(SP3)
    with pytest.raises(ConfigError, match="mailbox 'ghost' does not exist"):
        org.store.quotas.set_limits(StorageLimits(prohibit_send_kb=1), "ghost")


@pytest.mark.parametrize("address, message", [
    ("p=Fabrikam", "needs c= and a="),
    ("c=US;a= ;zz=1", "'zz=1' is not key=value"),
])
def test_an_x400_connector_refuses_a_bad_address_space(address: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Organisation(SP3).add_x400_connector("FABMTA", address)


def test_an_x400_message_from_outside_the_address_space_is_refused() -> None:
    connector = Organisation(SP3).add_x400_connector("FABMTA", "c=US;a= ;p=Fabrikam")
    with pytest.raises(ConfigError, match="not in the connector's address space"):
        connector.submit("c=US;a= ;p=Other;s=Smith", ["SMTP:x@example.net"])


def test_ber_integers_are_minimal_twos_complement() -> None:
    assert ber_integer(0, 1).hex(" ") == "80 01 01"
    assert ber_integer(0, -1).hex(" ") == "80 01 ff"
    assert ber_integer(0, 255).hex(" ") == "80 02 00 ff"
    assert ber_integer(0, 0xFFFF).hex(" ") == "80 03 00 ff ff"
    assert ber_integer(1, 47).hex(" ") == "81 01 2f"


def test_or_addresses_parse_and_encapsulate_as_the_ims_writes_them() -> None:
    assert parse_or_address("c=US;a= ;p=Fabrikam;s=Smith")["s"] == "Smith"
    assert encapsulate_x400("c=US;a= ;p=Fab", "contoso.com") == "IMCEAX400-c=US+3Ba=+20+3Bp=Fab@contoso.com"


def test_tnef_round_trips_and_refuses_a_damaged_stream() -> None:
    message = TnefMessage("IPM.Note", "Plans", "Body", (TnefRecipient("Sales Team", "SMTP", "sales@contoso.com"),
                                                         TnefRecipient("Bo", "EX", "/o=Contoso/cn=bo", "Cc")))
    stream = encode(message)
    assert stream[:4] == bytes.fromhex("789f3e22")
    assert decode(stream) == message
    damaged = bytearray(stream)
    damaged[-5] ^= 0xFF
    with pytest.raises(TnefError):
        decode(bytes(damaged))
    with pytest.raises(TnefError, match="not a TNEF stream"):
        decode(b"\0" * 16)


def test_the_log_writer_formats_like_printf_without_arguments() -> None:
    assert printf("100%% done, %d items, %5x") == "100% done, 0 items, 0"
    with pytest.raises(AccessViolation):
        printf("RE:33%s5")
    assert strip_subject('499 No routing hosts are reachable for a.example. Message subject: ""x"". Rescheduling '
                         'delivery for later.') == "499 No routing hosts are reachable for a.example. Rescheduling delivery for later."


def test_wiring_refuses_one_organisation_twice_and_shared_domains() -> None:
    a = Organisation(SP3)
    with pytest.raises(ConfigError, match="cannot be wired to itself"):
        wire(a, a)
    with pytest.raises(ConfigError, match="claim 'contoso.com'"):
        wire(a, Organisation(SP3, server="EXCH02"))
    with pytest.raises(ConfigError, match="both organisations at"):
        wire(a, Organisation(SP3, domain="fabrikam.example"), "192.0.2.9", "192.0.2.9")


def test_peers_on_different_releases_talk_and_a_stopped_peer_answers_421() -> None:
    a, b = Organisation("Exchange Server 5.5 SP4"), Organisation("Exchange Server 5.5", domain="fabrikam.example",
                                                                 server="MAIL01")
    wire(a, b)
    a.add_mailbox("alice")
    b.add_mailbox("dana")
    b.ims.stop()
    a.client("alice").send("SMTP:dana@fabrikam.example", subject="later")
    assert b.client("dana").inbox() == []
    assert any("421" in line for line in a.ims.protocol_log.lines())
    b.ims.start()
    a.advance(15 * 60)  # the first retry (.25 h)
    assert [m.subject for m in b.client("dana").inbox()] == ["later"]


def test_an_org_file_sets_content_limits_connectors_and_levels(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(
        "mailboxes: [{alias: alice}, {alias: remote, home_server: exch02}]\n"
        "store:\n  storage_limits: {warning_kb: 100, prohibit_send_kb: 200, prohibit_send_receive_kb: 300}\n"
        "x400_connectors:\n  - {foreign_mta: FABMTA, address_space: 'c=US;a= ;p=Fabrikam', strict: false}\n"
        "ims:\n  content_format: UUENCODE\n  rich_text: never\n"
        "  domain_routes: [{domain: partner.example, content: MIME, rich_text: always}]\n"
        "  logging: {smtp_protocol_log: 3}\n", encoding="utf-8")
    org = load_org(SP3, path)
    assert (org.ims.config.content_format, org.ims.config.rich_text) == ("UUENCODE", "never")
    assert (org.ims.config.domain_routes[0].content, org.ims.config.domain_routes[0].rich_text) == ("MIME", "always")
    assert org.store.quotas.default == StorageLimits(100, 200, 300)
    assert org.x400_connectors[0].foreign.strict is False
    assert org.ims.config.log_level("smtp_protocol_log") == 3
    assert org.directory.get("remote").home_server == "EXCH02"


@pytest.mark.parametrize("text, line, message", [
    ("ims:\n  rich_text: sometimes\n", 2, "ims.rich_text: 'sometimes' is not one of"),
    ("store:\n  storage_limits: {prohibit_send_kb: -5}\n", 2, "store.storage_limits.prohibit_send_kb: -5 is less than"),
    ("x400_connectors:\n  - {foreign_mta: F,\n     address_space: 'p=Fab'}\n", 3, "x400_connectors.0.address_space"),
    ("ims:\n  domain_routes:\n    - {domain: a.example, content: BinHex}\n", 3, "ims.domain_routes.0.content"),
])
def test_bad_new_org_file_settings_stop_the_load_at_their_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_org(SP3, path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)
