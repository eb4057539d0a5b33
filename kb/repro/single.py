"""Run one article's repro on one release (``kb repro ARTICLE --release NAME``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.exceptions import ReleaseError, ReproError
from kb.repro.runner import DEFAULT_TIMEOUT, RunOutcome, run_isolated


@dataclass
class SingleRun:
    """One repro run and what the article expects of that release."""

    id: str
    script: str
    release: str
    expected: str
    outcome: RunOutcome

    def exit_code(self) -> int:
        """Return 0 when the repro produced an observation, 2 when it crashed or hung."""
        return 0 if self.outcome.status == "ok" else 2

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document of ``kb repro --json``."""
        obs = self.outcome.observation
        return {
            "evidence": obs.evidence if obs else {},
            "expected": self.expected,
            "id": self.id,
            "message": self.outcome.message,
            "observed": "timeout" if self.outcome.status == "timeout" else self.outcome.observed,
            "release": self.release,
            "script": self.script,
            "seconds": round(self.outcome.seconds, 3),
            "transcript": obs.transcript if obs else [],
        }


def canonical_release(name: str, context: str | None = None) -> str:
    """Return ``name`` with its base release made canonical ("SP3 + Store.exe ..." included)."""
    from kb.releases import load_catalogue

    base, plus, overlays = name.partition("+")
    release = load_catalogue().find(base.strip(), context)
    if release is None:
        raise ReleaseError(f"unknown release {base.strip()!r}: expected a catalogue release such as "
                           "'Exchange Server 5.5 SP3', optionally with overlays like '+ Store.exe 5.5.2652.17'")
    extra = [part.strip() for part in overlays.split("+")] if plus else []
    name = " + ".join([release.name, *extra])
    if extra:
        # Overlays name component builds of the simulator: check them here, with one message,
        # not inside the repro run (a malformed build, or two overlays of one component).
        from kb.sim.core.builds import resolve

        resolve(name)
    return name


def run_single(folder: Path, article: str, release: str, *, timeout: float = DEFAULT_TIMEOUT) -> SingleRun:
    """Run the named article's repro on ``release`` in an isolated subprocess."""
    from kb.repro.expectations import expectations, overlay_base
    from kb.repro.targets import find_record, load_target

    target = load_target(find_record(folder, article))
    if not target.repro:
        raise ReproError(f"{target.path}: {target.id} links no repro (scaffold one with `kb repro init {target.id}`)")
    root = folder.resolve().parent
    script = target.script(root)
    plan = expectations(target.status, target.repro, path=str(target.path), text=target.text)
    lines = [e.release for e in plan]
    context = None
    if lines:
        from kb.releases import load_catalogue

        found = load_catalogue().find(overlay_base(lines[0]))
        context = found.line if found else None
    name = canonical_release(release, context)
    expected = next((e.expected for e in plan if e.release == name), None)
    if expected is None and overlay_base(name) != name:
        expected = next((e.expected for e in plan if e.release == overlay_base(name)), "unknown")
    outcome = run_isolated(script, name, timeout=timeout, cwd=root)
    shown = str(script.relative_to(root)) if script.is_relative_to(root) else str(script)
    return SingleRun(target.id, shown, name, expected or "unknown", outcome)


def render_single(result: SingleRun) -> str:
    """Return the human report: observation, expectation, evidence, transcript."""
    observed = "timeout" if result.outcome.status == "timeout" else result.outcome.observed
    lines = [
        f"{result.id} on {result.release}  (repro: {result.script}, {result.outcome.seconds:.2f} s)",
        f"  expected: {result.expected}",
        f"  observed: {observed}",
    ]
    if result.outcome.message:
        lines.append(f"  error: {result.outcome.message}")
    obs = result.outcome.observation
    if obs is not None:
        lines.append("evidence:")
        for key, value in sorted(obs.evidence.items()):
            # JSON, as in --json and on the site: true/null/"text", never a Python repr
            lines.append(f"  {key}: {json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)}")
        lines.append("transcript:")
        lines.extend(f"  {line}" for line in obs.transcript)
    elif result.outcome.stderr:
        lines.append("stderr:")
        lines.extend(f"  {line}" for line in result.outcome.stderr.rstrip().splitlines()[-20:])
    return "\n".join(lines)
