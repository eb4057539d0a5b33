"""The Exchange directory: mailboxes with SMTP proxy addresses, custom recipients, distribution lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from kb.exceptions import SimError


@dataclass
class Mailbox:
    """A mailbox; ``smtp[0]`` is the primary (reply) SMTP proxy address."""

    alias: str
    display_name: str
    smtp: list[str]
    x400: str = ""
    home_server: str = ""  # the server whose store holds it ("" = the IMS's own server, Q238498)

    @property
    def address(self) -> str:
        """Return the primary SMTP address."""
        return self.smtp[0]


@dataclass
class CustomRecipient:
    """A directory entry whose mail goes to an external (target) address."""

    alias: str
    display_name: str
    target: str  # e.g. "SMTP:user@partner.com"
    smtp: list[str] = field(default_factory=list)


@dataclass
class DistributionList:
    """A distribution list; members are aliases (mailboxes, custom recipients or lists)."""

    alias: str
    display_name: str
    members: list[str]
    smtp: list[str] = field(default_factory=list)


Entry = Union[Mailbox, CustomRecipient, DistributionList]


class Directory:
    """Directory objects by alias, with a case-insensitive SMTP proxy index."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._proxies: dict[str, str] = {}

    def add(self, entry: Entry) -> Entry:
        """Add ``entry``; raise SimError on a duplicate alias or proxy address."""
        key = entry.alias.lower()
        if key in self._entries:
            raise SimError(f"directory: alias {entry.alias!r} is already taken")
        for proxy in entry.smtp:
            owner = self._proxies.get(proxy.lower())
            if owner is not None:
                raise SimError(f"directory: SMTP address {proxy!r} already belongs to {owner!r}")
        self._entries[key] = entry
        for proxy in entry.smtp:
            self._proxies[proxy.lower()] = entry.alias
        return entry

    def get(self, alias: str) -> Entry:
        """Return the entry with ``alias``; raise SimError when there is none."""
        entry = self._entries.get(alias.lower())
        if entry is None:
            raise SimError(f"directory: no recipient with alias {alias!r}")
        return entry

    def find(self, alias: str) -> Entry | None:
        """Return the entry with ``alias`` or None."""
        return self._entries.get(alias.lower())

    def by_smtp(self, address: str) -> Entry | None:
        """Return the entry owning the SMTP proxy ``address`` (exact, case-insensitive) or None."""
        alias = self._proxies.get(address.lower())
        return self._entries.get(alias.lower()) if alias else None

    def matching(self, address: str) -> list[Entry]:
        """Return every entry an SMTP ``address`` resolves to, as a directory lookup does.

        A proxy address or a custom recipient's target counts. Two sites with the same custom
        recipient give two entries after directory replication (an ambiguous name, Q201904).
        """
        wanted = address.strip().lower()
        found: list[Entry] = []
        for entry in self.entries():
            targets = [p.lower() for p in entry.smtp]
            if isinstance(entry, CustomRecipient) and entry.target.upper().startswith("SMTP:"):
                targets.append(entry.target[5:].strip().lower())
            if wanted and wanted in targets:
                found.append(entry)
        return found

    def mailboxes(self) -> list[Mailbox]:
        """Return the mailboxes, sorted by alias."""
        return sorted((e for e in self._entries.values() if isinstance(e, Mailbox)), key=lambda m: m.alias.lower())

    def entries(self) -> list[Entry]:
        """Return every entry, sorted by alias."""
        return sorted(self._entries.values(), key=lambda e: e.alias.lower())

    def expand(self, alias: str, _seen: frozenset[str] = frozenset()) -> list[Mailbox | CustomRecipient]:
        """Return the mailboxes and custom recipients a name expands to (lists recursively, no loops)."""
        entry = self.get(alias)
        if not isinstance(entry, DistributionList):
            return [entry]
        if alias.lower() in _seen:
            return []
        out: list[Mailbox | CustomRecipient] = []
        for member in entry.members:
            for item in self.expand(member, _seen | {alias.lower()}):
                if item not in out:
                    out.append(item)
        return out

    def to_json(self) -> list[dict[str, Any]]:
        """Return the directory, sorted by alias."""
        out = []
        for e in self.entries():
            item: dict[str, Any] = {"alias": e.alias, "display_name": e.display_name, "smtp": list(e.smtp),
                                    "kind": type(e).__name__}
            if isinstance(e, CustomRecipient):
                item["target"] = e.target
            if isinstance(e, DistributionList):
                item["members"] = list(e.members)
            out.append(item)
        return out
