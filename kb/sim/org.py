"""An Exchange 5.5 organisation with one server: the assembly layer that builds the rooms and connects them.

The rooms (kb.sim.store, kb.sim.mta, kb.sim.ims, kb.sim.outside, over the shared kb.sim.core) never
import this module: each is handed the server (kb.sim.core.server) and the interfaces of the
others (kb.sim.core.ports) here, and nowhere else.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from kb.exceptions import ConfigError, SimError
from kb.sim.client import Client
from kb.sim.core.builds import ComponentBuilds, resolve
from kb.sim.core.clock import DEFAULT_START, VirtualClock
from kb.sim.core.directory import CustomRecipient, Directory, DistributionList, Mailbox
from kb.sim.outside.dns import Dns
from kb.sim.core.eventlog import EventLog
from kb.sim.core.message import MapiMessage, RecipientRow
from kb.sim.core.proxygen import generate_smtp
from kb.sim.core.server import Server
from kb.sim.ims.config import ImsConfig
from kb.sim.ims.service import InternetMailService
from kb.sim.mta.agent import MessageTransferAgent
from kb.sim.mta.x400 import ForeignMta, X400Connector
from kb.sim.gate import OrgGate
from kb.sim.outside.remote import Internet, RemoteHost
from kb.sim.store.infostore import IMS_FOLDERS, InformationStore


_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _check_names(**names: str) -> None:
    """Raise ConfigError for an empty name, or a server or domain that is not a DNS name (RFC 1035 §2.3.1)."""
    for key, value in names.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError("Organisation", None, f"{key} {value!r} is empty (expected a name)")
    for key in ("server", "domain"):
        labels = names[key].split(".")
        if not all(_HOST_LABEL.match(label) for label in labels):
            raise ConfigError("Organisation", None, f"{key} {names[key]!r} is not a DNS name (expected e.g. "
                                                    f"{'EXCH01' if key == 'server' else 'contoso.com'})")


class Organisation:
    """One organisation, site and server running the component builds of ``release``.

    Public attributes: ``builds``, ``clock``, ``eventlog``, ``directory``, ``store``, ``imail``,
    ``reports``, ``rules``, ``mta``, ``ims``, ``dns``, ``internet``, and ``host`` (the
    kb.sim.core.server.Server every room is handed). Work happens when the clock runs:
    ``run()`` does everything due now, ``advance(seconds)`` moves virtual time.
    """

    def __init__(
        self,
        release: str | ComponentBuilds,
        *,
        organisation: str = "Contoso",
        site: str = "Redmond",
        server: str = "EXCH01",
        domain: str = "contoso.com",
        ims_config: ImsConfig | None = None,
        seed: int = 0,
        start: datetime = DEFAULT_START,
    ) -> None:
        self.builds = release if isinstance(release, ComponentBuilds) else resolve(release)
        _check_names(organisation=organisation, site=site, server=server, domain=domain)
        if ims_config is not None and not isinstance(ims_config, ImsConfig):
            raise ConfigError("Organisation", None, f"ims_config {ims_config!r} is not an ImsConfig")
        self.organisation = organisation
        self.site = site
        self.server = server.upper()
        self.domain = domain.lower()
        self.clock = VirtualClock(start)
        self.eventlog = EventLog(self.clock, self.server)
        self.directory = Directory()
        ims_config = ims_config or ImsConfig()
        # The server and its shared services, handed to every room.
        self.host = Server(self.builds, self.clock, self.eventlog, self.directory, organisation=organisation,
                           site=site, name=self.server, domain=self.domain,
                           site_domain=lambda: str(ims_config.registry.get("SiteDomain") or ""))
        self.local_domains = self.host.local_domains
        self.ims_mailbox = self.host.ims_mailbox  # "Internet Mail Connector (<server>)" (Q165505)
        # The outside world.
        self.dns = Dns()
        self.internet = Internet(OrgGate(self))  # how remote hosts reach this organisation
        # The store room (IMAIL, reports and Inbox rules run inside Store.exe).
        self.store = InformationStore(self.host)
        self.imail = self.store.imail
        self.reports = self.store.reports
        self.rules = self.store.rules
        # The MTA and the IMS, each handed the interfaces it uses; then the store is connected back.
        self.mta = MessageTransferAgent(self.host, self.store, self.reports)
        self.ims = InternetMailService(self.host, ims_config, seed, store=self.store, imail=self.imail,
                                       reports=self.reports, dns=self.dns, internet=self.internet)
        self.mta.connect(gateway=self.ims)
        self.store.connect(mta=self.mta, gateway=self.ims)
        # Site Addressing, SMTP: the template for new mailboxes' SMTP proxies ("" = alias@domain).
        self.site_smtp_template = ""
        self.store.create_mailbox(self.ims_mailbox, IMS_FOLDERS)

    # -- identity ----------------------------------------------------------------------------
    @property
    def fqdn(self) -> str:
        """Return the server's host name."""
        return self.host.fqdn

    @property
    def postmaster(self) -> str:
        """Return the originator address of IMS reports (Q191267; SiteDomain, Q156063 §3.2.3)."""
        return self.host.postmaster

    def new_mts_id(self) -> str:
        """Return a new MTS-ID ``c=US;a= ;p=<org>;l=<SERVER>-<yyMMddhhmmss>Z-<n>`` (Q242961)."""
        return self.host.new_mts_id()

    @property
    def x400_connectors(self) -> list[X400Connector]:
        """Return the MTA's X.400 connectors."""
        return self.mta.x400_connectors

    # -- directory -----------------------------------------------------------------------------
    def add_mailbox(self, alias: str, display_name: str = "", smtp: list[str] | None = None, x400: str = "",
                    home_server: str = "", *, given: str = "", initials: str = "", surname: str = "") -> Mailbox:
        """Create a mailbox (directory entry + store folders).

        ``home_server`` names another server of the site whose store holds the mailbox ("" = this
        server, which runs the IMS); mail for it goes there through the MTA. Without ``smtp`` the
        SMTP address comes from the site addressing template (``site_smtp_template``, names from
        ``given``/``initials``/``surname``, Q230331), else alias@domain.
        """
        if home_server:
            _check_names(organisation=self.organisation, site=self.site, server=home_server, domain=self.domain)
        if smtp is None and self.site_smtp_template:
            smtp = [generate_smtp(self.site_smtp_template, alias=alias, given=given, initials=initials,
                                  surname=surname, display_name=display_name or alias, generator=self.builds.ims)]
        mailbox = Mailbox(alias, display_name or alias, list(smtp or [f"{alias.lower()}@{self.domain}"]), x400,
                          home_server.upper())
        self.directory.add(mailbox)
        self.store.create_mailbox(alias)
        return mailbox

    def add_custom_recipient(self, alias: str, target: str, display_name: str = "", smtp: list[str] | None = None) -> CustomRecipient:
        """Create a custom recipient whose mail goes to ``target`` ("SMTP:user@domain")."""
        entry = CustomRecipient(alias, display_name or alias, target, list(smtp or []))
        self.directory.add(entry)
        return entry

    def add_distribution_list(self, alias: str, members: list[str], display_name: str = "", smtp: list[str] | None = None) -> DistributionList:
        """Create a distribution list of existing aliases."""
        for member in members:
            self.directory.get(member)
        entry = DistributionList(alias, display_name or alias, list(members), list(smtp or [f"{alias.lower()}@{self.domain}"]))
        self.directory.add(entry)
        return entry

    def add_remote_host(self, name: str, ip: str, behaviour: str = "accept", **options: Any) -> RemoteHost:
        """Add a remote SMTP host and its A record."""
        host = self.internet.add_host(RemoteHost(name=name, ip=ip, behaviour=behaviour, **options))
        self.dns.add_zone(name, a=[ip])
        return host

    def add_x400_connector(self, foreign_mta: str, address_space: str, strict: bool = True) -> X400Connector:
        """Add an X.400 connector to the foreign MTA ``foreign_mta`` serving ``address_space`` (O/R fields)."""
        connector = X400Connector(self.host, self.store, self.mta, ForeignMta(foreign_mta, strict=strict), address_space)
        self.mta.x400_connectors.append(connector)
        return connector

    def client(self, alias: str) -> Client:
        """Return a MAPI-style client logged on to mailbox ``alias``."""
        entry = self.directory.get(alias)
        if not isinstance(entry, Mailbox):
            raise SimError(f"client: {alias!r} is not a mailbox")
        return Client(self, entry)

    def import_directory_changes(self, count: int, seconds: float) -> None:
        """Import ``count`` small directory changes over ``seconds`` (e.g. a CSV directory import).

        The changes touch objects the store watches (protocols, site addressing, the GWART), so
        the store rebuilds what it derives from them while the import runs (Q268357, Q274403).
        """
        self.store.dswatch.changes_imported(count, seconds)

    # -- time ----------------------------------------------------------------------------------
    def run(self) -> int:
        """Do all work that is due now; return the number of tasks run."""
        return self.clock.run()

    def advance(self, seconds: float) -> int:
        """Move virtual time forward, doing the work that falls due."""
        return self.clock.advance(seconds)

    # -- MTA reports ---------------------------------------------------------------------------
    def mta_ndr(self, message: MapiMessage, row: RecipientRow, address: str) -> None:
        """NDR a recipient no connector's address space covers (the MTA's report, Q220882)."""
        self.mta.ndr_unroutable(message, row, address)

    # -- inspection ----------------------------------------------------------------------------
    def mailbox_folder(self, alias: str, folder: str) -> list[MapiMessage]:
        """Return the messages in ``folder`` of ``alias``."""
        return [m for m in self.store.folder(alias, folder) if isinstance(m, MapiMessage)]

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready description of the organisation."""
        return {
            "builds": self.builds.to_json(),
            "domain": self.domain,
            "fqdn": self.fqdn,
            "local_domains": list(self.local_domains),
            "organisation": self.organisation,
            "server": self.server,
            "site": self.site,
            "time": self.clock.now().isoformat(),
        }
