"""Virtual time: a deterministic scheduler that never sleeps."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

# The event in Q254893 was logged on 1/11/2000 3:17:57 PM; start the world on that morning.
DEFAULT_START = datetime(2000, 1, 11, 9, 0, 0)


@dataclass(order=True)
class _Task:
    when: datetime
    seq: int
    label: str = field(compare=False)
    action: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class VirtualClock:
    """A clock plus a run queue; work is done by ``run()`` and ``advance()``, in time order."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._now = start
        self._queue: list[_Task] = []
        self._seq = 0

    def now(self) -> datetime:
        """Return the current virtual time."""
        return self._now

    def schedule(self, delay_seconds: float, label: str, action: Callable[[], None]) -> _Task:
        """Run ``action`` ``delay_seconds`` from now (0 = at the next ``run()``)."""
        self._seq += 1
        task = _Task(self._now + timedelta(seconds=max(0.0, delay_seconds)), self._seq, label, action)
        heapq.heappush(self._queue, task)
        return task

    def cancel(self, task: _Task) -> None:
        """Forget a scheduled task."""
        task.cancelled = True

    def pending(self) -> list[tuple[datetime, str]]:
        """Return the scheduled (time, label) pairs in run order."""
        return [(t.when, t.label) for t in sorted(self._queue) if not t.cancelled]

    def run(self, limit: int = 100_000) -> int:
        """Run every task that is due now (including tasks they schedule for now); return the count."""
        done = 0
        while self._queue and self._queue[0].when <= self._now:
            task = heapq.heappop(self._queue)
            if task.cancelled:
                continue
            task.action()
            done += 1
            if done >= limit:
                raise RuntimeError(f"virtual clock: more than {limit} tasks at {self._now} (a loop?)")
        return done

    def advance(self, seconds: float) -> int:
        """Move time forward by ``seconds``, running each task at its own time; return the count."""
        if seconds < 0:
            raise ValueError("virtual time cannot go backwards")
        target = self._now + timedelta(seconds=seconds)
        done = self.run()
        while self._queue and self._queue[0].when <= target:
            self._now = max(self._now, self._queue[0].when)
            done += self.run()
        self._now = target
        return done + self.run()
