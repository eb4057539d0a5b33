"""The one article id rule (kb/ids.py) and the path check every write and delete goes through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.ids import ARTICLE_ID_PATTERN, UnsafePathError, inside, is_article_id

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "article.schema.json"


def test_the_schema_id_pattern_is_the_id_rule() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["id"]["pattern"] == ARTICLE_ID_PATTERN


@pytest.mark.parametrize("value", ["Q12345", "Q254893", "Q1234567"])
def test_an_ascii_q_and_five_to_seven_ascii_digits_is_an_id(value: str) -> None:
    assert is_article_id(value)


@pytest.mark.parametrize("value", [
    "Q0", "Q1234", "Q12345678", "q254893", "Q254893\n", "../../OUTSIDE", "javascript:alert(1)//",
    "Q\u0662\u0665\u0664\u0668\u0669\u0663", "Q２５４８９３", "", None, 254893,
])
def test_anything_else_is_not_an_id(value: object) -> None:
    assert not is_article_id(value)


def test_the_schema_refuses_arabic_indic_digits_in_an_id() -> None:
    from kb.schema import validator

    errors = list(validator().iter_errors({"id": "Q\u0662\u0665\u0664\u0668\u0669\u0663"}))
    assert any(list(error.absolute_path) == ["id"] for error in errors)


def test_a_path_inside_the_folder_is_given_back(tmp_path: Path) -> None:
    assert inside(tmp_path, "Q254893/index.html") == tmp_path / "Q254893/index.html"


@pytest.mark.parametrize("relative", ["../OUTSIDE/index.html", "a/../../b", "/etc/passwd", ".", ""])
def test_a_path_that_leaves_the_folder_is_refused(tmp_path: Path, relative: str) -> None:
    with pytest.raises(UnsafePathError, match="leaves"):
        inside(tmp_path / "out", relative)


def test_a_symlinked_subfolder_pointing_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "Q254893").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafePathError):
        inside(tmp_path / "out", "Q254893/index.html")


def test_only_ascii_digit_article_numbers_in_text_become_links() -> None:
    from kb.render.inline import inline

    linked = inline("See Q191914 and Q\u0661\u0669\u0661\u0669\u0661\u0664.", lambda qid: f"../{qid}/")
    assert linked.count("](") == 1 and "[Q191914](../Q191914/)" in linked


def test_verify_does_not_take_arabic_indic_digits_for_an_article_id(tmp_path: Path) -> None:
    from kb.exceptions import NotFoundError
    from kb.verify.targets import find_record

    (tmp_path / "Q191914.yaml").write_text("id: Q191914\n")
    assert find_record(tmp_path, "191914") == tmp_path / "Q191914.yaml"
    with pytest.raises(NotFoundError):
        find_record(tmp_path, "\u0661\u0669\u0661\u0669\u0661\u0664")
