"""Benchmark: import the shared corpus, validate every record, render each back to its bytes.

Prints seconds and articles per second for each stage (median of --runs runs) and the total.
Target (issue 2): the 6,900-file corpus imports, validates and round-trips in < 15 s on 2 cores.

    python benchmarks/import_corpus.py [--corpus ../shared/corpus] [--jobs N] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kb.importer import discover, import_files, roundtrip_problems
from kb.schema import validate_paths

ROOT = Path(__file__).resolve().parents[1]


def run_once(files: list[Path], jobs: int) -> dict[str, float]:
    """Run the three stages once in a fresh folder; return seconds per stage."""
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as folder:
        start = time.perf_counter()
        report = import_files(files, folder, jobs=jobs)
        times["import"] = time.perf_counter() - start
        if report.failures:
            sys.exit(f"import failed: {report.failures[0].format()}")

        start = time.perf_counter()
        count, diagnostics = validate_paths([folder], jobs=jobs)
        times["validate"] = time.perf_counter() - start
        errors = [d for d in diagnostics if d.severity == "error"]
        if errors or count != len(files):
            sys.exit(f"validation failed: {errors[0].format() if errors else count}")

        pairs = [(str(Path(folder) / f"{o.id}.yaml"), o.source) for o in report.imported]
        start = time.perf_counter()
        problems = roundtrip_problems(pairs, jobs=jobs)
        times["round trip"] = time.perf_counter() - start
        if problems:
            sys.exit(f"round trip failed: {problems[0].format()}")
    return times


def main() -> None:
    """Parse options, run the stages --runs times, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    files, problems = discover([options.corpus])
    if problems or not files:
        sys.exit(f"no corpus at {options.corpus}")
    runs = [run_once(files, options.jobs) for _ in range(options.runs)]
    print(f"corpus: {len(files)} files, {os.cpu_count()} CPUs, --jobs {options.jobs}, median of {options.runs} runs")
    total = 0.0
    for stage in ("import", "validate", "round trip"):
        seconds = statistics.median(run[stage] for run in runs)
        total += seconds
        print(f"{stage:<11} {seconds:6.2f} s  {len(files) / seconds:8.0f} articles/s")
    totals = statistics.median(sum(run.values()) for run in runs)
    print(f"{'total':<11} {totals:6.2f} s  {len(files) / totals:8.0f} articles/s  (target < 15 s)")


if __name__ == "__main__":
    main()
