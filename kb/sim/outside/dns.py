"""Simulated DNS: MX and A records, NXDOMAIN, and servers that time out."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, TypeVar

from kb.exceptions import ConfigError

T = TypeVar("T")


class DnsFailure(Exception):
    """A lookup that did not return records: ``kind`` is "nxdomain", "nodata" or "timeout"."""

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        super().__init__(f"{kind}: {name}")

    @property
    def permanent(self) -> bool:
        """Return True when retrying cannot help (the name does not exist)."""
        return self.kind in ("nxdomain", "nodata")


@dataclass
class Zone:
    """The records of one name."""

    name: str
    mx: list[tuple[int, str]] = field(default_factory=list)
    a: list[str] = field(default_factory=list)
    timeout: bool = False


def canonical_name(name: str) -> str:
    """Return a query name as the resolver sends it: lower case, no surrounding blanks or root dot.

    (inference) The Winsock resolver the IMS calls takes a C string and the wire format has no
    room for blanks, so a trailing space on a domain does not change which zone answers; whether
    the IMS trims is decided in the IMS (see kb.sim.ims.addressing).
    """
    return name.strip().rstrip(".").lower()


class Dns:
    """A resolver over configured zones; names without a zone are NXDOMAIN."""

    def __init__(self) -> None:
        self._zones: dict[str, Zone] = {}
        self.queries: list[tuple[str, str, str]] = []  # (type, name, outcome) for inspection

    def add_zone(self, name: str, mx: list[tuple[int, str]] | None = None, a: list[str] | None = None,
                 timeout: bool = False) -> Zone:
        """Add (or replace) the records of ``name``; raise ConfigError on a malformed record."""
        for record in mx or []:
            if (not isinstance(record, (tuple, list)) or len(record) != 2 or isinstance(record[0], bool)
                    or not isinstance(record[0], int) or not 0 <= record[0] <= 65535 or not isinstance(record[1], str)):
                raise ConfigError(f"zone {name}", None, f"MX record {record!r} is not (preference 0-65535, host) "
                                                        "(RFC 1035 §3.3.9; expected e.g. (10, 'mx.example.net'))")
        for address in a or []:
            try:
                ipaddress.IPv4Address(address)
            except ValueError:
                raise ConfigError(f"zone {name}", None, f"A record {address!r} is not an IPv4 address") from None
        zone = Zone(canonical_name(name), sorted(mx or []), list(a or []), timeout)
        self._zones[zone.name] = zone
        return zone

    def _zone(self, qtype: str, name: str) -> Zone:
        zone = self._zones.get(canonical_name(name))
        if zone is None:
            self.queries.append((qtype, name, "nxdomain"))
            raise DnsFailure(name, "nxdomain")
        if zone.timeout:
            self.queries.append((qtype, name, "timeout"))
            raise DnsFailure(name, "timeout")
        return zone

    def mx(self, name: str) -> list[tuple[int, str]]:
        """Return the MX records (preference, host) in preference order; raise DnsFailure."""
        return list(self._answer("MX", name, lambda zone: zone.mx))

    def a(self, name: str) -> list[str]:
        """Return the A records of ``name``; raise DnsFailure."""
        return list(self._answer("A", name, lambda zone: zone.a))

    def _answer(self, kind: str, name: str, records: Callable[[Zone], Sequence[T]]) -> Sequence[T]:
        """Look up ``kind`` records of ``name``, logging the query; raise DnsFailure when there are none."""
        found = records(self._zone(kind, name))
        self.queries.append((kind, name, "answer" if found else "nodata"))
        if not found:
            raise DnsFailure(name, "nodata")
        return found

    def mail_hosts(self, domain: str) -> list[str]:
        """Return the hosts to try for ``domain``: MX hosts in order, else the domain's own A record.

        MX lookup first, then A when there is no MX (Q260247). A timeout stops the lookup.
        """
        try:
            return [host for _, host in self.mx(domain)]
        except DnsFailure as failure:
            if failure.kind != "nodata":
                raise
        self.a(domain)
        return [canonical_name(domain)]

    def to_json(self) -> list[dict[str, Any]]:
        """Return the zones, sorted by name."""
        return [
            {"name": z.name, "mx": [[p, h] for p, h in z.mx], "a": list(z.a), "timeout": z.timeout}
            for z in sorted(self._zones.values(), key=lambda z: z.name)
        ]
