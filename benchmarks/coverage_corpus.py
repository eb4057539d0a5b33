"""Benchmark: `kb coverage` over an import of the shared corpus (candidates and wall time).

Imports ../shared/corpus/exchange (or --corpus) into a temporary knowledge base once, then runs
`kb coverage --json` on it --repeats times; prints the counts (the candidates are the articles
whose STATUS names a fix on a release the simulator runs, about 85 IMS-family articles) and the
median wall time.

    python benchmarks/coverage_corpus.py [--corpus DIR] [--repeats 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    """Import once, time kb coverage, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "exchange")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="kb-coverage-") as tmp:
        articles = Path(tmp) / "articles"
        subprocess.run([sys.executable, "-m", "kb", "import", str(args.corpus), "--out", str(articles)],
                       cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times, document = [], {}
        for _ in range(args.repeats):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "kb", "coverage", str(articles), "--json",
                                   "--jobs", str(args.jobs)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - started)
            document = json.loads(done.stdout)
    print(f"records: {document.get('records')}")
    print("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(document.get("counts", {}).items())))
    print(f"kb coverage --jobs {args.jobs}: median {statistics.median(times):.2f} s over {args.repeats} runs "
          f"({', '.join(f'{t:.2f}' for t in times)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
