"""The record loader gives exactly what PyYAML's CSafeLoader gives, faster, and refuses what a
record must not hold (aliases, duplicate keys)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.exceptions import RecordError
from kb.yaml_text import loads

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False), st.dates(dt.date(1990, 1, 1), dt.date(2010, 1, 1)),
    st.text(st.sampled_from(list("aZ 09:-#&*!|>'\"\n\t\\.,{}[]%@`~é")), max_size=20),
    st.sampled_from(["yes", "No", "on", "null", "~", "0x1f", "0o17", "1_000", "1e3", ".inf", "2001-06-01",
                     "2001-06-01 10:00:00", "=", "<<", "-", "?", "SMTP:joe@example.com ", "5.5 SP3"]),
)
#: Keys as records have them, and a few that resolve to other types.
KEYS = st.one_of(st.sampled_from(["id", "title", "sections", "kind", "text", "line", "1", "true", "null"]),
                 st.text(st.sampled_from(list("abc_ -")), min_size=1, max_size=6))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(KEYS, inner, max_size=4)), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, DOCUMENTS, min_size=1, max_size=5), st.sampled_from([False, True]))
def test_any_mapping_loads_as_csafeloader_loads_it(document: dict, flow: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    assert loads(text, "x.yaml") == yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize("text", [
    "a: !!str 5\nb: !!int '7'\nc: !!float 1\n",
    "base: {x: 1}\nmerged: {<<: {y: 2}, z: 3}\n",
    "when: 2001-06-01 10:00:00\nday: 2001-06-01\n",
    "list: [1, two, 3.0, null, true]\n",
    "folded: >\n  one\n  two\nliteral: |\n  one\n  two\n",
])
def test_tags_merges_timestamps_and_block_scalars_load_as_csafeloader_loads_them(text: str) -> None:
    assert loads(text, "x.yaml") == yaml.load(text, Loader=yaml.CSafeLoader)


def test_a_duplicate_key_is_a_located_error() -> None:
    with pytest.raises(RecordError, match=r"x.yaml:3: invalid YAML: duplicate key 'id'"):
        loads("id: Q1\ntitle: t\nid: Q2\n", "x.yaml")


def test_an_anchor_or_alias_is_refused_at_the_line_of_the_first() -> None:
    with pytest.raises(RecordError, match=r"x.yaml:2: YAML aliases are not allowed"):
        loads("a: 1\nb: &x 2\nc: *x\n", "x.yaml")
