"""Build an Organisation from a YAML org file validated by ``schemas/sim-config.schema.json``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from kb.exceptions import ConfigError, ReleaseError, SimError
from kb.located import Locator, dotted, validator
from kb.resources import data_path
from kb.sim.core.directory import Mailbox
from kb.sim.ims.config import DomainRoute, ImsConfig, RelayRules, level
from kb.sim.core.builds import resolve
from kb.sim.org import Organisation
from kb.sim.peering import wire
from kb.sim.store.quota import StorageLimits
from kb.sim.store.rules import InboxRule

SCHEMA = "sim-config.schema.json"
MAX_CONFIG_BYTES = 1_000_000


def default_config_path() -> Path:
    """Return the built-in default organisation file."""
    return data_path("sim", "default-org.yaml")


def _read(path: Path) -> tuple[dict[str, Any], str]:
    """Read and validate an org file; return its settings and its text."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(str(path), None, f"cannot read the org file: {error.strerror or error}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(str(path), None, f"the org file is {len(raw)} bytes, expected at most {MAX_CONFIG_BYTES}")
    try:
        text = raw.decode("utf-8")
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except UnicodeDecodeError as error:
        raise ConfigError(str(path), None, f"the org file is not UTF-8 ({error.reason} at byte {error.start})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(str(path), mark.line + 1 if mark else None, f"invalid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), 1, f"expected a mapping of settings, found {type(data).__name__}")
    errors = sorted(validator(SCHEMA).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        where = tuple(first.absolute_path)
        field = dotted(where)
        message = first.message
        if first.validator in ("oneOf", "pattern") and first.schema.get("description"):
            # "not valid under any of the given schemas" or a regex says little of what would be.
            message = f"{first.instance!r} is not valid (expected {first.schema['description']})"
        elif first.validator == "dependentRequired":
            # Point at the key that needs the others, not at the mapping that holds it.
            key, needs = next((k, v) for k, v in first.validator_value.items()
                              if k in first.instance and any(n not in first.instance for n in v))
            where += (key,)
            field = dotted(where)
            message = f"{first.instance[key]!r} needs {' and '.join(dotted(where[:-1] + (n,)) for n in needs)} set too"
        raise ConfigError(str(path), Locator(text).line(where), f"{field + ': ' if field else ''}{message}")
    return data, text


def read_config(path: str | Path) -> dict[str, Any]:
    """Read and validate an org file; raise ConfigError ``path:line: message``."""
    return _read(Path(path))[0]


class _Places:
    """Turn model errors about a part of the org file into located ConfigErrors.

    ``prefix`` is where the organisation's mapping sits in the file (an inline peer's ``org``).
    """

    def __init__(self, path: str, text: str | None, prefix: tuple[str | int, ...] = ()) -> None:
        self.path = path
        self.locator = Locator(text)
        self.prefix = prefix

    def error(self, where: tuple[str | int, ...], message: str) -> ConfigError:
        """Return the ConfigError ``path:line: dotted.where: message``."""
        where = self.prefix + where
        return ConfigError(self.path, self.locator.line(where), f"{dotted(where)}: {message}")

    @contextmanager
    def at(self, *where: str | int) -> Iterator[None]:
        """Report a SimError (or an unlocated model ConfigError) raised inside the block at ``where``."""
        try:
            yield
        except SimError as error:
            raise self.error(where, str(error)) from None
        except ConfigError as error:
            if error.line is not None:
                raise
            raise self.error(where, error.message) from None


def ims_config_from(ims_data: dict[str, Any]) -> ImsConfig:
    """Return the ImsConfig of the validated ``ims`` mapping of an org file."""
    logging = {"message_archival": 0, "smtp_protocol_log": 0, "smtp_interface_events": 0}
    logging.update({k: level(v) for k, v in ims_data.get("logging", {}).items()})
    defaults = ImsConfig()
    notifications = ims_data.get("notifications", [])
    return ImsConfig(
        domain_routes=[DomainRoute(**r) for r in ims_data.get("domain_routes", [])],
        forward_host=ims_data.get("forward_host", ""),
        reroute_incoming=ims_data.get("reroute_incoming", True),
        relay=RelayRules(**ims_data.get("relay", {})),
        message_size_kb=ims_data.get("message_size_kb", 0),
        max_inbound_recipients=ims_data.get("max_inbound_recipients", 0),
        max_line_length=ims_data.get("max_line_length", defaults.max_line_length),
        max_message_bytes=ims_data.get("max_message_bytes", defaults.max_message_bytes),
        retry_hours=list(ims_data.get("retry_hours", defaults.retry_hours)),
        message_timeout_hours=ims_data.get("message_timeout_hours", defaults.message_timeout_hours),
        logging=logging,
        administrator=ims_data.get("administrator", ""),
        notifications=notifications if isinstance(notifications, str) else list(notifications),
        disable_oof=ims_data.get("disable_oof", False),
        disable_auto_replies=ims_data.get("disable_auto_replies", False),
        registry=dict(ims_data.get("registry", {})),
        content_format=ims_data.get("content_format", defaults.content_format),
        rich_text=ims_data.get("rich_text", defaults.rich_text),
    )


def org_from_config(release: str, data: dict[str, Any], path: str = "<config>", text: str | None = None,
                    prefix: tuple[str | int, ...] = ()) -> Organisation:
    """Build the organisation described by a validated config mapping on ``release``.

    ``text`` (the file's YAML) lets errors found while building carry their line; ``prefix`` is
    where ``data`` sits in that file (an inline peer). Peers (``peers``) are built and wired too:
    ``kb.sim.peering.peers_of(org)`` returns them.
    """
    places = _Places(path, text, prefix)
    ims_data = data.get("ims", {})
    options: dict[str, Any] = {k: data[k] for k in ("organisation", "site", "server", "domain", "seed") if k in data}
    if "start" in data:
        try:
            options["start"] = datetime.fromisoformat(str(data["start"])).replace(tzinfo=None)
        except ValueError:
            raise places.error(("start",), f"{data['start']!r} is not an ISO 8601 date-time "
                                           "(expected e.g. 2000-01-11T09:00:00)") from None
    try:
        ims_config = ims_config_from(ims_data)
    except ConfigError as error:  # a model check the schema does not express
        raise places.error(("ims",), error.message) from None
    org = Organisation(release, ims_config=ims_config, **options)
    org.local_domains += [d for d in data.get("local_domains", []) if d.lower() != org.domain]
    for i, box in enumerate(data.get("mailboxes", [])):
        with places.at("mailboxes", i):
            org.add_mailbox(box["alias"], box.get("display_name", ""), box.get("smtp"), box.get("x400", ""),
                            box.get("home_server", ""))
            if "password" in box:
                org.directory.set_password(box["alias"], box["password"])  # SMTP AUTH (kb.sim.ims.auth)
    org.directory.guest_enabled = bool(data.get("guest_account", False))  # Q251149
    for i, entry in enumerate(data.get("custom_recipients", [])):
        with places.at("custom_recipients", i):
            org.add_custom_recipient(entry["alias"], entry["target"], entry.get("display_name", ""), entry.get("smtp"))
    for i, entry in enumerate(data.get("distribution_lists", [])):
        with places.at("distribution_lists", i):
            org.add_distribution_list(entry["alias"], entry["members"], entry.get("display_name", ""), entry.get("smtp"))
    for i, box in enumerate(data.get("mailboxes", [])):
        for j, rule in enumerate(box.get("rules", [])):
            with places.at("mailboxes", i, "rules", j, "to"):
                _check_rule_target(org, rule.get("to", ""))
            with places.at("mailboxes", i, "rules", j):
                org.rules.add(box["alias"], InboxRule(rule["action"], rule.get("to", ""), rule.get("text", "")))
    for i, zone in enumerate(data.get("dns", [])):
        with places.at("dns", i):
            org.dns.add_zone(zone["name"], [tuple(m) for m in zone.get("mx", [])], zone.get("a", []), zone.get("timeout", False))
    for i, host in enumerate(data.get("remote_hosts", [])):
        with places.at("remote_hosts", i):
            org.add_remote_host(host["name"], host["ip"], host.get("behaviour", "accept"),
                                recipients={k.lower(): v for k, v in host.get("recipients", {}).items()},
                                delay=host.get("delay", 0.0), max_size=host.get("max_size", 0),
                                extensions=tuple(host.get("extensions", ())),
                                domains=list(host.get("domains", [])), data_reply=host.get("data_reply", ""),
                                bounces=dict(host.get("bounces", {})), bounce_after=host.get("bounce_after", 0.0))
    org.store.max_recipients_on_submit = data.get("store", {}).get("max_recipients_on_submit", 0)
    if "storage_limits" in data.get("store", {}):
        org.store.quotas.set_limits(StorageLimits(**data["store"]["storage_limits"]))  # ranges: the schema
    for i, entry in enumerate(data.get("x400_connectors", [])):
        try:
            org.add_x400_connector(entry["foreign_mta"], entry["address_space"], entry.get("strict", True))
        except ConfigError as error:
            raise places.error(("x400_connectors", i, "address_space"), error.message) from None
    if "address_spaces" in ims_data:
        org.mta.ims_address_spaces = [(s["type"], s["address"]) for s in ims_data["address_spaces"]]
    administrator = ims_data.get("administrator", "")
    if administrator and not isinstance(org.directory.find(administrator), Mailbox):
        mailboxes = ", ".join(m.alias for m in org.directory.mailboxes()) or "none defined"
        raise places.error(("ims", "administrator"),
                           f"{administrator!r} is not a mailbox of this file (expected one of: {mailboxes})")
    if ims_data.get("service", "running") == "stopped":
        org.ims.stop()
    wire_peers(org, release, data.get("peers", []), places)
    return org


def _check_rule_target(org: Organisation, to: str) -> None:
    """Raise SimError when a rule forwards to an alias the directory does not have."""
    if to and ":" not in to and "@" not in to and org.directory.find(to.strip()) is None:
        raise SimError(f"no recipient with alias {to!r} (expected an alias of this file or TYPE:address)")


def wire_peers(org: Organisation, release: str, entries: list[dict[str, Any]], places: _Places) -> None:
    """Build each peer of ``entries`` (an org file or inline keys) and wire it to ``org`` over SMTP."""
    for i, entry in enumerate(entries):
        peer_release = entry.get("release", release)
        try:
            resolve(peer_release)
        except ReleaseError as error:
            raise places.error(("peers", i, "release"), str(error)) from None
        if "file" in entry:
            base = Path(places.path).parent if places.path != "<config>" else Path.cwd()
            peer_path = base / entry["file"]
            if not peer_path.is_file():
                raise places.error(("peers", i, "file"), f"{entry['file']!r} is not a file "
                                   f"(expected an org file; paths are relative to {base})")
            data, text = _read(peer_path)
            if "peers" in data:
                raise ConfigError(str(peer_path), Locator(text).line(("peers",)),
                                  "peers: a peer's org file cannot declare peers of its own "
                                  "(expected every peer listed in the first file)")
            peer = org_from_config(peer_release, data, str(peer_path), text)
        else:
            if "peers" in entry["org"]:
                raise places.error(("peers", i, "org", "peers"), "a peer cannot declare peers of its own "
                                   "(expected every peer listed at the top level)")
            peer = org_from_config(peer_release, entry["org"], places.path, places.locator.text,
                                   places.prefix + ("peers", i, "org"))
        with places.at("peers", i):
            wire(org, peer, entry.get("own_ip", "192.0.2.1"), entry.get("ip", f"192.0.2.{2 + i}"))


def load_org(release: str, config: str | Path | None = None) -> Organisation:
    """Return the organisation of ``config`` (default: the built-in org) running ``release``."""
    path = Path(config) if config is not None else default_config_path()
    data, text = _read(path)
    return org_from_config(release, data, str(path), text)
