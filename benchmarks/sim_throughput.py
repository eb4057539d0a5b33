"""Messages per second through the simulator: in-process model and real SMTP on loopback.

Usage: python benchmarks/sim_throughput.py [--messages N] [--release NAME]
Prints the median of 3 runs for each path.
"""

from __future__ import annotations

import argparse
import smtplib
import statistics
import threading
import time

from kb.sim import Organisation
from kb.sim.config import load_org
from kb.sim.serve import Bound, SimServer

BODY = "Quarterly figures attached.\n" * 20


def in_process(release: str, count: int) -> float:
    """Send ``count`` messages from a mailbox: half local, half to an Internet host; return msgs/s."""
    org = Organisation(release)
    org.add_mailbox("alice")
    org.add_mailbox("bob")
    org.add_remote_host("mx.example.net", "192.0.2.25")
    org.dns.add_zone("example.net", mx=[(10, "mx.example.net")])
    client = org.client("alice")
    start = time.perf_counter()
    for index in range(count):
        client.send("bob" if index % 2 else "SMTP:carol@example.net", subject=f"message {index}", body=BODY)
    elapsed = time.perf_counter() - start
    assert len(org.internet.host("mx.example.net").received) == count // 2 + count % 2
    return count / elapsed


def over_smtp(release: str, count: int) -> float:
    """Send ``count`` messages with smtplib over one loopback connection to local mailboxes; return msgs/s."""
    org = load_org(release)
    server = SimServer(org, ("127.0.0.1", 0), ("127.0.0.1", 0))
    ready = threading.Event()
    bound: list[Bound] = []
    thread = threading.Thread(target=server.run, args=(lambda b: (bound.append(b), ready.set()),), daemon=True)
    thread.start()
    ready.wait(10)
    message = f"From: someone@example.net\r\nTo: bob@contoso.com\r\nSubject: load\r\n\r\n{BODY}".encode()
    try:
        start = time.perf_counter()
        with smtplib.SMTP(*bound[0].smtp) as smtp:
            for _ in range(count):
                smtp.sendmail("someone@example.net", ["bob@contoso.com"], message)
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
        thread.join(10)
    assert len(org.client("bob").inbox()) == count
    return count / elapsed


def main() -> None:
    """Run both paths three times and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--release", default="Exchange Server 5.5 SP3")
    args = parser.parse_args()
    model = [in_process(args.release, args.messages) for _ in range(3)]
    smtp = [over_smtp(args.release, args.messages // 4) for _ in range(3)]
    print(f"release: {args.release}")
    print(f"in-process model: {statistics.median(model):,.0f} messages/s (median of 3, {args.messages} messages each; runs {', '.join(f'{m:,.0f}' for m in model)})")
    print(f"real SMTP on loopback: {statistics.median(smtp):,.0f} messages/s (median of 3, {args.messages // 4} messages each over one smtplib connection; runs {', '.join(f'{m:,.0f}' for m in smtp)})")


if __name__ == "__main__":
    main()
