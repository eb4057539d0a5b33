"""A deterministic simulator of an Exchange Server 5.5 organisation and its Internet Mail Service.

Public API for repro scripts (see docs/simulator.md)::

    from kb.sim import Organisation
    org = Organisation("Exchange Server 5.5 SP3")   # or load_org(release, config_path)
    alice = org.add_mailbox("alice")
    client = org.client("alice")
    client.send("SMTP:joeuser@invaliddomain.com ", subject="hello")
    ndr = client.ndrs()[0]
    client.send_again(ndr)
    org.eventlog.entries(source="MSExchangeIMC", event_id=4120)
    org.ims.spool.list("OUT\\\\ARCHIVE")
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.sim.client import Client
    from kb.sim.config import load_org
    from kb.sim.core.builds import Build, ComponentBuilds, resolve
    from kb.sim.ims.config import DomainRoute, ImsConfig, RelayRules
    from kb.sim.org import Organisation
    from kb.sim.peering import peers_of, wire
    from kb.sim.store.quota import StorageLimits
    from kb.sim.store.report import dsn_fields, parse_report

#: Where each public name lives. They load on first use (PEP 562): a module that only needs
#: ``kb.sim.core.builds`` (the site build asks which releases are simulated) must not import
#: the whole simulator, 80 ms in every process that renders pages.
_HOMES: dict[str, str] = {
    "Build": "kb.sim.core.builds", "ComponentBuilds": "kb.sim.core.builds", "resolve": "kb.sim.core.builds",
    "Client": "kb.sim.client", "load_org": "kb.sim.config",
    "DomainRoute": "kb.sim.ims.config", "ImsConfig": "kb.sim.ims.config", "RelayRules": "kb.sim.ims.config",
    "Organisation": "kb.sim.org", "peers_of": "kb.sim.peering", "wire": "kb.sim.peering",
    "StorageLimits": "kb.sim.store.quota", "dsn_fields": "kb.sim.store.report", "parse_report": "kb.sim.store.report",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kb.sim' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names with the module's own."""
    return sorted(set(globals()) | set(_HOMES))


__all__ = [
    "Build",
    "Client",
    "ComponentBuilds",
    "DomainRoute",
    "ImsConfig",
    "Organisation",
    "RelayRules",
    "StorageLimits",
    "dsn_fields",
    "load_org",
    "parse_report",
    "peers_of",
    "resolve",
    "wire",
]
