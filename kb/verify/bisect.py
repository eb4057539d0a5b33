"""kb bisect: find the release, and the component build, that removes an article's symptom.

The repro runs on every release of the product line in catalogue order; the last release that
shows the symptom and the first clean one after it bracket the fix. The component builds the
catalogue lists between them (hotfixes shipped after the last symptomatic release) are then
run as overlays on it ("Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"): the first build of
a component whose overlay is clean, with every later build of it clean too, removed the symptom.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kb.exceptions import KbError, ReproError
from kb.repro.runner import DEFAULT_TIMEOUT, RunOutcome, run_isolated
from kb.repro.targets import Target

# progress(done, total, release, observed) -- the CLI draws it on stderr.
Progress = Callable[[int, int, str, str], None]


@dataclass
class Tally:
    """One count of the runs of a whole bisection: ``done`` never restarts, ``total`` only grows.

    The releases of every line are known up front; the hotfix overlays join the total when
    the releases have bracketed the fix, so the count goes 1..N once across all lines.
    """

    total: int = 0
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass
class Probe:
    """One release or overlay the repro ran on, and what it observed."""

    release: str
    outcome: RunOutcome
    component: str | None = None
    build: str | None = None

    @property
    def observed(self) -> str:
        """Return symptom / no-symptom / error (timeouts included in error)."""
        return self.outcome.observed

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        data: dict[str, Any] = {"release": self.release, "observed": self.observed}
        if self.component:
            data.update(component=self.component, build=self.build)
        if self.outcome.message:
            data["message"] = self.outcome.message
        return data


@dataclass
class LineBisection:
    """The bisection of one product line."""

    line: str
    releases: list[Probe] = field(default_factory=list)
    overlays: list[Probe] = field(default_factory=list)
    last_symptom: str | None = None
    first_clean: str | None = None
    documented_fixed: str | None = None
    fixed_by: list[dict[str, str]] = field(default_factory=list)
    note: str | None = None

    @property
    def agrees(self) -> bool | None:
        """Return whether the first clean release is the documented first-fixed one (None: no claim)."""
        if self.documented_fixed is None:
            return None
        return self.first_clean == self.documented_fixed

    @property
    def errors(self) -> list[Probe]:
        """Return the probes that produced no observation."""
        return [p for p in (*self.releases, *self.overlays) if p.observed == "error"]

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "agrees": self.agrees,
            "documented_fixed": self.documented_fixed,
            "first_clean": self.first_clean,
            "fixed_by": self.fixed_by,
            "last_symptom": self.last_symptom,
            "line": self.line,
            "note": self.note,
            "overlays": [p.to_json() for p in self.overlays],
            "releases": [p.to_json() for p in self.releases],
        }


@dataclass
class Bisection:
    """What kb bisect found for one article."""

    id: str
    script: str
    lines: list[LineBisection] = field(default_factory=list)

    def exit_code(self) -> int:
        """Return 2 when runs crashed, 1 when a line disagrees or has no fix, else 0."""
        if any(line.errors for line in self.lines):
            return 2
        if not self.lines or any(line.first_clean is None or line.agrees is False for line in self.lines):
            return 1
        return 0

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document of ``kb bisect --json``."""
        return {"id": self.id, "script": self.script, "lines": [line.to_json() for line in self.lines]}


def component_files() -> dict[str, str]:
    """Return the overlay file name of each simulated component (ims -> Msexcimc.exe)."""
    from kb.sim.core.builds import COMPONENT_FILES

    files: dict[str, str] = {}
    for file_name, component in COMPONENT_FILES.items():
        files.setdefault(component, file_name[:1].upper() + file_name[1:])
    return files


def _documented(status: dict[str, Any] | None, line: str) -> str | None:
    """Return the documented first-fixed release of ``line`` from the status block."""
    from kb.releases import load_catalogue

    fixed = (status or {}).get("fixed")
    names = [fixed] if isinstance(fixed, str) else list(fixed or [])
    catalogue = load_catalogue()
    for name in names:
        release = catalogue.find(name)
        if release is not None and release.line == line:
            return release.name
    return None


