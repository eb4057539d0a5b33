"""Verdicts: compare what the article expects with what the repeated runs observed.

A verdict stands only when every repeat agrees; disagreement is ``flaky``, never ``pass``.
"""

from __future__ import annotations

from typing import Sequence

from kb.repro.runner import RunOutcome

VERDICTS = ("pass", "fail", "flaky", "error", "timeout", "unknown")
# How many runs the default policy allows for a failing or crashing release (issue 5 §2).
DEFAULT_RETRIES = 3
# Runs of every release by default: two that agree before a verdict stands (and is cached).
DEFAULT_RUNS = 2


def verdict(expected: str, runs: Sequence[RunOutcome]) -> str:
    """Return pass / fail / flaky / error / timeout / unknown for one release."""
    if not runs:
        raise ValueError("a verdict needs at least one run")
    signatures = {run.signature for run in runs}
    if len(signatures) > 1:
        return "flaky"
    (signature,) = signatures
    if signature in ("error", "timeout"):
        return signature
    if expected == "unknown":
        return "unknown"
    return "pass" if signature == expected else "fail"


def needs_another_run(expected: str, runs: Sequence[RunOutcome], repeat: int | None) -> bool:
    """Return True when the flake policy asks for one more run of this release.

    With ``repeat`` set, every release runs that many times (stopping early once the repeats
    disagree, which already makes it flaky). By default a release runs DEFAULT_RUNS times, so a
    nondeterministic repro shows as flaky instead of a lucky pass being cached, and a failing or
    crashing one is run again, up to DEFAULT_RETRIES runs in all. Timeouts are not re-run by
    default: each would cost the whole timeout again.
    """
    current = verdict(expected, runs)
    if current == "flaky":
        return False
    if repeat is not None:
        return len(runs) < repeat
    if current == "timeout":
        return False
    if len(runs) < DEFAULT_RUNS:
        return True
    return current in ("fail", "error") and len(runs) < DEFAULT_RETRIES


def exit_code(counts: dict[str, int], *, strict: bool = False) -> int:
    """Return 2 on any error/timeout, 1 on any fail/flaky (or unknown when strict), else 0."""
    if counts.get("error", 0) or counts.get("timeout", 0):
        return 2
    if counts.get("fail", 0) or counts.get("flaky", 0):
        return 1
    if strict and counts.get("unknown", 0):
        return 1
    return 0
