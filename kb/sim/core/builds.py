"""Releases as component builds: IMS (Msexcimc.exe), information store (Store.exe) and MTA.

A release of Exchange Server 5.5 is a tuple of component builds taken from the release catalogue
(ims-domain §1.3: several IMS symptoms were fixed in the store, not in Msexcimc.exe, so one build
number per server is not enough). A hotfix overlay replaces one component build:
"Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering
from typing import Any

from kb.exceptions import ReleaseError

UNKNOWN_PART = 1_000_000  # how "x" orders (see Build)
_BUILD = re.compile(r"^\s*(\d+(?:\.(?:\d+|x))*)\s*$", re.IGNORECASE)


@total_ordering
@dataclass(frozen=True)
class Build:
    """A file version such as 5.5.2652.17, ordered numerically.

    The catalogue writes a service pack build whose last part the notes do not give as "x"
    (``5.5.2650.x``). It orders above every numbered build of the same series (inference: the
    service pack shipped after the hotfixes of its build series, e.g. SP3 contains IMS
    5.5.2650.21 [Q240788] and SP4's store is past 5.5.2653.18 [Q274403]).
    """

    text: str
    parts: tuple[int, ...] = field(compare=False, repr=False, default=())

    @classmethod
    def parse(cls, text: str) -> "Build":
        """Parse ``5.5.2652.17`` (or ``5.5.2653.x``); raise ReleaseError on anything else."""
        match = _BUILD.match(str(text))
        if not match:
            raise ReleaseError(f"{text!r} is not a component build (expected e.g. '5.5.2652.17')")
        raw = match.group(1)
        parts = tuple(UNKNOWN_PART if p.lower() == "x" else int(p) for p in raw.split("."))
        return cls(text=raw, parts=parts)

    def key(self) -> tuple[int, ...]:
        """Return the comparison key, padded to four parts."""
        parts = self.parts or Build.parse(self.text).parts
        return tuple(parts) + (0,) * (4 - len(parts))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Build):
            return NotImplemented
        return self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __lt__(self, other: "Build") -> bool:
        if not isinstance(other, Build):
            return NotImplemented
        return self.key() < other.key()

    def __str__(self) -> str:
        return self.text

    @property
    def version(self) -> str:
        """Return the version as the product prints it ("5.5.2650.x" -> "5.5.2650")."""
        return re.sub(r"(\.x)+$", "", self.text, flags=re.IGNORECASE)


def build(text: str) -> Build:
    """Return ``Build.parse(text)``; used for the behaviour thresholds of the components."""
    return Build.parse(text)


# Overlay file names -> component; the names are those of the fix tables in the articles.
COMPONENT_FILES: dict[str, str] = {
    "msexcimc.exe": "ims",
    "imcmsg.dll": "ims",
    "inproxy.dll": "ims",  # the SMTP proxy generator ("Component: SMTP", Q230331)
    "store.exe": "store",
    "emsmta.exe": "mta",
}
COMPONENTS = ("ims", "store", "mta")


@dataclass(frozen=True)
class ComponentBuilds:
    """The component builds a simulated server runs, and the release name they came from."""

    name: str
    ims: Build
    store: Build
    mta: Build
    base: str = ""
    overlays: tuple[tuple[str, Build], ...] = ()

    def get(self, component: str) -> Build:
        """Return the build of ``component`` ("ims", "store" or "mta")."""
        if component not in COMPONENTS:
            raise ReleaseError(f"unknown component {component!r} (expected one of {', '.join(COMPONENTS)})")
        return getattr(self, component)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready description."""
        return {
            "name": self.name,
            "base": self.base or self.name,
            "ims": str(self.ims),
            "store": str(self.store),
            "mta": str(self.mta),
            "overlays": [{"component": c, "build": str(b)} for c, b in self.overlays],
        }


_OVERLAY = re.compile(r"^\s*([A-Za-z0-9_.-]+\.(?:exe|dll))\s+(\S+)\s*$", re.IGNORECASE)


def parse_overlay(text: str) -> tuple[str, Build]:
    """Parse ``Store.exe 5.5.2652.17`` into ``("store", Build)``."""
    match = _OVERLAY.match(text)
    if not match:
        raise ReleaseError(
            f"{text.strip()!r} is not a hotfix overlay (expected '<file> <build>', e.g. 'Store.exe 5.5.2652.17')"
        )
    component = COMPONENT_FILES.get(match.group(1).lower())
    if component is None:
        known = ", ".join(sorted({"Msexcimc.exe", "Imcmsg.dll", "Store.exe", "Emsmta.exe"}))
        raise ReleaseError(f"{match.group(1)!r} is not a simulated component file (expected one of {known})")
    return component, Build.parse(match.group(2))


def _catalogue_components(name: str) -> tuple[str, dict[str, str]]:
    """Return (canonical name, component builds) of a catalogue release."""
    from kb.releases import load_catalogue  # the catalogue is owned by kb.releases

    release = load_catalogue().resolve(name)
    components = dict(getattr(release, "components", None) or {})
    missing = [c for c in COMPONENTS if c not in components]
    if missing:
        raise ReleaseError(
            f"release {release.name!r} has no {', '.join(missing)} build in the catalogue, so it cannot be simulated"
        )
    return release.name, components


def series(version: Build) -> tuple[int, ...]:
    """Return the product series of a build: its first two parts (5.5.2652.17 -> (5, 5))."""
    return version.key()[:2]


def check_overlay(component: str, overlay: Build, base: Build, text: str) -> None:
    """Raise ReleaseError unless ``overlay`` is a build of the same series as ``base``.

    A hotfix replaces a file with a later build of the same product version: an Exchange 5.5
    file is ``5.5.<build>[.<revision>]``. ``Msexcimc.exe 5.52594.0`` (a typo for 5.5.2594.0)
    would otherwise order above every SP4 build and silently act as the newest IMS.
    """
    if len(overlay.parts) not in (3, 4) or series(overlay) != series(base):
        want = ".".join(str(p) for p in series(base))
        raise ReleaseError(f"{text.strip()!r}: {str(overlay)!r} is not a build of the {want} series of the {component} "
                           f"(expected {want}.<build>[.<revision>], e.g. {want}.2652.17)")


def resolve(name: str) -> ComponentBuilds:
    """Resolve a release or overlay name into the component builds of a simulated server.

    ``"Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17 + Msexcimc.exe 5.5.2607.0"`` takes SP3's
    builds from the catalogue and replaces the store and IMS builds. Each component takes at most
    one overlay (Msexcimc.exe and Imcmsg.dll ship together, so they may both be named with one
    build); an overlay must be a build of the component's series.
    """
    if not isinstance(name, str) or not name.strip():
        raise ReleaseError("an empty release name cannot be simulated (expected e.g. 'Exchange Server 5.5 SP3')")
    base, *overlay_texts = name.split("+")
    canonical, components = _catalogue_components(base.strip())
    builds = {c: Build.parse(str(components[c])) for c in COMPONENTS}
    overlays: list[tuple[str, Build]] = []
    given: dict[str, tuple[str, Build]] = {}
    for text in overlay_texts:
        component, overlay_build = parse_overlay(text)
        check_overlay(component, overlay_build, builds[component], text)
        if component in given and given[component][1] != overlay_build:
            raise ReleaseError(f"{name.strip()!r} overlays the {component} twice ({given[component][0]!r} and "
                               f"{text.strip()!r}; expected one build per component)")
        given[component] = (text.strip(), overlay_build)
        builds[component] = overlay_build
        overlays.append((component, overlay_build))
    display = canonical + "".join(f" + {t.strip()}" for t in overlay_texts)
    return ComponentBuilds(name=display, base=canonical, overlays=tuple(overlays), **builds)


def with_overlay(builds: ComponentBuilds, component: str, version: str) -> ComponentBuilds:
    """Return ``builds`` with one component replaced (for tests and bisection)."""
    new = Build.parse(version)
    check_overlay(component, new, builds.get(component), f"{component} {version}")
    parts = {c: builds.get(c) for c in COMPONENTS}
    parts[component] = new
    return ComponentBuilds(name=builds.name, base=builds.base, overlays=builds.overlays + ((component, new),), **parts)


# The file a hotfix of each component replaces, as the overlay names it.
OVERLAY_FILES = {"ims": "Msexcimc.exe", "store": "Store.exe", "mta": "Emsmta.exe"}


def simulated_releases(line: str = "Exchange Server 5.5") -> list[str]:
    """Return every release of ``line`` the simulator runs: each base release, then each hotfix overlay.

    A catalogue hotfix shipped after release R becomes ``"R + <file> <build>"`` (ims-domain §1.3),
    so a behaviour suite run over this list covers every component build the catalogue knows.
    """
    from kb.releases import load_catalogue

    found = load_catalogue().find_line(line)
    if found is None:
        raise ReleaseError(f"unknown product line {line!r} (expected e.g. 'Exchange Server 5.5')")
    names = [r.name for r in found.releases if all(c in r.components for c in COMPONENTS)]
    names += [f"{h.after} + {OVERLAY_FILES[h.component]} {h.build}" for h in found.hotfixes
              if h.after in names and h.component in OVERLAY_FILES]
    return names
