"""STATUS extraction: the status block of an article, its fix keywords and the consistency lint."""

from kb.status.extract import extract_status, fix_tokens

__all__ = ["extract_status", "fix_tokens"]
