"""The virtual clock: tasks run in time order and only when time reaches them."""

from __future__ import annotations

from datetime import datetime

import pytest

from kb.sim.core.clock import VirtualClock


def test_tasks_run_in_time_order_and_see_their_own_time() -> None:
    clock = VirtualClock()
    seen: list[tuple[str, str]] = []
    clock.schedule(60, "b", lambda: seen.append(("b", clock.now().isoformat())))
    clock.schedule(30, "a", lambda: seen.append(("a", clock.now().isoformat())))
    clock.schedule(0, "now", lambda: seen.append(("now", clock.now().isoformat())))
    assert clock.run() == 1
    assert clock.advance(45) == 1
    assert seen == [("now", "2000-01-11T09:00:00"), ("a", "2000-01-11T09:00:30")]
    clock.advance(15)
    assert seen[-1] == ("b", "2000-01-11T09:01:00")
    assert clock.now().isoformat() == "2000-01-11T09:01:00"


def test_a_cancelled_task_does_not_run() -> None:
    clock = VirtualClock()
    ran: list[int] = []
    task = clock.schedule(10, "x", lambda: ran.append(1))
    clock.cancel(task)
    clock.advance(20)
    assert ran == [] and clock.pending() == []


def test_time_cannot_go_backwards() -> None:
    with pytest.raises(ValueError):
        VirtualClock().advance(-1)


def test_a_task_loop_at_one_instant_is_stopped() -> None:
    clock = VirtualClock()

    def again() -> None:
        clock.schedule(0, "again", again)

    clock.schedule(0, "again", again)
    with pytest.raises(RuntimeError, match="a loop"):
        clock.run(limit=50)


def test_joined_clocks_share_one_time_and_one_run_queue() -> None:
    early, late = VirtualClock(datetime(2000, 1, 1)), VirtualClock(datetime(2000, 1, 2))
    seen: list[tuple[str, datetime]] = []
    early.schedule(3600, "early", lambda: seen.append(("early", early.now())))
    late.schedule(60, "late", lambda: seen.append(("late", late.now())))
    early.join(late)
    assert early.now() == late.now() == datetime(2000, 1, 2)  # the later of the two
    late.advance(120)
    assert seen == [("early", datetime(2000, 1, 2)), ("late", datetime(2000, 1, 2, 0, 1))]
    assert early.now() == datetime(2000, 1, 2, 0, 2)


def test_a_clock_joined_earlier_follows_when_its_world_joins_another() -> None:
    a, b, c = VirtualClock(), VirtualClock(), VirtualClock()
    b.join(a)
    a.join(c)
    ran: list[str] = []
    b.schedule(10, "b", lambda: ran.append("b"))
    c.advance(10)
    assert ran == ["b"] and a.now() == b.now() == c.now()
