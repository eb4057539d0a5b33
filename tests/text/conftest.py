"""Fixtures for the classic-text tests: the synthetic files under tests/fixtures/text."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "text"


@pytest.fixture(scope="session")
def text_fixtures() -> Path:
    """Return the folder of synthetic classic KB files."""
    return FIXTURES
