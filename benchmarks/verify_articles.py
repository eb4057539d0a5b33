"""Benchmark: wall time of `kb verify --jobs 2 --no-cache` over the shipped articles/ (median of 3).

Issue 6 target: the whole run under 30 seconds with --jobs 2 on a 2-core machine. Also prints
the per-run cost (repro runs / second) and a cached re-run for comparison.

    python benchmarks/verify_articles.py [--repeats 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_verify(*args: str) -> tuple[float, dict]:
    """Run kb verify --json in the project root; return wall seconds and the JSON summary."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kb", "verify", "--json", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - started
    try:
        summary = json.loads(done.stdout)["summary"]
    except (ValueError, KeyError):
        summary = {}
    summary["exit"] = done.returncode
    return seconds, summary


def main() -> int:
    """Print the median wall time of the uncached and cached runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cold = [run_verify("--jobs", str(args.jobs), "--no-cache") for _ in range(args.repeats)]
    warm = [run_verify("--jobs", str(args.jobs)) for _ in range(args.repeats)]
    summary = cold[-1][1]
    median = statistics.median(s for s, _ in cold)
    print(f"kb verify --jobs {args.jobs} --no-cache over articles/: median {median:.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s, _ in cold)})")
    print(f"  articles {summary.get('articles', 0)}, repro runs {summary.get('runs', 0)}, "
          f"pass {summary.get('pass', 0)}, fail {summary.get('fail', 0)}, error {summary.get('error', 0)}, "
          f"unknown {summary.get('unknown', 0)}, exit {summary.get('exit')}")
    if summary.get("runs"):
        print(f"  {summary['runs'] / median:.1f} repro runs per second, {median / summary['runs'] * args.jobs:.3f} s "
              "per run per worker")
    print(f"kb verify --jobs {args.jobs} (cached): median {statistics.median(s for s, _ in warm):.2f} s")
    print("target: under 30 s (issue 6)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
