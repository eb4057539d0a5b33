"""Run one repro on one release in an isolated subprocess, with a timeout.

The child is ``python -m kb.repro.runner SCRIPT RELEASE``: it loads the script, calls
``run(release)`` and writes one JSON document to its standard output (anything the script itself
prints is sent to standard error, so it cannot corrupt the result). The parent turns what it gets
back into a :class:`RunOutcome`: an observation, an error, or a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kb.exceptions import ReproError
from kb.repro.isolation import (
    OUTPUT_CAP, TRUNCATED, Capture, become_subreaper, cap_document, end_own_tree, kill_tree, limit_memory,
)
from kb.repro.loader import error_location, load_run
from kb.repro.observation import Observation

Status = Literal["ok", "error", "timeout"]
STDERR_TAIL = 4000  # characters of a child's stderr kept as evidence
DEFAULT_TIMEOUT = 60.0
RESULT_SLACK = 64 * 1024  # the result document is capped by the child; more than this is not ours


@dataclass
class RunOutcome:
    """What one isolated run produced: an observation, or why there is none."""

    status: Status
    observation: Observation | None = None
    message: str | None = None
    seconds: float = 0.0
    stderr: str = ""

    @property
    def observed(self) -> str:
        """Return symptom / no-symptom, or error when the run produced no observation."""
        if self.status != "ok" or self.observation is None:
            return "error"
        return "symptom" if self.observation.symptom else "no-symptom"

    @property
    def signature(self) -> str:
        """Return what repeats must agree on: the observed state, timeouts kept apart."""
        return "timeout" if self.status == "timeout" else self.observed

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "message": self.message,
            "observation": self.observation.to_json() if self.observation else None,
            "observed": self.observed,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "stderr": self.stderr,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RunOutcome":
        """Build a RunOutcome from its JSON form."""
        observation = data.get("observation")
        return cls(
            status=data["status"],
            observation=Observation.from_json(observation) if observation else None,
            message=data.get("message"),
            seconds=float(data.get("seconds") or 0.0),
            stderr=data.get("stderr") or "",
        )


def _child_command(script: Path, release: str) -> list[str]:
    """Return the argv of the isolated child."""
    return [sys.executable, "-m", "kb.repro.runner", str(script), release]


def _child_env(cwd: Path) -> dict[str, str]:
    """Return the child's environment: deterministic hashing, the kb root importable."""
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(cwd), env.get("PYTHONPATH", "")) if p)
    return env


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the child and everything it started (its session and, through /proc, its descendants)."""
    kill_tree(process.pid, include_self=True)


def isolation() -> str:
    """Return how runs are isolated: ``fork`` (a warm fork server) or ``process`` (a new interpreter).

    ``fork`` runs each repro in a process forked from a server that imported kb.sim once
    (kb/repro/zygote.py); ``KB_REPRO_ISOLATION=process`` forces a new ``python -m kb.repro.runner`` per run.
    """
    from kb.repro.zygote import available

    wanted = os.environ.get("KB_REPRO_ISOLATION", "fork")
    return "fork" if wanted == "fork" and available() else "process"


def run_isolated(
    script: str | Path, release: str, *, timeout: float = DEFAULT_TIMEOUT, cwd: str | Path | None = None
) -> RunOutcome:
    """Run ``script``'s ``run(release)`` in a fresh process and return the outcome."""
    script = Path(script)
    if not script.is_file():
        return RunOutcome(status="error", message=f"{script}: repro script not found")
    workdir = Path(cwd) if cwd is not None else script.resolve().parent
    if isolation() == "fork":
        from kb.repro.zygote import run_warm

        try:
            return run_warm(script.resolve(), release, timeout=timeout, cwd=workdir.resolve())
        except OSError:  # no fork server: fall back to a new interpreter for this run
            pass
    return run_in_new_interpreter(script, release, timeout=timeout, cwd=workdir)


