"""Print the status-extraction figures and timing on ../shared/corpus (or the folders given).

Usage: python benchmarks/status_accuracy.py [FOLDER...] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from kb.stats import collect_stats

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def main() -> None:
    """Run collect_stats N times and print the accuracy figures and the median wall time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="*", default=[str(DEFAULT)])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    document: dict = {}
    for _ in range(args.runs):
        start = time.perf_counter()
        document, diagnostics = collect_stats(args.folders)
        times.append(time.perf_counter() - start)
        if diagnostics:
            print(f"{len(diagnostics)} unreadable files", file=sys.stderr)
    agreement, concrete = document["agreement"], document["concrete_fixed"]
    median = statistics.median(times)
    print(f"articles                      {document['articles']}")
    print(f"kinds                         {document['kinds']}")
    print(f"agreement                     {agreement['agree']}/{agreement['comparable']} = {agreement['rate']:.4f}")
    print(f"strict agreement              {agreement['strict_agree']}/{agreement['comparable']} = {agreement['strict_rate']:.4f}")
    print(f"concrete fixed                {concrete['concrete']}/{concrete['eligible']} = {concrete['rate']:.4f}")
    print(f"articles with unknown names   {document['articles_with_unknown_releases']}")
    print(f"median wall time ({args.runs} runs)   {median:.2f} s  ({document['articles'] / median:.0f} articles/s)")


if __name__ == "__main__":
    main()
