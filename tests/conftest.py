"""Shared fixtures: where the project and the corpus are.

The corpus tests read ``../shared/corpus`` beside the checkout, or the folder the ``KB_CORPUS``
environment variable names (any folder of classic ``.TXT`` articles, in any sub-folders, e.g.
the whole archive): ``KB_CORPUS=/data/kb-archive python -m pytest -q``. Tests that need one
named article find it anywhere under that folder and skip when it is not there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

from corpus_location import CORPUS_VARIABLE, PROJECT, corpus_folder, find_article


@pytest.fixture(scope="session")
def project_root() -> Path:
    """Return the project checkout."""
    return PROJECT


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Return the corpus folder, skipping when it is absent (a wrong $KB_CORPUS fails instead)."""
    folder = corpus_folder()
    if not folder.is_dir():
        if os.environ.get(CORPUS_VARIABLE, "").strip():
            pytest.fail(f"{CORPUS_VARIABLE}={folder}: no such folder, expected a folder of classic .TXT articles")
        pytest.skip("../shared/corpus is not present (set KB_CORPUS to a corpus folder)")
    return folder


@pytest.fixture(scope="session")
def corpus_article(corpus: Path) -> Callable[[str], Path]:
    """Return a finder: article id or file name -> its .TXT file anywhere in the corpus (else skip)."""
    return lambda name: find_article(corpus, name)


@pytest.fixture(scope="session")
def q254893_txt(corpus_article: Callable[[str], Path]) -> Path:
    """Return the reference article's classic text file."""
    return corpus_article("Q254893")
