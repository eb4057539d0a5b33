"""Configuration and release strings are checked where they are given, with one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.exceptions import ConfigError, ReleaseError
from kb.sim import DomainRoute, ImsConfig, Organisation, RelayRules, resolve
from kb.sim.core.builds import simulated_releases
from kb.sim.config import load_org


@pytest.mark.parametrize(("release", "fragment"), [
    ("Exchange Server 5.5 SP3 + Msexcimc.exe 5.52594.0", "'5.52594.0' is not a build of the 5.5 series of the ims"),
    ("Exchange Server 5.5 SP3 + Store.exe 6.0.4417.5", "not a build of the 5.5 series of the store"),
    ("Exchange Server 5.5 SP3 + Store.exe 5.5", "not a build of the 5.5 series"),
    ("Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17 + Store.exe 5.5.2653.22", "overlays the store twice"),
    ("Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39 + Imcmsg.dll 5.5.2652.78", "overlays the ims twice"),
])
def test_a_malformed_or_doubled_overlay_is_a_release_error(release: str, fragment: str) -> None:
    with pytest.raises(ReleaseError, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        resolve(release)
    with pytest.raises(ReleaseError):
        Organisation(release)


def test_msexcimc_and_imcmsg_of_one_hotfix_may_be_named_together() -> None:
    builds = resolve("Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39 + Imcmsg.dll 5.5.2652.39")
    assert str(builds.ims) == "5.5.2652.39"


def test_every_catalogue_release_and_hotfix_overlay_resolves() -> None:
    names = simulated_releases()
    assert names[:5] == ["Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2",
                         "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4"]
    assert "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17" in names
    assert all(resolve(name).name == name for name in names)


@pytest.mark.parametrize(("value", "number"), [("Maximum", 5), ("medium", 3), (" None ", 0), (1, 1), (5, 5)])
def test_log_levels_are_taken_by_name_or_number_when_the_config_is_made(value: object, number: int) -> None:
    config = ImsConfig(logging={"smtp_protocol_log": value})  # type: ignore[dict-item]
    assert config.log_level("smtp_protocol_log") == number


@pytest.mark.parametrize(("settings", "fragment"), [
    ({"logging": {"smtp_protocol_log": "Maxi"}}, "'Maxi' is not a logging level"),
    ({"logging": {"smtp_protocol_log": 6}}, "6 is not a logging level"),
    ({"logging": {"protocol": 1}}, "logging category 'protocol'"),
    ({"notifications": ["hosts"]}, "notifications 'hosts'"),
    ({"notifications": "some"}, "notifications 'some'"),
    ({"registry": {"RelayFlag": 2}}, "registry value 'RelayFlag' is not modelled"),
    ({"retry_hours": []}, "retry_hours"),
    ({"message_size_kb": -1}, "message_size_kb -1"),
])
def test_a_bad_ims_setting_is_refused_when_the_config_is_made(settings: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        ImsConfig(**settings)  # type: ignore[arg-type]


def test_bad_relay_rules_and_domain_routes_are_refused_when_made() -> None:
    with pytest.raises(ConfigError, match="flags 16"):
        RelayRules(flags=16)
    with pytest.raises(ConfigError, match="'10.0.0;255.0.0.0' is not 'net\\[;mask\\]'"):
        RelayRules(flags=2, allow=["10.0.0;255.0.0.0"])
    with pytest.raises(ConfigError, match="domain ''"):
        DomainRoute("")


@pytest.mark.parametrize(("names", "fragment"), [
    ({"domain": "contoso .com"}, "domain 'contoso .com' is not a DNS name"),
    ({"server": ""}, "server '' is empty"),
    ({"organisation": " "}, "organisation ' ' is empty"),
])
def test_bad_organisation_names_are_refused_when_the_organisation_is_made(names: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        Organisation("Exchange Server 5.5 SP3", **names)


def test_an_org_file_with_a_level_by_name_runs_and_logs(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("mailboxes: [{alias: alice}]\nims:\n  logging: {smtp_protocol_log: Maximum}\n", encoding="utf-8")
    org = load_org("Exchange Server 5.5 SP3", path)
    org.client("alice").send("SMTP:bob@nowhere.invalid", subject="x")
    assert org.ims.config.log_level("smtp_protocol_log") == 5


def test_bad_internet_records_are_refused_when_added() -> None:
    org = Organisation("Exchange Server 5.5 SP3")
    with pytest.raises(ConfigError, match="ip '192.0.2' is not an IPv4 address"):
        org.add_remote_host("mx.example.net", "192.0.2")
    with pytest.raises(ConfigError, match="MX record"):
        org.dns.add_zone("example.net", mx=[("10", "mx.example.net")])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="A record 'mx' is not an IPv4 address"):
        org.dns.add_zone("example.net", a=["mx"])


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789.xX5 -", max_size=14))
def test_any_overlay_build_string_resolves_or_is_a_release_error(text: str) -> None:
    try:
        builds = resolve(f"Exchange Server 5.5 SP3 + Store.exe {text}")
    except ReleaseError:
        return
    assert builds.store.key()[:2] == (5, 5) and len(builds.store.parts) in (3, 4)


@pytest.mark.parametrize("one_off", ["SMTP:a@", "SMTP:@", "SMTP:", "SMTP:a b@c d.com"])
def test_a_malformed_one_off_never_breaks_a_run(one_off: str) -> None:
    org = Organisation("Exchange Server 5.5 SP4")
    org.add_mailbox("alice")
    org.client("alice").send(one_off, subject="typo")
    assert org.ims.running
    assert org.client("alice").ndrs() or org.ims.spool.list("BAD")


@pytest.mark.parametrize(("release", "fragment"), [
    ("Exchange Server 5.5 SP3 + Msexcimc.exe 5.52594.0", "is not a build of the 5.5 series"),
    ("Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17 + Store.exe 5.5.2653.22", "overlays the store twice"),
])
def test_kb_repro_refuses_a_bad_overlay_before_running_anything(release: str, fragment: str) -> None:
    from click.testing import CliRunner

    from kb.cli import cli

    result = CliRunner().invoke(cli, ["repro", "Q254893", "--release", release])
    assert result.exit_code == 1
    assert fragment in result.output and "Traceback" not in result.output
