"""Run every article's repro on every release of its lattice, in parallel, with the flake policy."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kb.exceptions import KbError
from kb.repro.runner import DEFAULT_TIMEOUT, RunOutcome, run_isolated
from kb.verify.cache import RunCache, run_key
from kb.repro.expectations import Expectation, expectations
from kb.verify.report import ArticleResult, ReleaseResult, VerifyReport
from kb.verify.shard import shard
from kb.repro.targets import Target
from kb.verify.verdicts import needs_another_run

# progress(done, total, article id, release, verdict) -- the CLI prints it on stderr.
Progress = Callable[[int, int, str, str, str], None]


@dataclass(frozen=True)
class VerifyOptions:
    """How kb verify runs: repeats, parallel jobs, timeout, strictness, cache, shard."""

    repeat: int | None = None
    jobs: int = 1
    timeout: float = DEFAULT_TIMEOUT
    strict: bool = False
    use_cache: bool = True
    shard: tuple[int, int] | None = None


@dataclass
class _Task:
    """One (article, release) to run."""

    article: ArticleResult
    target: Target
    script: Path
    expectation: Expectation
    index: int


def run_release(
    script: Path, expectation: Expectation, *, root: Path, repeat: int | None, timeout: float
) -> list[RunOutcome]:
    """Run one release as often as the flake policy asks and return every run."""
    if not script.is_file():  # nothing to retry: one error, no process started
        return [run_isolated(script, expectation.release, timeout=timeout, cwd=root)]
    runs: list[RunOutcome] = []
    while not runs or needs_another_run(expectation.expected, runs, repeat):
        runs.append(run_isolated(script, expectation.release, timeout=timeout, cwd=root))
    return runs


def _plan(target: Target, root: Path) -> tuple[ArticleResult, list[Expectation], Path | None, str | None]:
    """Return the article's result shell, its releases, its script, or why it cannot run."""
    record = target.path.resolve()
    shown = record.relative_to(root.resolve()) if record.is_relative_to(root.resolve()) else target.path
    article = ArticleResult(id=target.id, title=target.title, record=str(shown), script="")
    try:
        script = target.script(root)
        article.script = str(script.relative_to(root)) if script.is_relative_to(root) else str(script)
        plan = expectations(target.status, target.repro or {}, path=str(target.path), text=target.text)
    except KbError as error:
        return article, [], None, str(error)
    return article, plan, script, None


def verify_targets(
    targets: list[Target],
    root: Path,
    options: VerifyOptions = VerifyOptions(),
    *,
    problems: list[str] | None = None,
    progress: Progress | None = None,
) -> VerifyReport:
    """Verify every target that links a repro; return the report (nothing is printed)."""
    with_repro = [t for t in targets if t.repro]
    report = VerifyReport(
        skipped=[t.id for t in targets if not t.repro],
        problems=list(problems or []),
        strict=options.strict,
        shard=f"{options.shard[0]}/{options.shard[1]}" if options.shard else None,
    )
    if options.shard:
        with_repro = shard(with_repro, *options.shard)
    tasks: list[_Task] = []
    for target in with_repro:
        article, plan, script, problem = _plan(target, root)
        report.articles.append(article)
        if problem is not None:
            report.problems.append(problem)
            article.not_run = problem
            continue
        if not plan:
            article.not_run = "the status lattice names no release and repro.releases lists none"
            continue
        assert script is not None
        for index, expectation in enumerate(plan):
            tasks.append(_Task(article, target, script, expectation, index))
    cache = RunCache(root) if options.use_cache else None
    results: dict[tuple[int, int], ReleaseResult] = {}
    lock = threading.Lock()
    done = 0

    def work(task: _Task) -> None:
        nonlocal done
        key = run_key(task.target.record, task.script, task.expectation.release, options.repeat)
        cached = cache.get(key) if cache is not None else None
        if cached:
            result = ReleaseResult(task.expectation, cached, cached=True)
        else:
            runs = run_release(task.script, task.expectation, root=root, repeat=options.repeat,
                               timeout=options.timeout)
            result = ReleaseResult(task.expectation, runs)
            if cache is not None:
                try:
                    cache.put(key, runs)
                except OSError as error:
                    with lock:
                        if not report.warnings:
                            report.warnings.append(f"{cache.folder}: cannot write the verify cache: {error.strerror}")
        with lock:
            results[(id(task.article), task.index)] = result
            done += 1
            if progress is not None:
                progress(done, len(tasks), task.article.id, task.expectation.release, result.verdict)

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        for future in [pool.submit(work, task) for task in tasks]:
            future.result()
    for task in tasks:
        task.article.results.append(results[(id(task.article), task.index)])
    return report
