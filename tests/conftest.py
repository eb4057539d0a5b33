"""Shared fixtures: where the project and the corpus are.

The corpus tests read ``../shared/corpus`` beside the checkout, or the folder the ``KB_CORPUS``
environment variable names (any folder of classic ``.TXT`` articles, in any sub-folders, e.g.
the whole archive): ``KB_CORPUS=/data/kb-archive python -m pytest -q``. Tests that need one
named article find it anywhere under that folder and skip when it is not there.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Callable

import pytest

from corpus_location import CORPUS_VARIABLE, PROJECT, corpus_folder


@pytest.fixture(scope="session")
def project_root() -> Path:
    """Return the project checkout."""
    return PROJECT


@cache
def _article_index(folder: Path) -> dict[str, Path]:
    """Return upper-cased file name -> path of every .TXT article under ``folder``."""
    index: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() == ".txt" and path.is_file():
            index.setdefault(path.name.upper(), path)
    return index


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

    def find(name: str) -> Path:
        key = Path(name).name.upper()
        key = key if key.endswith(".TXT") else f"{key}.TXT"
        path = _article_index(corpus).get(key)
        if path is None:
            pytest.skip(f"{key} is not in the corpus {corpus}")
        return path

    return find


@pytest.fixture(scope="session")
def q254893_txt(corpus_article: Callable[[str], Path]) -> Path:
    """Return the reference article's classic text file."""
    return corpus_article("Q254893")
