"""YAML records: the dedicated emitter reloads to the same dict; the loader is safe and bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.exceptions import RecordError, SchemaError
from kb.store import MAX_RECORD_BYTES, dump_article, dumps, load_article, load_articles, load_record, loads, record_of
from kb.text import parse, write

RECORDS = Path(__file__).resolve().parent / "fixtures" / "text" / "records"

# Text as the parser produces it (any cp1252 character, C1 included) plus a few wider ones.
TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2030, exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=TEXT)
def test_any_string_reloads_unchanged(value: str) -> None:
    record = {"a": value, "b": [value, {"c": value}], "d": {"e": value}}
    assert loads(dumps(record), "x.yaml") == record


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=st.lists(st.sampled_from(["", " ", "   ", "text  ", "  lead", "\tTab", "#x", "- y", "a: b", "'q'"]), min_size=2))
def test_multiline_text_reloads_unchanged(lines: list[str]) -> None:
    record = {"sections": [{"blocks": [{"text": "\n".join(lines)}]}]}
    assert loads(dumps(record), "x.yaml") == record


def test_text_with_trailing_spaces_is_a_literal_block() -> None:
    text = dumps({"text": "first line  \nsecond"})
    assert text == "text: |-\n  first line  \n  second\n"


def test_text_starting_with_spaces_gets_an_indentation_indicator() -> None:
    assert dumps({"text": "   indented\nnext"}) == "text: |2-\n     indented\n  next\n"


def test_strings_that_would_load_as_other_types_are_quoted() -> None:
    record = {"a": "yes", "b": "2001-06-01", "c": "null", "d": "5.5", "e": "x: y", "f": "", "g": "0x1A"}
    text = dumps(record)
    assert "date" not in text and loads(text, "x") == record
    assert "b: '2001-06-01'" in text


def test_control_characters_use_double_quoted_escapes() -> None:
    assert dumps({"a": "x\x1ay\x81"}) == 'a: "x\\x1ay\\x81"\n'


def test_q254893_reloads_to_the_same_record_and_writes_the_same_bytes(q254893_txt: Path, tmp_path: Path) -> None:
    data = q254893_txt.read_bytes()
    article = parse(data, str(q254893_txt))
    dump_article(article, tmp_path / "Q254893.yaml")
    assert load_record(tmp_path / "Q254893.yaml") == record_of(article)
    assert write(load_article(tmp_path / "Q254893.yaml")) == data
    assert [p.name for p in tmp_path.iterdir()] == ["Q254893.yaml"]  # no temporary file left


def test_load_articles_sorts_by_id(q254893_txt: Path, tmp_path: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    dump_article(article, tmp_path / "Q254893.yaml")
    article.id = "Q99999"
    dump_article(article, tmp_path / "Q99999.yaml")
    assert [a.id for a in load_articles(tmp_path)] == ["Q99999", "Q254893"]


def test_a_yaml_bomb_is_refused_at_its_first_anchor() -> None:
    with pytest.raises(RecordError, match="YAML aliases are not allowed") as caught:
        load_record(RECORDS / "bomb.yaml")
    assert caught.value.line == 1


def test_a_python_tag_is_not_constructed() -> None:
    with pytest.raises(RecordError, match="could not determine a constructor"):
        load_record(RECORDS / "python_object.yaml")


def test_a_syntax_error_is_located_at_its_line() -> None:
    with pytest.raises(RecordError) as caught:
        load_record(RECORDS / "syntax.yaml")
    assert caught.value.line == 4 and "invalid YAML" in caught.value.message


def test_a_record_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(RecordError, match="record is list, expected a mapping"):
        load_record(RECORDS / "list.yaml")


def test_a_record_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "Q1.yaml"
    path.write_bytes(b"a: " + b"x" * MAX_RECORD_BYTES)
    with pytest.raises(RecordError, match=f"limit is {MAX_RECORD_BYTES}") as caught:
        load_record(path)
    assert caught.value.line == 1


def test_load_article_refuses_a_schema_breaking_record_with_its_line() -> None:
    with pytest.raises(SchemaError, match="sections.2.heading: 42 is not of type") as caught:
        load_article(RECORDS / "Q900402.yaml")
    assert caught.value.line == 84


def test_the_emitter_output_is_what_pyyaml_reads_too() -> None:
    record = {"k": ["a", "b c", "5.5"], "t": "x  \ny", "n": None, "i": 3, "b": False, "e": [], "m": {}}
    assert yaml.safe_load(dumps(record)) == record


@pytest.mark.parametrize("text", ['{"b": &x 1, "a":*x}', "a: [&x 1]\nb:\n  - *x\n", "? &k key\n: v\n"])
def test_anchors_in_any_position_are_refused(text: str) -> None:
    with pytest.raises(RecordError, match="YAML aliases are not allowed"):
        loads(text, "x.yaml")


def test_stars_and_ampersands_inside_text_are_fine() -> None:
    record = {"text": "Delete *.tmp & *.bak\n   *\n&amp;"}
    assert loads(dumps(record), "x.yaml") == record


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=TEXT.filter(lambda k: 0 < len(k) < 200))
def test_any_string_key_reloads_unchanged(key: str) -> None:
    record = {key: 1, "nested": {key: [key]}}
    assert loads(dumps(record), "x.yaml") == record
