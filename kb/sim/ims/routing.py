"""Host selection for outbound mail: per-domain routes, "Forward all messages to host", DNS.

Order (ims-domain §2.2 step 4): a per-domain entry under "Specify by E-mail Domain"/the Routing
tab; otherwise "Forward all messages to host"; otherwise DNS (MX, then A; Q260247).
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.sim.ims.config import DomainRoute, ImsConfig


@dataclass(frozen=True)
class RouteDecision:
    """Where the IMS sends mail for one domain."""

    kind: str  # "domain" (per-domain host), "forward" (smart host) or "dns"
    domain: str
    host: str = ""  # the configured host for "domain"/"forward"; "" = look the domain up in DNS
    route: DomainRoute | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """Return the queue grouping key: one entry per configured host, else per DNS domain."""
        if self.host:
            return (self.kind, self.host.lower(), "")
        return (self.kind, "", self.domain.lower())


def match_domain(domain: str, routes: list[DomainRoute]) -> DomainRoute | None:
    """Return the per-domain route for ``domain`` as the IMS compares it.

    The comparison itself is case-insensitive and takes the domain as given; whether a trailing
    blank is still on the domain depends on the IMS build (kb.sim.ims.addressing).
    Entries "*.example.com" match subdomains.
    """
    wanted = domain.lower()
    for route in routes:
        key = route.domain.lower()
        if key == wanted or (key.startswith("*.") and wanted.endswith(key[1:])):
            return route
    return None


def route(domain: str, config: ImsConfig) -> RouteDecision:
    """Return the route for mail to ``domain``."""
    entry = match_domain(domain, config.domain_routes)
    if entry is not None and entry.host:
        return RouteDecision("domain", domain, entry.host, entry)
    if config.forward_host:
        return RouteDecision("forward", domain, config.forward_host, entry)
    return RouteDecision("dns", domain, "", entry)
