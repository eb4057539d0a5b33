"""Content-hash cache of repro runs: an unchanged article on an unchanged simulator is not re-run.

The key covers the article record's bytes, the repro script and its helper modules, the
simulator source tree, the repro runner and the release catalogue, the release, and the repeat
policy. Only runs that agreed on an observation are kept: errors, timeouts and flaky results
are always run again.
"""

from __future__ import annotations

import ast
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
_ARTICLE_SCRIPT = re.compile(r"^Q[0-9]+\.py$", re.ASCII)


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


def _module_files(name: str, bases: list[Path]) -> list[Path]:
    """Return the files of module ``name`` and its parent packages found under ``bases``."""
    parts = name.split(".")
    found: list[Path] = []
    for base in bases:
        for depth in range(1, len(parts) + 1):
            stem = base.joinpath(*parts[:depth])
            for candidate in (stem.with_name(stem.name + ".py"), stem / "__init__.py"):
                if candidate.is_file():
                    found.append(candidate)
    return found


def _imported_names(path: Path) -> list[tuple[str, int]]:
    """Return (module name, relative level) of every import in a Python file, static or literal.

    ``import a.b``, ``from a import b`` (b may be a submodule), ``from . import c`` and the
    string-literal forms ``importlib.import_module("a")`` / ``__import__("a")``.
    """
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return []
    names: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module:
                names.append((module, node.level))
            names.extend(((f"{module}.{alias.name}" if module else alias.name), node.level)
                         for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in ("import_module", "__import__"):
                names.append((node.args[0].value, 0))
    return names


def repro_modules(script: Path) -> list[Path]:
    """Return every module file of the repro tree the script imports, transitively, sorted.

    The repro tree is the script's folder (``repro/``): its helpers (``repro/helpers/...``),
    and other repros a script imports. Modules are looked up as the runner does: beside the
    script, and from the kb root (``import repro.helpers.x``). Anything outside the tree (the
    standard library, kb itself, which the engine hash covers) is left out.
    """
    tree = script.resolve().parent
    bases = [tree, tree.parent]
    seen: set[Path] = set()
    pending = [script.resolve()]
    while pending:
        current = pending.pop()
        for name, level in _imported_names(current):
            if level:
                package = current.parent
                for _ in range(level - 1):
                    package = package.parent
                candidates = _module_files(name, [package]) if name else [package / "__init__.py"]
            else:
                candidates = _module_files(name, bases)
            for found in candidates:
                found = found.resolve()
                if found.is_file() and found.is_relative_to(tree) and found not in seen and found != script.resolve():
                    seen.add(found)
                    pending.append(found)
    return sorted(seen)


def script_hash(script: Path) -> str:
    """Return the hash of a repro script, the helper modules beside it and every module it imports.

    Imports are followed through the repro tree (kb/verify/cache.py ``repro_modules``): editing
    ``repro/helpers/smtp.py`` or another repro the script imports changes the key.
    """
    digest = hashlib.sha256()
    if script.is_file():
        digest.update(script.read_bytes() + b"\0")
        for helper in sorted(script.parent.glob("*.py")):
            if helper != script and not _ARTICLE_SCRIPT.match(helper.name):
                digest.update(helper.name.encode() + b"\0" + helper.read_bytes() + b"\0")
        tree = script.resolve().parent
        for module in repro_modules(script):
            digest.update(module.relative_to(tree).as_posix().encode() + b"\0" + module.read_bytes() + b"\0")
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
        from kb.record_cache import cache_folder  # the one locator of .kb/cache

        self.folder = cache_folder(Path(root)) / "verify"

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
