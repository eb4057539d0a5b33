"""A warm fork server for repro runs: kb.sim imported once, one forked process per run.

``python -m kb.repro.zygote`` imports the simulator, then reads one JSON request per line on
stdin (``{"script", "release", "cwd", "result", "log"}``), forks a child for it and answers
``{"pid": N}``. The child leads its own session, sends everything it prints to the log file,
runs the repro and writes the runner's JSON result to the result file. The server itself is
single-threaded and never runs a repro, so every child starts from the same pristine state: a
run is as isolated as in a new interpreter, without paying start-up and imports per run.

The client (:func:`run_warm`) waits for the child with a pidfd and kills its process group
when it outlives the timeout.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from kb.repro.isolation import Capture, become_subreaper, end_own_tree, kill_tree, limit_memory, restore_signals

# --- server side -------------------------------------------------------------------------


def _child(request: dict[str, str]) -> None:
    """Forked child: isolate, redirect output, run the repro, write the result, exit."""
    code = 3
    try:
        # A new interpreter's signal dispositions, not the server's (it ignores SIGCHLD, which
        # would make every subprocess the repro waits for look like it exited 0).
        restore_signals()
        os.setsid()
        become_subreaper()  # orphans of the repro stay ours, so end_own_tree finds them
        limit_memory()
        log = os.open(request["log"], os.O_WRONLY)  # the client's capped reader drains it
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        os.environ["TMPDIR"] = request["tmp"]
        tempfile.tempdir = request["tmp"]
        os.chdir(request["cwd"])
        if request["cwd"] not in sys.path:
            sys.path.insert(0, request["cwd"])
        from kb.repro.runner import _observe, result_document

        payload = _observe(request["script"], request["release"])
        with open(request["result"], "w", encoding="utf-8") as stream:
            stream.write(result_document(payload))
        code = 0 if payload["ok"] else 3
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            end_own_tree()  # nothing the repro started outlives its run
        finally:
            os._exit(code)  # lingering threads must not keep a finished run alive


def serve() -> int:
    """Serve fork requests from stdin until it closes."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    try:
        # The point of the server: import once, and load the read-only data every run reads
        # (the release catalogue, validated against its schema; the IMS message table).
        import kb.sim  # noqa: F401
        from kb.releases import load_catalogue
        from kb.sim.core.eventlog import message_table

        load_catalogue()
        message_table()
    except Exception:  # the run that needs them reports the error itself, with its traceback
        pass
    import kb.repro.runner  # noqa: F401

    replies = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
    return 0


# --- client side -------------------------------------------------------------------------

_LOCK = threading.Lock()
_SERVER: subprocess.Popen[str] | None = None


@functools.cache
def available() -> bool:
    """Return True where forking and pidfds work (Linux 5.3 and later)."""
    if not (hasattr(os, "fork") and hasattr(os, "pidfd_open")):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:  # e.g. ENOSYS on an old kernel or a restrictive sandbox
        return False
    return True


def _server() -> subprocess.Popen[str]:
    """Return the running fork server, starting it on first use (caller holds _LOCK)."""
    global _SERVER
    if _SERVER is None or _SERVER.poll() is not None:
        env = dict(os.environ, PYTHONHASHSEED="0")
        _SERVER = subprocess.Popen(
            [sys.executable, "-P", "-m", "kb.repro.zygote"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env=env, cwd=tempfile.gettempdir(), start_new_session=True,
        )
    return _SERVER


def _stop() -> None:
    """Close the fork server at exit (it ends when its stdin closes)."""
    if _SERVER is not None and _SERVER.poll() is None:
        try:
            assert _SERVER.stdin is not None
            _SERVER.stdin.close()
            _SERVER.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            _SERVER.kill()


atexit.register(_stop)


def _fork(request: dict[str, str]) -> int:
    """Ask the server for a child running ``request``; return its pid."""
    with _LOCK:
        for attempt in (1, 2):  # a server that died is restarted once
            server = _server()
            assert server.stdin is not None and server.stdout is not None
            try:
                server.stdin.write(json.dumps(request) + "\n")
                server.stdin.flush()
                reply = server.stdout.readline()
                if reply:
                    return int(json.loads(reply)["pid"])
            except (OSError, ValueError):
                pass
            server.kill()
        raise OSError("the repro fork server does not answer")


def _wait(pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``pid`` to end; return False when it is still running."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True  # already finished and reaped
    try:
        ready, _, _ = select.select([handle], [], [], timeout)
        return bool(ready)
    finally:
        os.close(handle)


def _kill(pid: int, *, tree: bool) -> None:
    """Kill the child's session, and with ``tree`` its descendants found through /proc.

    A run that finished killed its own descendants before it exited (end_own_tree); one that
    hangs is still their subreaper, so /proc finds every one of them, setsid or not.
    """
    if tree:
        kill_tree(pid, include_self=True)
        return
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
        except (ProcessLookupError, PermissionError):
            pass


def run_warm(script: Path, release: str, *, timeout: float, cwd: Path) -> Any:
    """Run one repro in a child of the warm fork server; return a RunOutcome.

    The child writes what it prints into a FIFO drained by a capped reader, and its temporary
    files into the run's folder, removed on every way out of this function.
    """
    from kb.repro.runner import OUTPUT_CAP, RESULT_SLACK, RunOutcome, _outcome_from_child, _tail

    with tempfile.TemporaryDirectory(prefix="kb-repro-", ignore_cleanup_errors=True) as folder:
        result, log = Path(folder) / "result.json", Path(folder) / "output.fifo"
        scratch = Path(folder) / "tmp"
        scratch.mkdir()
        os.mkfifo(log, 0o600)
        reader = os.open(log, os.O_RDONLY | os.O_NONBLOCK)
        # Our own write end keeps the FIFO open until the run is over, so the reader never sees
        # an end of file before the child has opened it.
        keeper = os.open(log, os.O_WRONLY | os.O_NONBLOCK)
        capture = Capture(reader)
        try:
            started = time.monotonic()
            pid = _fork({"script": str(script), "release": release, "cwd": str(cwd), "result": str(result),
                         "log": str(log), "tmp": str(scratch)})
            finished = _wait(pid, timeout)
            _kill(pid, tree=not finished)  # a hung run, or what a finished run left in its session
            if not finished:
                _wait(pid, 5.0)
            seconds = time.monotonic() - started
        finally:
            os.close(keeper)
            err = capture.finish()
            os.close(reader)
        stderr = _tail(err, capture.total)
        if not finished:
            return RunOutcome(status="timeout", message=f"{script}: run({release!r}) did not finish within {timeout:g} s",
                              seconds=seconds, stderr=stderr)
        try:
            size = result.stat().st_size
        except OSError:
            size = 0
        if size > OUTPUT_CAP + RESULT_SLACK:
            return RunOutcome(status="error", message=f"{script}: the result of run({release!r}) is over the "
                              f"{OUTPUT_CAP}-byte cap", seconds=seconds, stderr=stderr)
        out = result.read_bytes() if size else b""
        return _outcome_from_child(script, release, None, out, stderr, seconds)


if __name__ == "__main__":
    sys.exit(serve())
