"""Rebuild the site while it is previewed: poll the articles, the verify results and the site's
templates and static assets, and bring the site up to date when any of them changes.

A polling watcher (like ``mkdocs serve --watch`` with polling): no extra dependency, and the
incremental build re-renders only what changed. One scan of 57,000 records is a directory
listing with stat results (tens of milliseconds), so the default period is half a second.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kb.exceptions import KbError
from kb.site.pages import static_dir, template_dir

Say = Callable[[str], None]
Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(paths: list[Path]) -> Fingerprint:
    """Return (path, mtime in ns, size) of every file of ``paths`` (folders: their files)."""
    found: list[tuple[str, int, int]] = []
    for path in paths:
        if path.is_dir():
            with os.scandir(path) as scan:
                for entry in scan:
                    if entry.is_file() and not entry.name.startswith("."):
                        st = entry.stat()
                        found.append((entry.path, st.st_mtime_ns, st.st_size))
        else:
            try:
                st = path.stat()
            except OSError:
                continue  # absent (no verify results yet): nothing to watch until it appears
            found.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(sorted(found))


@dataclass
class SiteWatcher:
    """Poll ``watched`` every ``interval`` seconds; call ``rebuild`` after a change settles."""

    watched: list[Path]
    rebuild: Callable[[], Any]
    interval: float = 0.5
    say: Say = field(default=lambda message: None)
    rebuilds: int = 0
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _last: Fingerprint = field(default=(), repr=False)

    def start(self) -> None:
        """Take the first fingerprint and start polling in a daemon thread."""
        self._last = fingerprint(self.watched)
        self._thread = threading.Thread(target=self._run, name="kb-site-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for a running rebuild to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def poll(self) -> bool:
        """Rebuild when something changed since the last poll; return True when it did."""
        now = fingerprint(self.watched)
        if now == self._last:
            return False
        # An editor writes a file in steps: wait until two scans agree before building.
        while True:
            time.sleep(min(self.interval, 0.2))
            again = fingerprint(self.watched)
            if again == now:
                break
            now = again
        self._last = now
        try:
            self.rebuild()
        except KbError as error:  # a bad record or config: say so and keep serving
            self.say(str(error))
        self.rebuilds += 1
        return True

    def _run(self) -> None:
        """Poll until stopped."""
        while not self._stop.wait(self.interval):
            self.poll()


def watched_paths(articles: Path, results: Path) -> list[Path]:
    """Return what a preview watches: the records, the verify results, the site configuration,
    the templates and the static assets."""
    root = Path(articles).resolve().parent
    return [articles, results, root / "kb.yaml", root / "pyproject.toml", template_dir(), static_dir()]


def site_rebuilder(articles: Path, out: Path, results: Path, say: Say) -> Callable[[], Any]:
    """Return a function that brings the site of ``articles`` in ``out`` up to date and says how."""
    from kb.site.build import build_site

    def rebuild() -> Any:
        report = build_site(articles, out, verify_results=results, search=(out / "pagefind").is_dir())
        for error in report.errors:
            say(error)
        say(f"rebuilt: {report.rendered_articles} article and {report.rendered_indexes} index pages "
            f"rendered, {report.removed} removed in {report.seconds:.1f} s")
        return report

    return rebuild
