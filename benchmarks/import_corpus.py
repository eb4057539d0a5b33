"""Benchmark: import the shared corpus, validate every record, render each back to its bytes.

Prints seconds and articles per second for each stage (median of --runs runs) and the total.
Target (issue 2): the 6,900-file corpus imports, validates and round-trips in < 15 s on 2 cores.

    python benchmarks/import_corpus.py [--corpus ../shared/corpus] [--jobs N] [--runs 3] [--tmp DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kb.importer import discover, import_files, roundtrip_problems
from kb.schema import validate_paths

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """Return user + system CPU seconds of this process and its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run_once(files: list[Path], jobs: int, tmp: str | None) -> tuple[dict[str, float], dict[str, float]]:
    """Run the three stages once in a fresh folder; return wall and CPU seconds per stage."""
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kb-bench-", dir=tmp) as folder:
        start, used = time.perf_counter(), cpu_seconds()
        report = import_files(files, folder, jobs=jobs)
        times["import"], cpu["import"] = time.perf_counter() - start, cpu_seconds() - used
        if report.failures:
            sys.exit(f"import failed: {report.failures[0].format()}")

        start, used = time.perf_counter(), cpu_seconds()
        count, diagnostics = validate_paths([folder], jobs=jobs)
        times["validate"], cpu["validate"] = time.perf_counter() - start, cpu_seconds() - used
        errors = [d for d in diagnostics if d.severity == "error"]
        if errors or count != len(files):
            sys.exit(f"validation failed: {errors[0].format() if errors else count}")

        pairs = [(str(Path(folder) / f"{o.id}.yaml"), o.source) for o in report.imported]
        start, used = time.perf_counter(), cpu_seconds()
        problems = roundtrip_problems(pairs, jobs=jobs)
        times["round trip"], cpu["round trip"] = time.perf_counter() - start, cpu_seconds() - used
        if problems:
            sys.exit(f"round trip failed: {problems[0].format()}")
    return times, cpu


def main() -> None:
    """Parse options, run the stages --runs times, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmp", default=None, help="Folder for the records (default: $TMPDIR); e.g. /dev/shm")
    options = parser.parse_args()
    files, problems = discover([options.corpus])
    if problems or not files:
        sys.exit(f"no corpus at {options.corpus}")
    runs = [run_once(files, options.jobs, options.tmp) for _ in range(options.runs)]
    load = os.getloadavg()[0]
    print(f"corpus: {len(files)} files, {os.cpu_count()} CPUs, --jobs {options.jobs}, median of {options.runs} runs,"
          f" load average {load:.1f}")
    print(f"{'stage':<11} {'wall s':>7} {'articles/s':>11} {'CPU s':>7}")
    for stage in ("import", "validate", "round trip"):
        seconds = statistics.median(wall[stage] for wall, _ in runs)
        used = statistics.median(cpu[stage] for _, cpu in runs)
        print(f"{stage:<11} {seconds:7.2f} {len(files) / seconds:11.0f} {used:7.2f}")
    total = statistics.median(sum(wall.values()) for wall, _ in runs)
    used = statistics.median(sum(cpu.values()) for _, cpu in runs)
    print(f"{'total':<11} {total:7.2f} {len(files) / total:11.0f} {used:7.2f}   (target: < 15 s wall on 2 cores)")

if __name__ == "__main__":
    main()
