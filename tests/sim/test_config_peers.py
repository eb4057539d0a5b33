"""Org files that wire peer organisations and script remote hosts: loading, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.exceptions import ConfigError
from kb.sim.config import load_org
from kb.sim.peering import peers_of
from kb.sim.store.report import dsn_fields

PEERS = Path(__file__).resolve().parents[1] / "fixtures" / "sim" / "peers"
SP3 = "Exchange Server 5.5 SP3"


def load_error(tmp_path: Path, text: str, **files: str) -> str:
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_org(SP3, path)
    return str(caught.value).replace(str(tmp_path) + "/", "")


def test_a_peer_file_is_loaded_on_its_own_release_and_wired_both_ways() -> None:
    contoso = load_org(SP3, PEERS / "contoso.yaml")
    assert sorted(peers_of(contoso)) == ["exch01.northwind.example", "mail01.fabrikam.example"]
    fabrikam, northwind = peers_of(contoso)["mail01.fabrikam.example"], peers_of(contoso)["exch01.northwind.example"]
    assert (northwind.builds.name, northwind.internet.host("exch01.contoso.com").ip) == (SP3, "192.0.2.1")
    assert contoso.internet.host("exch01.northwind.example").ip == "192.0.2.3"  # by position
    assert (fabrikam.organisation, fabrikam.builds.name) == ("Fabrikam", "Exchange Server 5.5 SP2")
    assert list(peers_of(fabrikam)) == ["exch01.contoso.com"]
    contoso.client("alice").send("SMTP:dana@fabrikam.example", subject="Hello Dana")
    assert [m.subject for m in fabrikam.client("dana").inbox()] == ["Hello Dana"]
    fabrikam.client("dana").send("SMTP:alice@contoso.com", subject="Hello Alice")
    assert [m.subject for m in contoso.client("alice").inbox()] == ["Hello Alice"]


def test_an_inline_peer_takes_this_files_release_unless_it_names_one() -> None:
    contoso = load_org(SP3, PEERS / "inline.yaml")
    (fabrikam,) = peers_of(contoso).values()
    assert fabrikam.builds.name == "Exchange Server 5.5 SP4"
    contoso.client("alice").send("SMTP:nobody@fabrikam.example", subject="Anyone?")
    (report,) = contoso.client("alice").inbox()
    assert "MSEXCH:IMS:Fabrikam" in report.body


def test_a_scripted_unix_host_from_the_org_file_bounces_after_its_delay() -> None:
    contoso = load_org(SP3, PEERS / "contoso.yaml")
    alice = contoso.client("alice")
    alice.send(["SMTP:gone@example.net", "SMTP:pat@example.net"], subject="Minutes")
    assert alice.inbox() == []
    contoso.advance(60)
    (report,) = alice.inbox()
    assert report.subject == "Returned mail: User unknown"
    assert dsn_fields(report).recipient("gone@example.net")["Status"] == "5.1.1"
    assert [r.state for r in contoso.internet.host("unix.example.net").reports] == ["sent"]


def test_a_missing_peer_file_is_named_at_its_line(tmp_path: Path) -> None:
    assert load_error(tmp_path, "peers:\n  - file: nowhere.yaml\n").startswith(
        "org.yaml:2: peers.0.file: 'nowhere.yaml' is not a file (expected an org file; paths are relative to ")


def test_an_error_inside_a_peer_file_is_located_in_that_file(tmp_path: Path) -> None:
    message = load_error(tmp_path, "peers:\n  - file: peer.yaml\n", **{"peer.yaml": "domain: peer.example\nseed: -1\n"})
    assert message.startswith("peer.yaml:2: seed: -1 is less than the minimum")


def test_a_peer_file_that_declares_peers_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, "peers:\n  - file: peer.yaml\n",
                         **{"peer.yaml": "domain: peer.example\npeers:\n  - file: org.yaml\n"})
    assert message == ("peer.yaml:2: peers: a peer's org file cannot declare peers of its own "
                       "(expected every peer listed in the first file)")


def test_an_inline_peer_with_peers_is_refused_at_its_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, "peers:\n  - org:\n      domain: peer.example\n      peers:\n        - org: {}\n")
    assert message.startswith("org.yaml:4: peers.0.org.peers: a peer cannot declare peers of its own")


def test_a_model_error_inside_an_inline_peer_carries_its_line(tmp_path: Path) -> None:
    text = ("peers:\n  - org:\n      domain: peer.example\n      mailboxes:\n        - alias: dana\n"
            "          rules: [{action: forward, to: nobody}]\n")
    assert load_error(tmp_path, text).startswith("org.yaml:6: peers.0.org.mailboxes.0.rules.0.to: no recipient with alias 'nobody'")


def test_an_unknown_peer_release_is_refused_where_it_is_given(tmp_path: Path) -> None:
    message = load_error(tmp_path, "peers:\n  - org: {domain: peer.example}\n    release: Exchange Server 5.5 SP9\n")
    assert message.startswith("org.yaml:3: peers.0.release: ")
    assert "SP9" in message


def test_a_peer_needs_exactly_one_of_file_and_org(tmp_path: Path) -> None:
    message = load_error(tmp_path, "peers:\n  - release: Exchange Server 5.5 SP4\n")
    assert message == ("org.yaml:2: peers.0: {'release': 'Exchange Server 5.5 SP4'} is not valid (expected one peer: "
                       "exactly one of 'file' (another org file) or 'org' (its keys inline), with optional release, "
                       "ip and own_ip)")


def test_a_peer_claiming_this_organisations_domain_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, "peers:\n  - org: {organisation: Twin, server: MAIL01}\n")
    assert message == "org.yaml:2: peers.0: both organisations claim 'contoso.com'"


def test_a_peer_at_a_remote_hosts_address_is_refused(tmp_path: Path) -> None:
    text = "remote_hosts:\n  - {name: mx.example.net, ip: 192.0.2.2}\npeers:\n  - org: {domain: peer.example}\n"
    assert load_error(tmp_path, text) == (
        "org.yaml:4: peers.0: ip '192.0.2.2' is already 'mx.example.net''s (expected a free address)")


def test_a_bounce_that_is_not_a_5xx_reply_is_refused_by_the_schema(tmp_path: Path) -> None:
    text = "remote_hosts:\n  - name: mx.example.net\n    ip: 192.0.2.25\n    bounces: {a@example.net: \"250 OK\"}\n"
    assert load_error(tmp_path, text) == ("org.yaml:4: remote_hosts.0.bounces.a@example.net: '250 OK' is not valid "
                                          "(expected a 5xx reply line, e.g. '550 5.1.1 User unknown')")


def test_a_bad_domain_of_a_remote_host_is_refused_by_the_schema(tmp_path: Path) -> None:
    text = "remote_hosts:\n  - name: mx.example.net\n    ip: 192.0.2.25\n    domains: [\"exa mple.net\"]\n"
    assert load_error(tmp_path, text).startswith("org.yaml:4: remote_hosts.0.domains.0: 'exa mple.net' is not valid")


def test_a_schema_error_inside_an_inline_peer_carries_its_path_and_line(tmp_path: Path) -> None:
    text = "peers:\n  - org:\n      domain: peer.example\n      seed: -1\n"
    assert load_error(tmp_path, text) == "org.yaml:4: peers.0.org.seed: -1 is less than the minimum of 0"
