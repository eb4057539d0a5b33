"""Split the articles with repros into N shards so CI can verify a large KB in parallel jobs."""

from __future__ import annotations

import re
from typing import Sequence, TypeVar

from kb.exceptions import KbError

T = TypeVar("T")
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class ShardError(KbError):
    """A --shard value that is not K/N with 1 <= K <= N."""


def parse_shard(text: str) -> tuple[int, int]:
    """Parse ``K/N`` (1-based shard K of N)."""
    match = _SHARD.match(text)
    if not match:
        raise ShardError(f"--shard: got {text!r}, expected K/N such as 1/4")
    k, n = int(match.group(1)), int(match.group(2))
    if n < 1 or not 1 <= k <= n:
        raise ShardError(f"--shard: got {text!r}, expected 1 <= K <= N")
    return k, n


def shard(items: Sequence[T], k: int, n: int) -> list[T]:
    """Return shard ``k`` of ``n``: every n-th item of the (already sorted) sequence.

    Round robin over the sorted list keeps shards within one item of each other in size, and
    every item lands in exactly one shard.
    """
    return [item for index, item in enumerate(items) if index % n == k - 1]
