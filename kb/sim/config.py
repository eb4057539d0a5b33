"""Build an Organisation from a YAML org file validated by ``schemas/sim-config.schema.json``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from kb.exceptions import ConfigError, KbError, SimError
from kb.resources import data_path
from kb.sim.ims.config import DomainRoute, ImsConfig, RelayRules, level
from kb.sim.org import Organisation

SCHEMA = "sim-config.schema.json"
MAX_CONFIG_BYTES = 1_000_000


def default_config_path() -> Path:
    """Return the built-in default organisation file."""
    return data_path("sim", "default-org.yaml")


def read_config(path: str | Path) -> dict[str, Any]:
    """Read and validate an org file; raise ConfigError ``path:line: message``."""
    from kb.schema import Locator, dotted, validator

    path = Path(path)
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
        raise ConfigError(str(path), Locator(text).line(where), f"{field + ': ' if field else ''}{first.message}")
    return data


def org_from_config(release: str, data: dict[str, Any], path: str = "<config>") -> Organisation:
    """Build the organisation described by a validated config mapping on ``release``."""
    ims_data = data.get("ims", {})
    logging = {"message_archival": 0, "smtp_protocol_log": 0, "smtp_interface_events": 0}
    logging.update({k: level(v) for k, v in ims_data.get("logging", {}).items()})
    defaults = ImsConfig()
    ims_config = ImsConfig(
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
        registry=dict(ims_data.get("registry", {})),
    )
    options: dict[str, Any] = {k: data[k] for k in ("organisation", "site", "server", "domain", "seed") if k in data}
    if "start" in data:
        try:
            options["start"] = datetime.fromisoformat(str(data["start"])).replace(tzinfo=None)
        except ValueError:
            raise ConfigError(path, None, f"start: {data['start']!r} is not an ISO 8601 date-time") from None
    org = Organisation(release, ims_config=ims_config, **options)
    try:
        org.local_domains += [d for d in data.get("local_domains", []) if d.lower() != org.domain]
        for box in data.get("mailboxes", []):
            org.add_mailbox(box["alias"], box.get("display_name", ""), box.get("smtp"))
        for entry in data.get("custom_recipients", []):
            org.add_custom_recipient(entry["alias"], entry["target"], entry.get("display_name", ""), entry.get("smtp"))
        for entry in data.get("distribution_lists", []):
            org.add_distribution_list(entry["alias"], entry["members"], entry.get("display_name", ""), entry.get("smtp"))
        for zone in data.get("dns", []):
            org.dns.add_zone(zone["name"], [tuple(m) for m in zone.get("mx", [])], zone.get("a", []), zone.get("timeout", False))
        for host in data.get("remote_hosts", []):
            org.add_remote_host(host["name"], host["ip"], host.get("behaviour", "accept"),
                                recipients={k.lower(): v for k, v in host.get("recipients", {}).items()},
                                delay=host.get("delay", 0.0), max_size=host.get("max_size", 0))
        org.store.max_recipients_on_submit = data.get("store", {}).get("max_recipients_on_submit", 0)
    except SimError as error:
        raise ConfigError(path, None, str(error)) from None
    return org


def load_org(release: str, config: str | Path | None = None) -> Organisation:
    """Return the organisation of ``config`` (default: the built-in org) running ``release``."""
    path = Path(config) if config is not None else default_config_path()
    data = read_config(path)
    try:
        return org_from_config(release, data, str(path))
    except ConfigError:
        raise
    except KbError:
        raise
