"""The build manifest: what each record and page was built from, so rebuilds skip unchanged work.

Kept at ``<out>/.kb-site-manifest.json`` (the digest of the site's own code and templates, the
index pages' digests and the search state) and ``<out>/.kb-site-manifest/NN.json``: the records,
split into shards by file name, each with its stat signature, content hash, article page digest
and index summary. At 57,000 records the records are most of the manifest (tens of MB of JSON),
so a build rewrites only the shards whose records changed. Each file only states facts about
pages already written, so files from different builds never make a stale page look current.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from kb.files import write_atomic
from kb.ids import is_article_id
from kb.site.indexes import article_path

MANIFEST_NAME = ".kb-site-manifest.json"
#: The folder of the record shards, beside the manifest.
SHARDS_NAME = ".kb-site-manifest"
VERSION = 3
#: Record shards: about 900 records each at 57,000, so a one-record change rewrites ~1/64.
SHARDS = 64


class Record(NamedTuple):
    """What the last build knew of one record file, and the digest of its article page."""

    mtime: int
    size: int
    sha: str
    key: str
    summary: dict[str, Any]


def shard_of(name: str) -> int:
    """Return the shard that keeps the record file ``name`` (stable across runs and machines)."""
    return zlib.crc32(name.encode()) % SHARDS


@dataclass
class Manifest:
    """Record signatures and page digests of the previous build."""

    code: str = ""
    records: dict[str, Record] = field(default_factory=dict)
    index_pages: dict[str, str] = field(default_factory=dict)
    search: dict[str, str] = field(default_factory=dict)
    #: The record shards as loaded, so ``save`` rewrites only those that changed.
    loaded: dict[int, dict[str, Record]] = field(default_factory=dict, repr=False)

    @property
    def pages(self) -> dict[str, str]:
        """Return every page's digest: the article pages' (from their records) and the others'."""
        pages = {article_path(r.summary["id"]): r.key for r in self.records.values()}
        pages.update(self.index_pages)
        return pages

    @classmethod
    def load(cls, out: Path) -> "Manifest":
        """Return the manifest of the site at ``out`` (empty when missing or unreadable)."""
        data = _read_json(out / MANIFEST_NAME)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return cls()
        manifest = cls(code=data.get("code", ""), index_pages=data.get("index_pages") or {},
                       search=data.get("search") or {})
        for number in range(SHARDS):
            shard = _load_shard(out / SHARDS_NAME / f"{number:02d}.json")
            manifest.loaded[number] = shard
            manifest.records.update(shard)
        return manifest

    def save(self, out: Path, previous: Manifest | None = None) -> None:
        """Write the manifest atomically, file by file: the record shards that differ from those
        ``previous`` (the manifest this build started from) loaded or wrote, then the rest."""
        on_disk = previous.loaded if previous is not None else {}
        shards: dict[int, dict[str, Record]] = {n: {} for n in range(SHARDS)}
        for name, record in self.records.items():
            shards[shard_of(name)][name] = record
        for number, shard in shards.items():
            if number not in on_disk or shard != on_disk[number]:
                _save_shard(out / SHARDS_NAME / f"{number:02d}.json", shard)
        self.loaded = shards
        data = {"version": VERSION, "code": self.code, "index_pages": self.index_pages,
                "search": self.search}
        write_atomic(out / MANIFEST_NAME, json.dumps(data, sort_keys=True, separators=(",", ":")))


def _read_json(path: Path) -> Any:
    """Return the JSON in ``path``, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _load_shard(path: Path) -> dict[str, Record]:
    """Return the records of one shard file ({} when missing, unreadable or malformed)."""
    data = _read_json(path)
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return {}
    try:
        records = {name: Record(*row) for name, row in data["records"].items()}
    except (AttributeError, KeyError, TypeError):
        return {}
    # A summary the build cannot read would fail it later; drop the shard and rebuild its pages.
    # An id that is not an article id (kb/ids.py) never becomes a page path to keep or delete.
    if not all(type(r.summary) is dict and is_article_id(r.summary.get("id")) for r in records.values()):
        return {}
    return records


def _save_shard(path: Path, records: dict[str, Record]) -> None:
    """Write one shard file, or delete it when the shard holds no record."""
    if not records:
        # A shard that was never written is simply absent; nothing to do then.
        if os.path.lexists(path):
            path.unlink()
        return
    data = {"version": VERSION, "records": records}
    write_atomic(path, json.dumps(data, sort_keys=True, separators=(",", ":")))


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
