"""The server every component belongs to: its names and the services all rooms share.

A component is handed this (not the organisation) for what it needs to know about where it runs:
the organisation, site, server and domain it names in events and reports, the virtual clock, the
event log, the directory and the component builds. The rooms' interfaces to each other are in
kb.sim.core.ports.
"""

from __future__ import annotations

from typing import Callable

from kb.sim.core.builds import ComponentBuilds
from kb.sim.core.clock import VirtualClock
from kb.sim.core.directory import Directory
from kb.sim.core.eventlog import EventLog


class Server:
    """One Exchange 5.5 server of one site and organisation, and its shared services."""

    def __init__(self, builds: ComponentBuilds, clock: VirtualClock, eventlog: EventLog, directory: Directory, *,
                 organisation: str, site: str, name: str, domain: str,
                 site_domain: Callable[[], str] = lambda: "") -> None:
        self.builds = builds
        self.clock = clock
        self.eventlog = eventlog
        self.directory = directory
        self.organisation = organisation
        self.site = site
        self.name = name  # the server's NetBIOS name, upper case (EXCH01)
        self.domain = domain
        self.local_domains: list[str] = [domain]
        # "Internet Mail Connector (<server>)", the IMS's own mailbox in the store (Q165505).
        self.ims_mailbox = f"IMS_{name}"
        # SiteDomain (MSExchangeIMC\Parameters) sets the domain of report originators (Q156063 §3.2.3).
        self._site_domain = site_domain
        self._mts_counter = 0

    @property
    def fqdn(self) -> str:
        """Return the server's host name."""
        return f"{self.name.lower()}.{self.domain}"

    @property
    def postmaster(self) -> str:
        """Return the originator address of reports (Q191267; SiteDomain, Q156063 §3.2.3)."""
        site_domain = self._site_domain()
        return f"postmaster@{site_domain}" if site_domain else f"postmaster@{self.domain}"

    def new_mts_id(self) -> str:
        """Return a new MTS-ID ``c=US;a= ;p=<org>;l=<SERVER>-<yyMMddhhmmss>Z-<n>`` (Q242961)."""
        self._mts_counter += 1
        stamp = self.clock.now().strftime("%y%m%d%H%M%S")
        return f"c=US;a= ;p={self.organisation};l={self.name}-{stamp}Z-{self._mts_counter}"
