"""Fixtures for renderer tests: the reference article with its status block."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_helpers import Q254893_STATUS

from kb.model import Article


@pytest.fixture()
def q254893(q254893_txt: Path) -> Article:
    """Return the reference article parsed from the corpus, with its status block."""
    from kb.text import parse

    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    article.status = dict(Q254893_STATUS)
    return article
