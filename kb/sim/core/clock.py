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


@dataclass
class _World:
    """The time, run queue and task counter that joined clocks share."""

    now: datetime
    clocks: list["VirtualClock"]
    queue: list[_Task] = field(default_factory=list)
    seq: int = 0


class VirtualClock:
    """A clock plus a run queue; work is done by ``run()`` and ``advance()``, in time order."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._world = _World(start, [self])

    def join(self, other: "VirtualClock") -> None:
        """Share ``other``'s time and run queue from now on: organisations wired together run as one world.

        The world's time becomes the later of the two; tasks scheduled on either clock keep their
        times and run in time order with the other's.
        """
        mine, world = self._world, other._world
        if mine is world:
            return
        world.now = max(world.now, mine.now)
        for task in mine.queue:
            heapq.heappush(world.queue, task)
        for clock in mine.clocks:
            clock._world = world
            world.clocks.append(clock)

    def now(self) -> datetime:
        """Return the current virtual time."""
        return self._world.now

    def schedule(self, delay_seconds: float, label: str, action: Callable[[], None]) -> _Task:
        """Run ``action`` ``delay_seconds`` from now (0 = at the next ``run()``)."""
        self._world.seq += 1
        task = _Task(self._world.now + timedelta(seconds=max(0.0, delay_seconds)), self._world.seq, label, action)
        heapq.heappush(self._world.queue, task)
        return task

    def cancel(self, task: _Task) -> None:
        """Forget a scheduled task."""
        task.cancelled = True

    def pending(self) -> list[tuple[datetime, str]]:
        """Return the scheduled (time, label) pairs in run order."""
        return [(t.when, t.label) for t in sorted(self._world.queue) if not t.cancelled]

    def run(self, limit: int = 100_000) -> int:
        """Run every task that is due now (including tasks they schedule for now); return the count."""
        done = 0
        world = self._world
        queue = world.queue
        while queue and queue[0].when <= world.now:
            task = heapq.heappop(queue)
            if task.cancelled:
                continue
            task.action()
            done += 1
            if done >= limit:
                raise RuntimeError(f"virtual clock: more than {limit} tasks at {world.now} (a loop?)")
        return done

    def advance(self, seconds: float) -> int:
        """Move time forward by ``seconds``, running each task at its own time; return the count."""
        if seconds < 0:
            raise ValueError("virtual time cannot go backwards")
        target = self._world.now + timedelta(seconds=seconds)
        done = self.run()
        while self._world.queue and self._world.queue[0].when <= target:
            self._world.now = max(self._world.now, self._world.queue[0].when)
            done += self.run()
        self._world.now = target
        return done + self.run()
