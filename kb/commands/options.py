"""What the commands share: the one ``-j/--jobs`` option, the folder option and the progress style."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def jobs_option(work: str) -> Callable[[F], F]:
    """Add ``-j/--jobs N``: how many ``work`` items run at once (default: all cores)."""
    return click.option(
        "--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
        help=f"Run N {work} in parallel. [default: all cores, never more than there is work]",
    )


def jobs_for(jobs: int | None, work: int | None = None) -> int:
    """Return the worker count: the user's N, else all cores; capped by ``work`` when known."""
    count = jobs if jobs is not None else (os.cpu_count() or 1)
    return max(1, min(count, work)) if work is not None else max(1, count)


def articles_option(function: F) -> F:
    """Add ``--articles DIR``: the articles folder that ids are looked up in."""
    option = click.option("--articles", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
                          help="The articles folder. [default: articles/ of the kb root]")
    return option(function)


def articles_folder(folder: Path | None) -> Path:
    """Return the articles folder: the one given, else articles/ of the kb root."""
    from kb.resources import project_root

    return folder if folder is not None else project_root() / "articles"


def show_progress() -> bool:
    """Return True when progress is worth drawing: stderr is a terminal (never in logs or pipes)."""
    return sys.stderr.isatty()


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """Yield ``advance(done, total)`` drawing one click progress bar on a terminal, else nothing.

    The total may grow while the work runs (kb bisect learns of hotfix builds as it goes).
    """
    if not show_progress() or total < 1:
        yield lambda done, total: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:

        def advance(done: int, new_total: int) -> None:
            bar.length = max(new_total, done)
            bar.update(done - bar.pos)

        yield advance
