"""What makes a repro run a sealed box: bounded output capture, pristine signals, no survivors.

A repro is other people's code run in CI. Whatever it prints is drained by a thread that keeps
only the last ``OUTPUT_CAP`` bytes (a script that prints without end cannot fill memory or
/tmp); its signal dispositions are those of a new interpreter whether it was forked or started
afresh (a fork server that ignores SIGCHLD must not make ``subprocess.run(["false"])`` return 0);
and every process it started is killed when the run ends, even one that left the session with
``setsid``: the run's process is a child subreaper (Linux ``PR_SET_CHILD_SUBREAPER``), so orphans
stay its descendants, and the whole tree is found through /proc and killed.
"""

from __future__ import annotations

import ctypes
import os
import resource
import select
import signal
import threading
from collections import deque
from pathlib import Path
from typing import Any, Callable, Literal

#: Bytes of a run's captured output (stdout, stderr, the result document) kept at most.
OUTPUT_CAP = 1024 * 1024
TRUNCATED = "… truncated"
_PR_SET_CHILD_SUBREAPER = 36

#: Address space one run may use (RLIMIT_AS). A repro that allocates without end gets a
#: MemoryError, reported as the run's error, instead of taking the machine's memory;
#: ``KB_REPRO_MEMORY_MB`` changes it.
MEMORY_LIMIT = 4 * 1024 * 1024 * 1024


def limit_memory() -> None:
    """Cap this (run) process's address space at MEMORY_LIMIT (or ``KB_REPRO_MEMORY_MB``)."""
    wanted = MEMORY_LIMIT
    override = os.environ.get("KB_REPRO_MEMORY_MB", "")
    if override.isascii() and override.isdigit() and int(override) > 0:
        wanted = int(override) * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (OSError, ValueError):
        pass


# --- signals -----------------------------------------------------------------------------

#: The dispositions of a fresh interpreter, read when this module is first imported (the fork
#: server imports it before it changes any: it ignores SIGCHLD to have the kernel reap).
_PRISTINE: dict[int, Any] = {}


def remember_signals() -> None:
    """Record the current signal dispositions as the ones every run starts with."""
    for number in signal.valid_signals():
        try:
            handler = signal.getsignal(number)
        except (OSError, ValueError):
            continue
        if handler is not None:
            _PRISTINE[number] = handler


remember_signals()


def restore_signals() -> None:
    """Give this (forked) process the signal dispositions of a new interpreter."""
    for number, handler in _PRISTINE.items():
        if number in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(number, handler)
        except (OSError, ValueError, TypeError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


# --- process trees -----------------------------------------------------------------------


def become_subreaper() -> bool:
    """Make orphaned descendants of this process its children (Linux); return True when done."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, int]:
    """Return pid -> parent pid of every process in /proc."""
    parents: dict[int, int] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return parents
    for name in names:
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_bytes()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses; split after the last ')'.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and fields[0] != b"Z":  # a zombie is dead already, only not reaped
            parents[int(name)] = int(fields[1])
    return parents


def descendants(pid: int) -> list[int]:
    """Return every live descendant of ``pid`` (children first), read from /proc."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    pending = list(children.get(pid, []))
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def kill_tree(pid: int, *, include_self: bool) -> None:
    """SIGKILL every descendant of ``pid`` (and its process group), and ``pid`` when asked.

    Repeated until no descendant is left, so a process forked while the first sweep ran is
    caught by the next one.
    """
    for _ in range(10):
        found = descendants(pid)
        if not found:
            break
        for child in found:
            try:
                os.kill(child, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if pid == os.getpid():  # reap only our own children: others belong to their Popen objects
            _reap_children()
    if include_self:
        for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                kill()
            except (ProcessLookupError, PermissionError):
                pass


def _reap_children() -> None:
    """Collect this process's exited children (zombies keep showing up in /proc)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def end_own_tree() -> None:
    """Kill everything this process started (called by a run's process before it exits)."""
    # No child at all means no descendant (a subreaper adopts orphans as children): skip the
    # /proc walk, which costs milliseconds per run on a busy machine.
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return
    kill_tree(os.getpid(), include_self=False)


# --- bounded output capture --------------------------------------------------------------


class Capture:
    """Drain a file descriptor in a thread, keeping the first or the last ``cap`` bytes.

    ``keep="tail"`` suits a log (the end says what went wrong); ``keep="head"`` suits a result
    document, which is refused whole when it overflows. Reading never blocks the run: a repro
    that prints without end just has its output dropped beyond the cap.
    """

    def __init__(self, fd: int, cap: int = OUTPUT_CAP, keep: Literal["head", "tail"] = "tail") -> None:
        self.fd = fd
        self.cap = cap
        self.keep = keep
        self.total = 0
        self._chunks: deque[bytes] = deque()
        self._kept = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="kb-repro-capture", daemon=True)
        self._thread.start()

    def _add(self, chunk: bytes) -> None:
        """Keep ``chunk`` within the cap."""
        self.total += len(chunk)
        if self.keep == "head":
            room = self.cap - self._kept
            if room > 0:
                self._chunks.append(chunk[:room])
                self._kept += min(room, len(chunk))
            return
        self._chunks.append(chunk)
        self._kept += len(chunk)
        while self._kept - len(self._chunks[0]) >= self.cap:
            self._kept -= len(self._chunks.popleft())

    def _drain(self) -> None:
        """Read until end of file, or until asked to stop (then only a last bounded gulp).

        A process that escaped the kill and keeps writing cannot hold the run open: after the
        stop request at most a few more reads are taken.
        """
        after_stop = 0
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.fd, 1 << 16)
                except BlockingIOError:
                    chunk = None
                except OSError:
                    return
                if chunk == b"":
                    return
                if chunk:
                    self._add(chunk)
            if self._stop.is_set():
                after_stop += 1
                if not ready or after_stop > 16:
                    return

    def finish(self, grace: float = 1.0) -> bytes:
        """Stop reading (after what is already waiting) and return the bytes kept."""
        self._thread.join(grace)
        self._stop.set()
        self._thread.join()
        data = b"".join(self._chunks)
        if self.keep == "tail" and len(data) > self.cap:
            data = data[-self.cap:]
        return data

    @property
    def overflowed(self) -> bool:
        """Return True when more than ``cap`` bytes came."""
        return self.total > self.cap


def cap_document(payload: dict[str, Any], encode: Callable[[dict[str, Any]], str], cap: int = OUTPUT_CAP) -> str:
    """Return the JSON of a run's result, cut down to fit ``cap`` (evidence, transcript, message)."""
    text = encode(payload)
    size = len(text.encode("utf-8"))
    if size <= cap:
        return text
    note = f"{TRUNCATED}: the result was {size} bytes, over the {cap}-byte cap"
    payload = dict(payload)
    if isinstance(payload.get("error"), str):
        payload["error"] = payload["error"][:4000] + f" [{note}]"
    if isinstance(payload.get("observation"), dict):
        observation = dict(payload["observation"])
        observation["evidence"] = {"truncated": f"{note}; evidence dropped"}
        lines = [str(line)[:1000] for line in observation.get("transcript") or []]
        observation["transcript"] = lines[:200] + ([TRUNCATED] if len(lines) > 200 else [])
        payload["observation"] = observation
    text = encode(payload)
    if len(text.encode("utf-8")) > cap and isinstance(payload.get("observation"), dict):
        payload["observation"] = dict(payload["observation"], transcript=[f"{note}; transcript dropped"])
        text = encode(payload)
    return text
