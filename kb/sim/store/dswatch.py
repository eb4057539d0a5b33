"""The store's directory watch: rebuilding site addressing / SMTP domain lists while mail converts.

The information store watches directory objects (protocols, site addressing, the GWART) and, when
one changes, rebuilds what it derives from them, such as site addressing lists and the list of
valid SMTP domains (Q268357 CAUSE). Inbound conversion (IMAIL) reads those lists.

Q268357's fix moved the rebuild to a background thread. Q274403: in Store.exe 5.5.2653.7 through
5.5.2653.18 that thread holds its lock (B) and then asks for the conversion's (A), while a
conversion thread holds A and asks for B: the two deadlock, inbound conversion stops ("backlogs
of items that are awaiting inbound conversion") until the services are restarted, and the store
may hang while it shuts down. "This behavior was not a problem before the fix because the work
being done before was all on the same thread"; SP4 corrected the locking order.

A directory import of many small changes is modelled as a window of virtual time during which
the rebuild thread is busy (``Organisation.import_directory_changes``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable

from kb.exceptions import SimError
from kb.sim.core.builds import build

if TYPE_CHECKING:
    from kb.sim.store.infostore import InformationStore

# Q274403 STATUS: "Store.exe builds 5.5.2653.7 through 5.5.2653.18"; "first corrected in Exchange
# Server 5.5 Service Pack 4". 5.5.2653.7 is the Q268357 background-rebuild fix; the first build
# after 5.5.2653.18 is taken as fixed (inference: the next store hotfix of Q248838, 5.5.2653.22,
# is outside the STATUS range).
STORE_REBUILDS_ON_BACKGROUND_THREAD = build("5.5.2653.7")
STORE_REBUILD_LOCK_ORDER_FIXED = build("5.5.2653.19")


class DirectoryWatch:
    """The store's rebuild thread for watched directory objects and its lock against conversion."""

    def __init__(self, store: "InformationStore") -> None:
        self.store = store
        self.rebuilding_until: datetime | None = None
        self.deadlocked = False
        self.changes_seen = 0
        self._blocked: list[Callable[[], None]] = []

    @property
    def rebuilding(self) -> bool:
        """Return True while the rebuild thread works on imported changes."""
        return self.rebuilding_until is not None and self.store.org.clock.now() < self.rebuilding_until

    def changes_imported(self, count: int, seconds: float) -> None:
        """Record ``count`` changes to watched objects arriving over the next ``seconds``."""
        if count < 1 or seconds <= 0:
            raise SimError(f"directory import: {count!r} changes over {seconds!r} s "
                           "(expected at least 1 change and a positive duration)")
        now = self.store.org.clock.now()
        end = now + timedelta(seconds=seconds)
        self.rebuilding_until = max(end, self.rebuilding_until or end)
        self.changes_seen += count

    def enter_conversion(self, resume: Callable[[], None]) -> bool:
        """Return True when an inbound conversion may run now; else keep ``resume`` for later.

        On Store.exe 5.5.2653.7-5.5.2653.18 a conversion that starts while the rebuild thread
        runs deadlocks with it; every later conversion then waits on the held lock too.
        """
        build_ = self.store.build
        if self.deadlocked:
            self._blocked.append(resume)
            return False
        if self.rebuilding and STORE_REBUILDS_ON_BACKGROUND_THREAD <= build_ < STORE_REBUILD_LOCK_ORDER_FIXED:
            self.deadlocked = True
            self._blocked.append(resume)
            return False
        return True

    def restart(self) -> None:
        """The store process starts afresh: no thread holds a lock; blocked conversions run again."""
        self.deadlocked = False
        self.rebuilding_until = None
        blocked, self._blocked = self._blocked, []
        for resume in blocked:
            self.store.org.clock.schedule(0, "store: conversion after restart", resume)
