"""The release lattice of a status block: per product line, each release affected/fixed/unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from kb.releases.catalogue import Catalogue, load_catalogue

State = Literal["affected", "fixed", "unknown"]


@dataclass(frozen=True)
class LatticeEntry:
    """One release of a line and what the article says about it."""

    release: str
    state: State

    def to_json(self) -> dict[str, str]:
        """Return a JSON-ready dict."""
        return {"release": self.release, "state": self.state}


def _names(value: Any) -> list[str]:
    """Return a status field (str, list or None) as a list of names."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def lattice(status: dict[str, Any], catalogue: Catalogue | None = None) -> dict[str, list[LatticeEntry]]:
    """Return, per product line the status names, every release with its state in catalogue order.

    The first fixed release of a line and every later one are fixed; releases named as
    affected are affected; everything else is unknown (CVE 5: unmentioned is not unaffected).
    """
    catalogue = catalogue or load_catalogue()
    affected = {catalogue.resolve(name).name for name in _names(status.get("affected"))}
    first_fixed: dict[str, int] = {}
    for name in _names(status.get("fixed")):
        release = catalogue.resolve(name)
        first_fixed[release.line] = min(release.order, first_fixed.get(release.line, release.order))
    lines = {catalogue.releases[name].line for name in affected} | set(first_fixed)
    out: dict[str, list[LatticeEntry]] = {}
    for line_name in sorted(lines):
        entries = []
        for release in catalogue.lines[line_name].releases:
            if line_name in first_fixed and release.order >= first_fixed[line_name]:
                state: State = "fixed"
            elif release.name in affected:
                state = "affected"
            else:
                state = "unknown"
            entries.append(LatticeEntry(release.name, state))
        out[line_name] = entries
    return out
