"""Shared fixtures: where the project and the shared corpus are."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def project_root() -> Path:
    """Return the project checkout."""
    return PROJECT


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Return ../shared/corpus, skipping when it is not beside the checkout."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="session")
def q254893_txt(corpus: Path) -> Path:
    """Return the reference article's classic text file."""
    return corpus / "exchange" / "Q254893.TXT"
