"""The verify report: per-article, per-release results, the summary, the exit code, JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.repro.runner import RunOutcome
from kb.repro.expectations import Expectation
from kb.verify.verdicts import VERDICTS, exit_code, verdict


@dataclass
class ReleaseResult:
    """What one release of one article showed, after the flake policy."""

    expectation: Expectation
    runs: list[RunOutcome]
    cached: bool = False

    @property
    def release(self) -> str:
        """Return the release or overlay name."""
        return self.expectation.release

    @property
    def expected(self) -> str:
        """Return symptom / no-symptom / unknown."""
        return self.expectation.expected

    @property
    def verdict(self) -> str:
        """Return the verdict over every run."""
        return verdict(self.expected, self.runs)

    @property
    def observed(self) -> str:
        """Return symptom / no-symptom / error as first observed (flaky results list them all)."""
        return self.runs[0].observed

    @property
    def message(self) -> str | None:
        """Return the first error or timeout message, if any run had one."""
        return next((run.message for run in self.runs if run.message), None)

    @property
    def observation_run(self) -> RunOutcome | None:
        """Return the run whose observation is shown as evidence (a disagreeing one if flaky)."""
        with_obs = [run for run in self.runs if run.observation is not None]
        if not with_obs:
            return None
        mismatched = [run for run in with_obs if run.observed != self.expected]
        return (mismatched or with_obs)[0]

    def to_json(self, full: bool = False) -> dict[str, Any]:
        """Return the JSON form; ``full`` adds evidence, transcript and stderr (results file)."""
        data: dict[str, Any] = {
            "release": self.release,
            "expected": self.expected,
            "observed": self.observed,
            "verdict": self.verdict,
            "basis": self.expectation.basis,
            "runs": len(self.runs),
            "cached": self.cached,
        }
        if self.expectation.base:
            data["base"] = self.expectation.base
        if self.verdict == "flaky":
            data["observations"] = [run.signature for run in self.runs]
        if self.verdict == "timeout":
            data["observed"] = "error"
        if self.message:
            data["message"] = self.message
        if full:
            data["seconds"] = round(sum(run.seconds for run in self.runs), 3)
            shown = self.observation_run
            data["evidence"] = shown.observation.evidence if shown and shown.observation else {}
            data["transcript"] = shown.observation.transcript if shown and shown.observation else []
            stderr = next((run.stderr for run in self.runs if run.status != "ok" and run.stderr), "")
            if stderr:
                data["stderr"] = stderr
        return data


@dataclass
class ArticleResult:
    """The results of one article's repro over its releases."""

    id: str
    title: str
    record: str
    script: str
    results: list[ReleaseResult] = field(default_factory=list)
    not_run: str | None = None  # why nothing ran (no release to run)

    def to_json(self, full: bool = False) -> dict[str, Any]:
        """Return the JSON form of this article's results."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "record": self.record,
            "script": self.script,
            "results": [result.to_json(full) for result in self.results],
        }
        if self.not_run:
            data["not_run"] = self.not_run
        return data


@dataclass
class VerifyReport:
    """Everything one kb verify run found."""

    articles: list[ArticleResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # ids of articles without a repro block
    problems: list[str] = field(default_factory=list)  # records that could not be loaded
    strict: bool = False
    shard: str | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. results or cache not writable

    def summary(self) -> dict[str, int]:
        """Return verdict counts plus skipped, not-run, broken records, runs and cache hits."""
        counts = {name: 0 for name in VERDICTS}
        runs = cached = 0
        for article in self.articles:
            for result in article.results:
                counts[result.verdict] += 1
                runs += 0 if result.cached else len(result.runs)
                cached += 1 if result.cached else 0
        counts["error"] += len(self.problems)
        counts.update(
            articles=len(self.articles),
            skipped=len(self.skipped),
            not_run=sum(1 for a in self.articles if a.not_run),
            runs=runs,
            cached=cached,
        )
        return counts

    @property
    def judged(self) -> int:
        """Return how many releases got a pass or fail verdict."""
        counts = self.summary()
        return counts["pass"] + counts["fail"]

    def exit_code(self) -> int:
        """Return 0 when everything judged passed and something was judged; 1 or 2 otherwise."""
        counts = self.summary()
        code = exit_code(counts, strict=self.strict)
        if code == 0 and (counts["not_run"] or self.judged == 0):
            return 1  # a run that judged nothing (or left an article unrun) is not green
        return code

    def to_json(self, full: bool = False) -> dict[str, Any]:
        """Return the JSON document of ``kb verify --json`` (``full``: the results file)."""
        data: dict[str, Any] = {
            "articles": [article.to_json(full) for article in self.articles],
            "summary": self.summary(),
        }
        if self.skipped:
            data["skipped"] = list(self.skipped)
        if self.problems:
            data["problems"] = list(self.problems)
        if self.shard:
            data["shard"] = self.shard
        return data