def run_in_new_interpreter(script: Path, release: str, *, timeout: float, cwd: Path) -> RunOutcome:
    """Run the repro through ``python -m kb.repro.runner SCRIPT RELEASE`` (a new interpreter).

    Its output is drained by capped readers (kb/repro/isolation.py) rather than collected whole,
    and its temporary files live in a folder removed when the run ends, however it ends.
    """
    workdir = cwd
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kb-repro-", ignore_cleanup_errors=True) as folder:
        env = _child_env(workdir)
        scratch = Path(folder) / "tmp"
        scratch.mkdir()
        env["TMPDIR"] = str(scratch)
        process = subprocess.Popen(
            _child_command(script.resolve(), release),
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert process.stdout is not None and process.stderr is not None
        result = Capture(process.stdout.fileno(), OUTPUT_CAP + RESULT_SLACK, keep="head")
        log = Capture(process.stderr.fileno())
        timed_out = False
        try:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            _kill_group(process)  # a hung run, or what a finished one left behind in its session
            process.wait()
        finally:
            out, err = result.finish(), log.finish()
            process.stdout.close()
            process.stderr.close()
    seconds = time.monotonic() - started
    stderr = _tail(err, log.total)
    if timed_out:
        return RunOutcome(
            status="timeout",
            message=f"{script}: run({release!r}) did not finish within {timeout:g} s",
            seconds=seconds,
            stderr=stderr,
        )
    if result.overflowed:
        return RunOutcome(status="error", message=f"{script}: the result of run({release!r}) is over the "
                          f"{OUTPUT_CAP}-byte cap", seconds=seconds, stderr=stderr)
    return _outcome_from_child(script, release, process.returncode, out, stderr, seconds)


def _tail(data: bytes, total: int | None = None) -> str:
    """Return the last few thousand characters of a child's stderr, marked when cut."""
    text = data.decode("utf-8", "replace")
    total = len(data) if total is None else total
    if total > len(data) or len(text) > STDERR_TAIL:
        return f"[{TRUNCATED}: {total} bytes of output, the end kept]\n" + text[-STDERR_TAIL:]
    return text


def _outcome_from_child(
    script: Path, release: str, code: int | None, out: bytes, stderr: str, seconds: float
) -> RunOutcome:
    """Interpret the child's exit code and JSON document."""
    try:
        payload = json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        how = "" if code is None else f" (exit code {code})" if code >= 0 else f" (signal {-code})"
        return RunOutcome(
            status="error",
            message=f"{script}: the repro process ended{how} without a result",
            seconds=seconds,
            stderr=stderr,
        )
    if not isinstance(payload, dict):
        return RunOutcome(status="error", message=f"{script}: the repro process gave no result document",
                          seconds=seconds, stderr=stderr)
    if payload.get("ok"):
        try:
            observation = Observation.from_json(payload["observation"])
        except (KeyError, TypeError, ValueError) as error:
            return RunOutcome(status="error", message=f"{script}: run({release!r}) gave a malformed observation: "
                              f"{error}", seconds=seconds, stderr=stderr)
        return RunOutcome(status="ok", observation=observation, seconds=seconds, stderr=stderr)
    return RunOutcome(
        status="error", message=str(payload.get("error") or "the repro failed"), seconds=seconds, stderr=stderr
    )


# --- the child side --------------------------------------------------------------------------


def _observe(script: str, release: str) -> dict[str, Any]:
    """Load and run the repro; return the JSON document the child prints."""
    try:
        run = load_run(script)
    except ReproError as error:
        return {"ok": False, "error": str(error)}
    try:
        observation = run(release)
    except Exception as error:  # the repro crashed: report where, keep the traceback on stderr
        traceback.print_exc(file=sys.stderr)
        where = error_location(script, error)
        return {"ok": False, "error": f"{where}: run({release!r}) raised {type(error).__name__}: {error}"}
    if not isinstance(observation, Observation):
        return {
            "ok": False,
            "error": f"{script}: run({release!r}) returned {type(observation).__name__}, "
            "expected kb.repro.Observation",
        }
    return {"ok": True, "observation": observation.to_json()}


def result_document(payload: dict[str, Any]) -> str:
    """Return the child's JSON result, cut down to the output cap (evidence first)."""
    return cap_document(payload, lambda data: json.dumps(data, sort_keys=True, default=str))


def main(argv: list[str] | None = None) -> int:
    """Child entry point: ``python -m kb.repro.runner SCRIPT RELEASE``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m kb.repro.runner SCRIPT RELEASE", file=sys.stderr)
        return 64
    become_subreaper()  # orphans of the repro stay ours, so end_own_tree finds them
    limit_memory()
    # Keep the real stdout for the result; everything the repro writes goes to stderr.
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    payload = _observe(args[0], args[1])
    sys.stderr.flush()
    result.write(result_document(payload))
    result.close()
    end_own_tree()  # nothing the repro started outlives its run
    return 0 if payload["ok"] else 3


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    # Exit at once: a server thread the repro left running (an SMTP listener, say) must not
    # keep the process alive until the timeout once the result is written.
    os._exit(code)
