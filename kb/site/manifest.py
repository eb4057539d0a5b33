"""The build manifest: what each record and page was built from, so rebuilds skip unchanged work.

Kept at ``<out>/.kb-site-manifest.json``: per record its stat signature, content hash and index
summary; per output page the digest of its inputs; and the digest of the site's own code and
templates (a template change re-renders everything).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.files import write_atomic

MANIFEST_NAME = ".kb-site-manifest.json"
VERSION = 2


@dataclass
class Manifest:
    """Record signatures and page digests of the previous build."""

    code: str = ""
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    search: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> "Manifest":
        """Return the manifest of the site at ``out`` (empty when missing or unreadable)."""
        try:
            data = json.loads((out / MANIFEST_NAME).read_bytes())
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return cls()
        return cls(code=data.get("code", ""), records=data.get("records", {}),
                   pages=data.get("pages", {}), search=data.get("search") or {})

    def save(self, out: Path) -> None:
        """Write the manifest atomically."""
        data = {"version": VERSION, "code": self.code, "records": self.records,
                "pages": self.pages, "search": self.search}
        write_atomic(out / MANIFEST_NAME, json.dumps(data, sort_keys=True, separators=(",", ":")))


def digest_files(paths: list[Path]) -> str:
    """Return one hash over the names and bytes of ``paths`` (in the given order)."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()[:24]


def digest_text(*parts: str) -> str:
    """Return a short hash of some strings."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]
