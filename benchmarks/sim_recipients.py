"""Benchmark: one SMTP transaction with many RCPTs through the real listener (aiosmtpd on 127.0.0.1).

Issue 13: 2,000 RCPTs took 49.7 s and 1.65 GB while other connections waited. Prints, per
recipient count, the wall time of the whole transaction (MAIL, the RCPTs, DATA and delivery to
that many mailboxes), median of the repeats, and the peak RSS of the process; the time per
recipient should stay flat as the count grows.

    python benchmarks/sim_recipients.py [--counts 500 1000 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import resource
import smtplib
import statistics
import time

from kb.sim.config import load_org
from kb.sim.serve import SimServer


def one_transaction(count: int) -> float:
    """Serve a fresh organisation; send one message to ``count`` local recipients; return seconds."""
    org = load_org("Exchange Server 5.5 SP3")
    for n in range(count):
        org.add_mailbox(f"u{n}")
    server = SimServer(org, ("127.0.0.1", 0), ("127.0.0.1", 0))
    with server.running() as bound:
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", bound.smtp[1], timeout=300) as client:
            client.ehlo("bench.example")
            client.sendmail("pat@example.net", [f"u{n}@{org.domain}" for n in range(count)],
                            b"From: pat@example.net\r\nSubject: many\r\n\r\nHi.\r\n")
        return time.perf_counter() - started


def main() -> int:
    """Print the median seconds per transaction and per recipient for each count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for count in args.counts:
        seconds = statistics.median(one_transaction(count) for _ in range(args.repeats))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{count:6d} RCPTs: {seconds:7.2f} s median ({seconds / count * 1000:.2f} ms per recipient), "
              f"peak RSS so far {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
