"""Content-hash cache of repro runs: an unchanged article on an unchanged simulator is not re-run.

The key covers the article record's bytes, the repro script and its helper modules, the
simulator source tree, the repro runner and the release catalogue, the release, and the repeat
policy. Only runs that agreed on an observation are kept: errors, timeouts and flaky results
are always run again.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from kb.files import write_atomic
from kb.repro.runner import RunOutcome

CACHE_VERSION = "2"
MIN_AGREEING = 2
_ARTICLE_SCRIPT = re.compile(r"^Q\d+\.py$")


def _hash_tree(digest: "hashlib._Hash", folder: Path, patterns: tuple[str, ...]) -> None:
    """Feed every matching file under ``folder`` (relative path and bytes) into ``digest``."""
    if not folder.is_dir():
        return
    files = sorted({p for pattern in patterns for p in folder.rglob(pattern) if "__pycache__" not in p.parts})
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


@cache
def engine_hash() -> str:
    """Return the hash of what every run depends on: kb/sim, kb/repro and the release catalogue."""
    import kb

    package = Path(kb.__file__).resolve().parent
    digest = hashlib.sha256(f"kb-verify-cache {CACHE_VERSION}\0".encode())
    _hash_tree(digest, package / "sim", ("*.py", "*.yaml", "*.json"))
    _hash_tree(digest, package / "repro", ("*.py",))
    _hash_tree(digest, package / "releases", ("*.py", "*.yaml"))
    return digest.hexdigest()


def script_hash(script: Path) -> str:
    """Return the hash of a repro script and the helper modules beside it (not other repros)."""
    digest = hashlib.sha256()
    if script.is_file():
        digest.update(script.read_bytes() + b"\0")
        for helper in sorted(script.parent.glob("*.py")):
            if helper != script and not _ARTICLE_SCRIPT.match(helper.name):
                digest.update(helper.name.encode() + b"\0" + helper.read_bytes() + b"\0")
    else:
        digest.update(b"<missing>")
    return digest.hexdigest()


def run_key(record: bytes, script: Path, release: str, repeat: int | None) -> str:
    """Return the cache key of one (article, release) run sequence."""
    digest = hashlib.sha256()
    for part in (
        hashlib.sha256(record).hexdigest(),
        script_hash(script),
        engine_hash(),
        release,
        "default" if repeat is None else f"repeat={repeat}",
    ):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


class RunCache:
    """Cached run sequences under ``<root>/.kb/cache/verify/``, one JSON file per key."""

    def __init__(self, root: Path) -> None:
        self.folder = Path(root) / ".kb" / "cache" / "verify"

    def _path(self, key: str) -> Path:
        """Return the file holding ``key``."""
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[RunOutcome] | None:
        """Return the cached runs for ``key``, or None (a damaged entry counts as absent)."""
        try:
            data: dict[str, Any] = json.loads(self._path(key).read_text(encoding="utf-8"))
            return [RunOutcome.from_json(item) for item in data["runs"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, runs: list[RunOutcome]) -> None:
        """Store ``runs`` when they agreed on an observation (atomic write)."""
        # One run proves nothing about a nondeterministic repro: cache only agreement of two or more.
        if len(runs) < MIN_AGREEING or {run.signature for run in runs} not in ({"symptom"}, {"no-symptom"}):
            return
        path = self._path(key)
        write_atomic(path, json.dumps({"key": key, "runs": [run.to_json() for run in runs]}, sort_keys=True))
