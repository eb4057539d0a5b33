"""An Exchange 5.5 organisation with one server: the hub that wires the components together."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from kb.exceptions import SimError
from kb.sim import builds as builds_module
from kb.sim.builds import ComponentBuilds
from kb.sim.clock import DEFAULT_START, VirtualClock
from kb.sim.directory import CustomRecipient, Directory, DistributionList, Mailbox
from kb.sim.dns import Dns
from kb.sim.eventlog import EventLog
from kb.sim.imail import Imail
from kb.sim.ims import InternetMailService
from kb.sim.ims.config import ImsConfig
from kb.sim.mapi import MapiError
from kb.sim.message import MapiMessage, RecipientRow
from kb.sim.mta import MessageTransferAgent, P1Recipient, Transfer
from kb.sim.proxygen import generate_smtp
from kb.sim.remote import Internet, RemoteHost
from kb.sim.report import ReportedFailure, StoreReports
from kb.sim.rules import RuleEngine
from kb.sim.store import IMS_FOLDERS, InformationStore

if TYPE_CHECKING:
    from kb.sim.client import Client


class Organisation:
    """One organisation, site and server running the component builds of ``release``.

    Public attributes: ``builds``, ``clock``, ``eventlog``, ``directory``, ``store``, ``imail``,
    ``reports``, ``rules``, ``mta``, ``ims``, ``dns``, ``internet``. Work happens when the clock runs:
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
        self.builds = release if isinstance(release, ComponentBuilds) else builds_module.resolve(release)
        self.organisation = organisation
        self.site = site
        self.server = server.upper()
        self.domain = domain.lower()
        self.local_domains: list[str] = [self.domain]
        self.clock = VirtualClock(start)
        self.eventlog = EventLog(self.clock, self.server)
        self.directory = Directory()
        self.dns = Dns()
        self.internet = Internet()
        self.store = InformationStore(self)
        self.imail = Imail(self)
        self.reports = StoreReports(self)
        self.rules = RuleEngine(self)
        self.mta = MessageTransferAgent(self)
        self.ims = InternetMailService(self, ims_config, seed)
        self._mts_counter = 0
        # Site Addressing, SMTP: the template for new mailboxes' SMTP proxies ("" = alias@domain).
        self.site_smtp_template = ""
        self.ims_mailbox = f"IMS_{self.server}"  # "Internet Mail Connector (<server>)" (Q165505)
        self.store.create_mailbox(self.ims_mailbox, IMS_FOLDERS)

    # -- identity ----------------------------------------------------------------------------
    @property
    def fqdn(self) -> str:
        """Return the server's host name."""
        return f"{self.server.lower()}.{self.domain}"

    @property
    def postmaster(self) -> str:
        """Return the originator address of IMS reports (Q191267; SiteDomain, Q156063 §3.2.3)."""
        return str(self.ims.config.registry.get("SiteDomain") and f"postmaster@{self.ims.config.registry['SiteDomain']}"
                   or f"postmaster@{self.domain}")

    def new_mts_id(self) -> str:
        """Return a new MTS-ID ``c=US;a= ;p=<org>;l=<SERVER>-<yyMMddhhmmss>Z-<n>`` (Q242961)."""
        self._mts_counter += 1
        stamp = self.clock.now().strftime("%y%m%d%H%M%S")
        return f"c=US;a= ;p={self.organisation};l={self.server}-{stamp}Z-{self._mts_counter}"

    # -- directory -----------------------------------------------------------------------------
    def add_mailbox(self, alias: str, display_name: str = "", smtp: list[str] | None = None, x400: str = "", *,
                    given: str = "", initials: str = "", surname: str = "") -> Mailbox:
        """Create a mailbox (directory entry + store folders).

        Without ``smtp`` the SMTP address comes from the site addressing template
        (``site_smtp_template``, names from ``given``/``initials``/``surname``), else alias@domain.
        """
        if smtp is None and self.site_smtp_template:
            smtp = [generate_smtp(self.site_smtp_template, alias=alias, given=given, initials=initials,
                                  surname=surname, display_name=display_name or alias, generator=self.builds.ims)]
        mailbox = Mailbox(alias, display_name or alias, list(smtp or [f"{alias.lower()}@{self.domain}"]), x400)
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

    def client(self, alias: str) -> "Client":
        """Return a MAPI-style client logged on to mailbox ``alias``."""
        from kb.sim.client import Client

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
        """NDR a recipient no connector's address space covers (MSEXCH:MSExchangeMTA line, Q220882)."""
        failure = ReportedFailure(
            row_id=row.row_id,
            address=address,
            reason=1,
            diag=0,
            diagnostic_line=f"MSEXCH:MSExchangeMTA:{self.site}:{self.server}",
            reason_text="No transport provider was available for delivery to this recipient.",
            status="5.4.0",
        )
        try:
            report = self.reports.create_ndr(message, [failure])
        except MapiError:
            return  # (inference) the MTA drops a report the store cannot build; no article describes a log
        sender = self.directory.by_smtp(message.sender) if message.sender else None
        self.reports.deliver_report(report, Transfer(message=message, recipients=[P1Recipient(row.row_id, address)],
                                                     originator=sender.alias if isinstance(sender, Mailbox) else ""))

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
