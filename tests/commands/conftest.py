"""Knowledge-base roots the command tests run in (temporary copies, never the checkout)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
VERIFY_FIXTURES = PROJECT / "tests" / "fixtures" / "verify"


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    """Return a kb root with the verify fixture articles and repros plus the shipped Q254893."""
    shutil.copytree(VERIFY_FIXTURES / "articles", tmp_path / "articles")
    shutil.copytree(VERIFY_FIXTURES / "repro", tmp_path / "repro")
    shutil.copy(PROJECT / "articles" / "Q254893.yaml", tmp_path / "articles")
    shutil.copy(PROJECT / "repro" / "Q254893.py", tmp_path / "repro")
    return tmp_path
