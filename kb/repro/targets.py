"""The articles kb verify and kb repro work on: record bytes, status, repro block and the script path.

An adapter over kb.store so the rest of kb.verify only needs these few facts of a record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.exceptions import KbError, NotFoundError, RecordError


@dataclass
class Target:
    """One article record as kb verify sees it."""

    id: str
    path: Path
    record: bytes
    title: str
    status: dict[str, Any] | None
    repro: dict[str, Any] | None

    @property
    def text(self) -> str:
        """Return the record as text (for locating lines in messages)."""
        return self.record.decode("utf-8", "replace")

    def script(self, root: Path) -> Path:
        """Return the repro script path (relative paths are relative to the kb root)."""
        raw = (self.repro or {}).get("script")
        if not isinstance(raw, str) or not raw.strip():
            line = next((n for n, t in enumerate(self.text.splitlines(), 1) if "repro" in t), None)
            raise RecordError(str(self.path), line, f"repro.script: got {raw!r}, expected a path such as "
                              f"'repro/{self.id}.py'")
        path = Path(raw)
        return path if path.is_absolute() else root / path


def load_target(path: Path) -> Target:
    """Load one article record through kb.store."""
    from kb.store import load_article

    article = load_article(path)
    return Target(
        id=article.id,
        path=Path(path),
        record=Path(path).read_bytes(),
        title=getattr(article, "title", "") or "",
        status=article.status,
        repro=article.repro,
    )


def record_files(folder: Path) -> list[Path]:
    """Return the record files of an articles folder, sorted by name."""
    if not folder.is_dir():
        raise NotFoundError(f"{folder}: no such articles folder")
    from kb.resolve import RECORDS, is_article_file

    # An entry named like a record that is not a regular file (a FIFO, a dangling link) is kept:
    # loading it reports one located line (kb.files.read_bounded never opens it).
    return sorted(p for p in folder.iterdir() if is_article_file(p, RECORDS) and not p.is_dir())


def find_record(folder: Path, name: str) -> Path:
    """Return the record a user named: a path, or an id like Q254893 / 254893 in ``folder``."""
    from kb.resolve import one_article

    return one_article(name, folder)


def select_targets(folder: Path, names: list[str] | tuple[str, ...] = ()) -> tuple[list[Target], list[str]]:
    """Return the named articles (all of ``folder`` when none are named) sorted by id.

    A record that cannot be loaded does not stop the others: its one-line message is returned
    in the second list. A name that matches no record raises NotFoundError.
    """
    from kb.resolve import RECORDS, article_paths

    paths = article_paths(names, folder, RECORDS) if names else record_files(folder)
    unique = {path.resolve(): path for path in paths}
    targets: list[Target] = []
    problems: list[str] = []
    for path in unique.values():
        try:
            targets.append(load_target(path))
        except KbError as error:
            problems.append(str(error))
    return sorted(targets, key=lambda t: t.id), sorted(problems)
