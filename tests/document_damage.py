"""Damage a JSON-like document at random places (Hypothesis), to compare two validators on it."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every value in a document of dicts and lists, the root first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            found += paths_of(sub, prefix + (key,))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += paths_of(sub, prefix + (index,))
    return found


def damage(document: Any, data: st.DataObject, values: st.SearchStrategy[Any], new_keys: tuple[str, ...] = ()) -> None:
    """Make one to three changes in place: drop a key, add one of ``new_keys``, or replace a value."""
    for _ in range(data.draw(st.integers(1, 3))):
        paths = paths_of(document)[1:]
        if not paths:
            return  # the whole document was taken apart
        path = data.draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif new_keys and data.draw(st.booleans()) and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(new_keys))] = copy.deepcopy(data.draw(values))
        else:
            # a copy: the sampled lists and dicts are shared, and one put inside itself never ends
            parent[path[-1]] = copy.deepcopy(data.draw(values))
