"""Where the corpus is: ``$KB_CORPUS`` or ../shared/corpus beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

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