def _lines(target: Target) -> list[str]:
    """Return the product lines to bisect: those of the lattice, else of repro.releases."""
    from kb.releases import lattice, load_catalogue
    from kb.repro.expectations import overlay_base

    lines: list[str] = []
    if target.status:
        lines.extend(line for line, entries in lattice(target.status).items()
                     if any(e.state != "unknown" for e in entries))
    catalogue = load_catalogue()
    for item in (target.repro or {}).get("releases") or []:
        name = item if isinstance(item, str) else (item or {}).get("release", "")
        release = catalogue.find(overlay_base(str(name)))
        if release is not None and release.line not in lines:
            lines.append(release.line)
    return lines


def _run_all(script: Path, probes: list[Probe], root: Path, timeout: float, jobs: int,
             progress: Progress | None, tally: Tally, counted: bool = False) -> None:
    """Run the repro on every probe's release (in parallel), filling in the outcomes.

    ``counted``: the probes are already in ``tally.total`` (a line's releases); else they join it.
    """
    if not counted:
        with tally.lock:
            tally.total += len(probes)

    def work(probe: Probe) -> None:
        probe.outcome = run_isolated(script, probe.release, timeout=timeout, cwd=root)
        with tally.lock:
            tally.done += 1
            if progress is not None:
                progress(tally.done, tally.total, probe.release, probe.observed)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for future in [pool.submit(work, probe) for probe in probes]:
            future.result()


_PENDING = RunOutcome("error", message="not run")


def _listed_overlays(target: Target, line_name: str) -> list[str]:
    """Return the hotfix overlays the record lists under repro.releases for ``line_name``."""
    from kb.releases import load_catalogue
    from kb.repro.expectations import expectations, overlay_base

    catalogue = load_catalogue()
    names: list[str] = []
    for item in expectations(None, target.repro or {}, path=str(target.path), text=target.text):
        base = catalogue.find(overlay_base(item.release))
        if item.base and base is not None and base.line == line_name:
            names.append(item.release)
    return names


def _replace_component(config: str, file_name: str, build: str) -> str:
    """Return ``config`` with the overlay of ``file_name``'s component set to ``build``."""
    from kb.sim.core.builds import parse_overlay

    base, *overlays = [part.strip() for part in config.split("+")]
    component = parse_overlay(f"{file_name} {build}")[0]
    kept = [text for text in overlays if parse_overlay(text)[0] != component]
    return " + ".join([base, *kept, f"{file_name} {build}"])


def _find_fix(result: LineBisection, script: Path, root: Path, line: Any, config: str, base_index: int,
              clean_index: int, timeout: float, jobs: int, progress: Progress | None, tally: Tally) -> None:
    """Run the hotfix builds shipped in [base, first clean) on top of ``config``; fill ``fixed_by``."""
    from kb.sim.core.builds import Build, resolve

    between = {release.name for release in line.releases[base_index:clean_index]}
    current = resolve(config)
    files = component_files()
    probed = {probe.release: probe for probe in result.overlays}
    candidates: list[Probe] = []
    for hotfix in line.hotfixes:
        if hotfix.after not in between or hotfix.component not in files:
            continue
        if Build.parse(hotfix.build) <= current.get(hotfix.component):
            continue
        name = _replace_component(config, files[hotfix.component], hotfix.build)
        probe = probed.get(name) or Probe(name, _PENDING)
        probe.component, probe.build = hotfix.component, hotfix.build
        candidates.append(probe)
    candidates.sort(key=lambda p: (p.component or "", Build.parse(p.build or "0")))
    if not candidates:
        result.note = "the catalogue lists no component build between these releases"
        return
    fresh = [probe for probe in candidates if probe.release not in probed]
    result.overlays.extend(fresh)
    _run_all(script, fresh, root, timeout, jobs, progress, tally)
    for component in sorted({p.component for p in candidates if p.component}):
        probes = [p for p in candidates if p.component == component]
        for index, probe in enumerate(probes):
            if all(p.observed == "no-symptom" for p in probes[index:]):
                result.fixed_by.append({"build": probe.build or "", "component": component,
                                        "file": files[component], "overlay": probe.release})
                break
    if not result.fixed_by:
        result.note = "no single component build between these releases removes the symptom"


