"""Org files: the built-in default, a custom org, and located errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.exceptions import ConfigError
from kb.sim.config import load_org

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sim"


def test_the_built_in_org_has_mailboxes_dns_and_remote_hosts() -> None:
    org = load_org("Exchange Server 5.5 SP3")
    assert [m.alias for m in org.directory.mailboxes()] == ["administrator", "alice", "bob", "joeuser"]
    org.client("alice").send("carol", subject="to the custom recipient")
    assert len(org.internet.host("mx.example.net").received) == 1


def test_a_custom_org_file_sets_names_and_logging() -> None:
    org = load_org("Exchange Server 5.5 SP4", FIXTURES / "small-org.yaml")
    assert (org.organisation, org.site, org.server, org.domain) == ("Fabrikam", "Head Office", "MAIL01", "fabrikam.example")
    assert org.ims.config.archiving
    org.client("dana").send("SMTP:x@nowhere.example", subject="s")
    assert org.client("dana").ndrs()[0].recipients[0].supplementary.startswith("MSEXCH:IMS:Fabrikam:Head Office:MAIL01 3902")


def test_a_schema_violation_is_reported_with_path_line_and_the_bad_value() -> None:
    with pytest.raises(ConfigError) as caught:
        load_org("Exchange Server 5.5 SP3", FIXTURES / "bad-relay-flags.yaml")
    assert str(caught.value) == f"{FIXTURES / 'bad-relay-flags.yaml'}:6: ims.relay.flags: 99 is greater than the maximum of 15"


def test_invalid_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text("organisation: X\nmailboxes: [\n  - alias: a\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_org("Exchange Server 5.5 SP3", bad)
    assert str(caught.value).startswith(f"{bad}:")
    assert "invalid YAML" in str(caught.value)


def test_a_duplicate_alias_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text("mailboxes:\n  - alias: a\n  - alias: A\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="alias 'A' is already taken"):
        load_org("Exchange Server 5.5 SP3", bad)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the org file"):
        load_org("Exchange Server 5.5 SP3", tmp_path / "missing.yaml")
