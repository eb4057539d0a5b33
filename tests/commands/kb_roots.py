"""Helpers for the command tests: knowledge bases made from the shipped records."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def shipped_kb(root: Path) -> Path:
    """Copy the shipped records into a knowledge base at ``root``; return ``root``."""
    (root / "articles").mkdir(parents=True)
    for record in sorted((PROJECT / "articles").glob("Q*.yaml")):
        shutil.copy2(record, root / "articles" / record.name)
    return root