def bisect_line(target: Target, line_name: str, script: Path, root: Path, *, timeout: float = DEFAULT_TIMEOUT,
                jobs: int = 1, progress: Progress | None = None, tally: Tally | None = None) -> LineBisection:
    """Bisect one product line: releases in order, then component-build overlays.

    When no plain release shows the symptom, the hotfix overlays the record lists are run too:
    a bug that exists only with a hotfix applied (Q240788: SP2 + IMS 2607-2650) is bracketed by
    its last symptomatic overlay and the first clean release after that overlay's base.
    ``tally``: the count of a whole bisection, which already holds this line's releases.
    """
    from kb.releases import load_catalogue
    from kb.repro.expectations import overlay_base

    catalogue = load_catalogue()
    line = catalogue.lines[line_name]
    order = {release.name: index for index, release in enumerate(line.releases)}
    result = LineBisection(line=line_name, documented_fixed=_documented(target.status, line_name))
    result.releases = [Probe(release.name, _PENDING) for release in line.releases]
    counted = tally is not None
    tally = tally if tally is not None else Tally()
    _run_all(script, result.releases, root, timeout, jobs, progress, tally, counted=counted)
    observed = [probe.observed for probe in result.releases]
    if "symptom" in observed:
        base_index = max(i for i, seen in enumerate(observed) if seen == "symptom")
        config = line.releases[base_index].name
    else:
        listed = [Probe(name, _PENDING) for name in _listed_overlays(target, line_name)]
        if listed:
            _run_all(script, listed, root, timeout, jobs, progress, tally)
            result.overlays.extend(listed)
        showing = [p for p in listed if p.observed == "symptom"]
        if not showing:
            result.note = "the repro showed the symptom on no release of this line" + (
                " nor on the overlays the record lists" if listed else "")
            return result
        # The last symptomatic configuration: latest base release, then latest in record order.
        last = max(enumerate(showing), key=lambda item: (order[overlay_base(item[1].release)], item[0]))[1]
        base_index, config = order[overlay_base(last.release)], last.release
        result.note = "the symptom shows only with a hotfix overlay: " + ", ".join(p.release for p in showing)
    result.last_symptom = config
    clean = next((i for i in range(base_index + 1, len(observed)) if observed[i] == "no-symptom"), None)
    if clean is None:
        result.note = "the symptom is still present on the latest release of this line"
        return result
    result.first_clean = line.releases[clean].name
    note = result.note
    _find_fix(result, script, root, line, config, base_index, clean, timeout, jobs, progress, tally)
    if note and result.note != note:
        result.note = f"{note}; {result.note}" if result.note else note
    return result


def bisect_article(target: Target, root: Path, *, timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
                   progress: Progress | None = None) -> Bisection:
    """Bisect every product line the article judges; raise ReproError when it links no repro."""
    if not target.has_script:
        raise ReproError(f"{target.path}: {target.id} links no repro (add one with `kb repro init {target.id}`)")
    script = target.script(root)
    if not script.is_file():
        raise ReproError(f"{target.path}: repro script {script} not found")
    lines = _lines(target)
    if not lines:
        raise KbError(f"{target.path}: {target.id} names no affected or fixed release, so there is nothing to bisect")
    shown = str(script.relative_to(root)) if script.is_relative_to(root) else str(script)
    bisection = Bisection(id=target.id, script=shown)
    from kb.releases import load_catalogue

    catalogue = load_catalogue()
    tally = Tally(total=sum(len(catalogue.lines[line].releases) for line in lines))
    for line in lines:
        bisection.lines.append(bisect_line(target, line, script, root, timeout=timeout, jobs=jobs,
                                           progress=progress, tally=tally))
    return bisection


def render_bisection(bisection: Bisection) -> str:
    """Return the human report of a bisection."""
    out = [f"{bisection.id}  repro: {bisection.script}"]
    for line in bisection.lines:
        out.append(f"  {line.line}")
        width = max(len(probe.release) for probe in (*line.releases, *line.overlays))
        for probe in (*line.releases, *line.overlays):
            out.append(f"    {probe.release:<{width}}  {probe.observed}")
        out.append(f"  last release with the symptom: {line.last_symptom or '-'}")
        out.append(f"  first release without it:      {line.first_clean or '-'}")
        if line.documented_fixed:
            verdict = ("agrees" if line.agrees else "DISAGREES") if line.first_clean else "not confirmed"
            out.append(f"  documented first fixed:        {line.documented_fixed} ({verdict})")
        else:
            out.append("  documented first fixed:        (the article names none)")
        for fix in line.fixed_by:
            out.append(f"  removed by component build:    {fix['file']} {fix['build']} ({fix['overlay']})")
        if line.note:
            out.append(f"  note: {line.note}")
        for probe in line.errors:
            out.append(f"  error: {probe.release}: {probe.outcome.message}")
    return "\n".join(out)
