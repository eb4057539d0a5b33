"""Sharding: every article with a repro lands in exactly one of N balanced shards."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.verify.shard import ShardError, parse_shard, shard


@given(st.lists(st.integers(), unique=True, max_size=60), st.integers(min_value=1, max_value=9))
def test_the_shards_partition_the_items_and_differ_in_size_by_at_most_one(items: list[int], n: int) -> None:
    parts = [shard(sorted(items), k, n) for k in range(1, n + 1)]
    assert sorted(x for part in parts for x in part) == sorted(items)
    sizes = [len(part) for part in parts]
    assert max(sizes) - min(sizes) <= 1


def test_k_of_n_parses_with_spaces() -> None:
    assert parse_shard(" 2 / 4 ") == (2, 4)


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0", "a/b", "1-4", ""])
def test_a_shard_outside_1_to_n_is_rejected_quoting_the_value(text: str) -> None:
    with pytest.raises(ShardError, match=f"--shard: got {text!r}"):
        parse_shard(text)
