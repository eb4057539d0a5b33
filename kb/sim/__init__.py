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

from kb.sim.core.builds import Build, ComponentBuilds, resolve
from kb.sim.client import Client
from kb.sim.config import load_org
from kb.sim.ims.config import DomainRoute, ImsConfig, RelayRules
from kb.sim.org import Organisation
from kb.sim.peering import peers_of, wire
from kb.sim.store.quota import StorageLimits
from kb.sim.store.report import dsn_fields, parse_report

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
