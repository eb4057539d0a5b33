"""Where the corpus is: ``$KB_CORPUS`` or ../shared/corpus beside the checkout."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
CORPUS = SHARED / "corpus"
CORPUS_VARIABLE = "KB_CORPUS"


def corpus_folder() -> Path:
    """Return the corpus folder: ``$KB_CORPUS`` when set, else ../shared/corpus."""
    raw = os.environ.get(CORPUS_VARIABLE, "").strip()
    return Path(raw).expanduser().resolve() if raw else CORPUS


def is_shared_corpus(folder: Path) -> bool:
    """Return True when ``folder`` is the shared corpus (whose figures some tests pin)."""
    return folder.resolve() == CORPUS.resolve()


@cache
def _article_index(folder: Path) -> dict[str, Path]:
    """Return upper-cased file name -> path of every .TXT article under ``folder``."""
    index: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() == ".txt" and path.is_file():
            index.setdefault(path.name.upper(), path)
    return index


def find_article(corpus: Path, name: str) -> Path:
    """Return the .TXT file of an article id (or file name) anywhere under ``corpus``; skip the test if absent."""
    key = Path(name).name.upper()
    key = key if key.endswith(".TXT") else f"{key}.TXT"
    path = _article_index(corpus).get(key)
    if path is None:
        pytest.skip(f"{key} is not in the corpus {corpus}")
    return path
