"""The one article id rule, and the check that a path built from an id stays in its folder.

An article id becomes a file name (``articles/Q123456.yaml``), a page folder of the site and a
link, so every code path that writes, deletes or links by id asks this module first. The rule is
the schema's (``schemas/article.schema.json`` ``properties.id.pattern``): an ASCII ``Q`` and 5 to 7
ASCII digits. ``[0-9]`` and ``re.ASCII``, never ``\\d``: Python's ``\\d`` also matches
Arabic-Indic and other Unicode digits.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kb.exceptions import KbError

#: The article id pattern; the article schema's ``id`` pattern is this exact text.
ARTICLE_ID_PATTERN = r"^Q[0-9]{5,7}$"
ARTICLE_ID_RE = re.compile(ARTICLE_ID_PATTERN, re.ASCII)
ARTICLE_ID_EXPECTED = "an ASCII 'Q' and 5-7 ASCII digits, e.g. 'Q254893'"


class UnsafePathError(KbError):
    """A path built from user data would leave the folder it must stay in."""


def is_article_id(value: object) -> bool:
    """Tell whether ``value`` is a well-formed article id (``Q`` + 5-7 ASCII digits)."""
    return isinstance(value, str) and ARTICLE_ID_RE.match(value) is not None and not value.endswith("\n")


def id_problem(value: object) -> str | None:
    """Return why ``value`` is not an article id (quoting it), or None when it is one."""
    if is_article_id(value):
        return None
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return f"bad article id {shown}, expected {ARTICLE_ID_EXPECTED}"


def inside(folder: str | os.PathLike[str], relative: str) -> Path:
    """Return ``folder/relative`` after checking it stays inside ``folder``; raise UnsafePathError.

    ``relative`` must be a relative path without ``..``; a folder on the way that is a symbolic
    link must resolve inside ``folder`` too. (The last part may be a link: writes replace it and
    deletes remove it, neither follows it.) One lstat per folder level, so checking every page
    of a 57,000-article site costs next to nothing.
    """
    parts = relative.split("/")
    if relative.startswith("/") or "\\" in relative or any(part in ("", ".", "..") for part in parts):
        raise UnsafePathError(f"{os.path.join(folder, relative)}: refused, the path leaves {folder}")
    current = os.fspath(folder)
    for part in parts[:-1]:
        current = os.path.join(current, part)
        if os.path.islink(current):
            resolved, root = Path(current).resolve(), Path(folder).resolve()
            if not resolved.is_relative_to(root) or resolved == root:
                raise UnsafePathError(f"{os.path.join(folder, relative)}: refused, {current} leads out of {folder}")
    return Path(folder, relative)
