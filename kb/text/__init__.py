"""The classic KB text format: ``parse(bytes, path) -> Article`` and ``write(Article) -> bytes``."""

from __future__ import annotations

from kb.text.parser import parse
from kb.text.writer import write

__all__ = ["parse", "write"]
