"""What each release should show, read from an article's status lattice and its repro block.

affected -> the symptom must appear; fixed (the first-fixed release and later) -> it must not;
a release the article does not mention -> unknown (observed and reported, not judged). Extra
releases and hotfix overlays listed under ``repro.releases`` take the expectation of their base
release unless the entry says otherwise (an entry with an explicit expectation may also restate a
lattice release, e.g. one affected only with a hotfix applied), either as a mapping ``{release: ..., expect:
no-symptom}`` or, where the record schema allows only strings, with a trailing annotation:
``"Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17 (expect no-symptom)"`` -- the hotfix that
carries the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from kb.exceptions import RecordError

EXPECTED_VALUES = ("symptom", "no-symptom", "unknown")
STATE_TO_EXPECTED = {"affected": "symptom", "fixed": "no-symptom", "unknown": "unknown"}

# "<release or overlay> (expect no-symptom)": the string form of an explicit expectation.
_ANNOTATED = re.compile(r"^(?P<release>.*?)\s*\(\s*expect\s+(?P<expect>[^)]*?)\s*\)\s*$", re.IGNORECASE)

LatticeFunction = Callable[[dict[str, Any]], Mapping[str, Iterable[Any]]]


@dataclass(frozen=True)
class Expectation:
    """One release to run and what the article says it should show."""

    release: str
    expected: str  # symptom | no-symptom | unknown
    basis: str  # affected | fixed | unknown | overlay | record
    base: str | None = None  # the catalogue release an overlay sits on

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {"base": self.base, "basis": self.basis, "expected": self.expected, "release": self.release}


def overlay_base(release: str) -> str:
    """Return the release an overlay name sits on ("X + Store.exe 5.5.2652.17" -> "X")."""
    return release.split("+", 1)[0].strip()


def _default_lattice(status: dict[str, Any]) -> Mapping[str, Iterable[Any]]:
    """Return the status engineer's lattice (imported late so this module stays light)."""
    from kb.releases import lattice

    return lattice(status)


def _line_of(text: str, needle: str) -> int | None:
    """Return the 1-based line of the record where ``needle`` first appears."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _extra_entries(repro: dict[str, Any], path: str, text: str) -> list[tuple[str, str | None]]:
    """Return ``(release, expect or None)`` for every ``repro.releases`` entry, checked."""
    raw = repro.get("releases") or []
    if not isinstance(raw, list):
        raise RecordError(path, _line_of(text, "releases"), f"repro.releases: got {raw!r}, expected a list")
    entries: list[tuple[str, str | None]] = []
    for item in raw:
        if isinstance(item, str) and item.strip():
            match = _ANNOTATED.match(item)
            if match is None:
                entries.append((item.strip(), None))
                continue
            item = {"release": match["release"], "expect": match["expect"]}
        if isinstance(item, dict) and isinstance(item.get("release"), str) and item["release"].strip():
            expect = item.get("expect")
            if expect is not None and expect not in EXPECTED_VALUES:
                raise RecordError(
                    path,
                    _line_of(text, str(expect)),
                    f"repro.releases: expect {expect!r} for {item['release']!r}; expected one of "
                    + ", ".join(EXPECTED_VALUES),
                )
            entries.append((item["release"].strip(), expect))
            continue
        raise RecordError(
            path,
            _line_of(text, str(item)[:20]),
            f"repro.releases: entry {item!r}; expected a release name or {{release: NAME, expect: symptom|no-symptom}}",
        )
    return entries


def expectations(
    status: dict[str, Any] | None,
    repro: dict[str, Any],
    *,
    path: str = "<record>",
    text: str = "",
    lattice: LatticeFunction | None = None,
) -> list[Expectation]:
    """Return the releases to run, in lattice order then record order, with their expectation."""
    lattice_of = lattice or _default_lattice
    plan: list[Expectation] = []
    by_release: dict[str, str] = {}
    if status:
        for entries in lattice_of(status).values():
            for entry in entries:
                expected = STATE_TO_EXPECTED.get(entry.state)
                if expected is None:
                    raise RecordError(path, None, f"lattice state {entry.state!r} for {entry.release!r} is not "
                                      "affected, fixed or unknown")
                if entry.release in by_release:
                    continue
                by_release[entry.release] = expected
                plan.append(Expectation(entry.release, expected, entry.state))
    from kb.releases import load_catalogue

    catalogue = load_catalogue()
    for release, expect in _extra_entries(repro, path, text):
        if catalogue.find(overlay_base(release)) is None:
            raise RecordError(path, _line_of(text, overlay_base(release)),
                              f"repro.releases: unknown release {overlay_base(release)!r}; expected a catalogue "
                              "release such as 'Exchange Server 5.5 SP3', optionally with '+ Store.exe 5.5.2652.17'")
        if release in by_release:
            if expect is not None:
                # The record states what this release shows (e.g. a lattice release that is
                # affected only with a hotfix applied): its word wins, marked as basis "record".
                index = next(i for i, item in enumerate(plan) if item.release == release)
                plan[index] = Expectation(release, expect, "record", plan[index].base)
                by_release[release] = expect
            continue
        base = overlay_base(release)
        is_overlay = base != release
        if expect is not None:
            item = Expectation(release, expect, "record", base if is_overlay else None)
        elif is_overlay:
            item = Expectation(release, by_release.get(base, "unknown"), "overlay", base)
        else:
            item = Expectation(release, "unknown", "unknown")
        by_release[release] = item.expected
        plan.append(item)
    return plan
