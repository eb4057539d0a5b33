"""Record validation: schema errors located on their YAML line, consistency lints, fast pre-check."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import schema
from kb.fast_schema import fast_check
from kb.store import dump_article, dumps, record_of
from kb.text import parse

from document_damage import damage  # type: ignore[import-not-found]

RECORDS = Path(__file__).resolve().parent / "fixtures" / "text" / "records"


@pytest.fixture(scope="module")
def record(q254893_txt: Path) -> dict[str, Any]:
    """Return Q254893's record without a status block (that schema is the status engineer's)."""
    data = record_of(parse(q254893_txt.read_bytes(), str(q254893_txt)))
    data["status"] = None
    return data


def _diagnostics(tmp_path: Path, record: dict[str, Any], name: str = "Q254893.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(dumps(record), encoding="utf-8")
    # An edited import also gets the "edited since import" info (tests/test_article_lints.py).
    return [d.format().replace(str(tmp_path) + "/", "") for d in schema.validate_record(path) if d.code != "edited"]


def test_every_schema_property_has_a_title_and_description() -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert "title" in sub and "description" in sub, f"{where}.{name}"
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(schema.validator().schema, "")


def test_the_imported_reference_article_is_valid(tmp_path: Path, record: dict[str, Any]) -> None:
    assert _diagnostics(tmp_path, record) == []


def test_a_schema_error_names_the_file_line_and_field(tmp_path: Path, record: dict[str, Any]) -> None:
    broken = copy.deepcopy(record)
    broken["sections"][1]["blocks"][0]["kind"] = "poem"
    (message,) = _diagnostics(tmp_path, broken)
    assert message.startswith("Q254893.yaml:")
    line = int(message.split(":")[1])
    assert (tmp_path / "Q254893.yaml").read_text().splitlines()[line - 1].strip() == "- kind: poem"
    assert "sections.1.blocks.0.kind: 'poem' is not one of" in message


def test_an_unknown_key_is_reported_with_the_known_ones(tmp_path: Path, record: dict[str, Any]) -> None:
    (message,) = _diagnostics(tmp_path, {**record, "colour": "blue"})
    assert "unknown key 'colour', expected one of" in message


def test_the_id_must_match_the_file_name(tmp_path: Path, record: dict[str, Any]) -> None:
    assert _diagnostics(tmp_path, record, "Q111111.yaml") == [
        "Q111111.yaml:1: id: 'Q254893' does not match the file name, expected 'Q111111'"
    ]


def test_an_impossible_date_is_reported(tmp_path: Path, record: dict[str, Any]) -> None:
    (message,) = _diagnostics(tmp_path, {**record, "date": "2001-02-30"})
    assert message == "Q254893.yaml:4: date: invalid date '2001-02-30', expected a real YYYY-MM-DD date"


def test_a_malformed_reference_id_is_a_schema_error(tmp_path: Path, record: dict[str, Any]) -> None:
    broken = copy.deepcopy(record)
    broken["references"][0]["id"] = "Q12"
    (message,) = _diagnostics(tmp_path, broken)
    assert "references.0.id: 'Q12' does not match" in message


def test_a_block_holding_an_empty_line_is_reported(tmp_path: Path, record: dict[str, Any]) -> None:
    broken = copy.deepcopy(record)
    broken["sections"][0]["blocks"][0]["text"] = "one\n\ntwo"
    (message,) = _diagnostics(tmp_path, broken)
    assert "sections.0.blocks.0.text: empty line 2 inside a block" in message


def test_a_repro_script_must_live_in_repro(tmp_path: Path, record: dict[str, Any]) -> None:
    assert _diagnostics(tmp_path, {**record, "repro": {"script": "repro/Q254893.py", "releases": []}}) == []
    (message,) = _diagnostics(tmp_path, {**record, "repro": {"script": "/etc/passwd"}})
    assert "repro" in message


def test_a_lint_appended_to_lints_runs(tmp_path: Path, record: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def lint_title(ctx: schema.RecordContext):
        yield ctx.error(("title",), "too dramatic")

    monkeypatch.setattr(schema, "LINTS", [*schema.LINTS, lint_title])
    assert _diagnostics(tmp_path, record) == ["Q254893.yaml:2: title: too dramatic"]


def test_a_load_error_becomes_one_diagnostic() -> None:
    (diagnostic,) = schema.validate_record(RECORDS / "bomb.yaml")
    assert diagnostic.format().endswith("bomb.yaml:1: YAML aliases are not allowed in a record")


MUTATIONS = st.sampled_from(
    [None, 0, -1, 1.5, True, "", "x", "Q12", [], {}, ["x"], [{}], {"kind": "x"}, "2001-01-01", "poem", 10**6]
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_fast_pre_check_never_accepts_what_jsonschema_rejects(record: dict[str, Any], data: st.DataObject) -> None:
    mutated = copy.deepcopy(record)
    damage(mutated, data, MUTATIONS)
    fast = fast_check(schema.ARTICLE_SCHEMA)
    assert fast is not None
    assert fast(mutated) == schema.validator().is_valid(mutated)


def test_load_and_dump_keep_a_valid_record_valid(tmp_path: Path, q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    dump_article(article, tmp_path / "Q254893.yaml")
    count, diagnostics = schema.validate_paths([tmp_path])
    assert (count, diagnostics) == (1, [])
