"""extract_status: one test per STATUS phrasing family, per kind, and on real parsed articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import jsonschema
import pytest

from kb.releases import load_catalogue
from kb.status import extract_status
from kb.text import parse

from status_helpers import make_article, phrasing_cases  # type: ignore[import-not-found]

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "status.schema.json").read_text())
CASES = phrasing_cases()


def _build(case: dict) -> dict:
    article = make_article(case.get("status"), case.get("applies_to"), case.get("keywords", ""))
    return extract_status(article)


@pytest.mark.parametrize("case", CASES, ids=[c["family"] for c in CASES])
def test_each_phrasing_family_yields_the_expected_status_block(case: dict) -> None:
    status = _build(case)
    jsonschema.validate(status, SCHEMA)
    for key, expected in case["expect"].items():
        if key == "unknown_count":
            assert len(status["unknown"]) == expected, status["unknown"]
        else:
            assert status[key] == expected, (key, status)


def test_every_kind_of_the_taxonomy_is_produced_by_some_phrasing() -> None:
    produced = {_build(case)["kind"] for case in CASES} | {extract_status(make_article(None))["kind"]}
    assert produced == set(SCHEMA["properties"]["kind"]["enum"])


def test_an_article_without_status_has_kind_none_and_no_claims() -> None:
    status = extract_status(make_article(None, ["Microsoft Exchange Server, version 5.5"]))
    assert (status["kind"], status["affected"], status["fixed"]) == ("none", [], None)


def test_a_feature_sentence_in_resolution_counts_when_status_is_absent() -> None:
    article = make_article(None, ["Microsoft Exchange Server, version 5.5"],
                           extra_sections={"RESOLUTION": "This feature was first included in Exchange Server 5.5\nService Pack 2."})
    status = extract_status(article)
    assert (status["kind"], status["fixed"]) == ("feature", "Exchange Server 5.5 SP2")


def test_a_latest_feature_sentence_names_no_release() -> None:
    article = make_article(None, extra_sections={
        "RESOLUTION": "This feature is available in the latest service pack for Exchange Server version 5.5."})
    status = extract_status(article)
    assert (status["kind"], status["fixed"]) == ("feature", None)


def test_evidence_names_the_sentence_and_the_line_it_starts_on() -> None:
    case = CASES[0]
    status = _build(case)
    fixed = [e for e in status["evidence"] if e["fact"] == "fixed"]
    assert fixed == [{"fact": "fixed", "text": "This problem was first corrected in Exchange Server 5.5 Service Pack 4.",
                      "line": 44, "release": "Exchange Server 5.5 SP4"}]
    affected = [e for e in status["evidence"] if e["fact"] == "affected"]
    assert affected[0]["line"] == 43 and "version 5.5 Service Pack 3." in affected[0]["text"]


def test_keyword_evidence_carries_the_token_and_the_footer_line() -> None:
    status = _build(CASES[0])
    assert {"fact": "hotfix", "token": "kbExchange550preSP4fix", "line": 60,
            "release": "Exchange Server 5.5 SP4"} in status["evidence"]
    assert [k["token"] for k in status["keywords"]] == ["kbExchange550preSP4fix", "kbExchange550sp4Fix"]


def test_releases_the_article_does_not_mention_stay_out_of_affected() -> None:
    status = _build(CASES[0])
    assert status["affected"] == ["Exchange Server 5.5 SP3"]  # not SP1/SP2: unknown, not unaffected


def test_extraction_is_pure_and_deterministic() -> None:
    article = make_article(CASES[0]["status"], CASES[0]["applies_to"], CASES[0]["keywords"])
    before = repr(article)
    assert extract_status(article) == extract_status(article)
    assert repr(article) == before


def test_the_reference_article_parsed_from_the_corpus_says_sp3_affected_and_sp4_fixed(q254893_txt: Path) -> None:
    article = parse(q254893_txt.read_bytes(), str(q254893_txt))
    status = extract_status(article)
    assert status["kind"] == "fixed"
    assert status["affected"] == ["Exchange Server 5.5 SP3"]
    assert status["fixed"] == "Exchange Server 5.5 SP4"
    assert {"fact": "fixed", "text": "This problem was first corrected in Exchange Server 5.5 Service Pack 4.",
            "line": 70, "release": "Exchange Server 5.5 SP4"} in status["evidence"]


@pytest.mark.parametrize(
    ("name", "fixed"),
    [
        ("Q177793.TXT", ["Exchange Server 5.0 SP2", "Exchange Server 5.5 SP1"]),
        ("Q237327.TXT", ["Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4"]),
        ("Q185934.TXT", "Exchange Server 5.5 SP2"),
        ("Q174748.TXT", ["Windows NT 4.0 SP4", "Windows NT Server 4.0 Terminal Server Edition SP4"]),
    ],
)
def test_real_articles_with_split_or_glued_status_get_every_fixed_release(
    corpus_article: Callable[[str], Path], name: str, fixed: object
) -> None:
    path = corpus_article(name)
    assert extract_status(parse(path.read_bytes(), str(path)))["fixed"] == fixed


def test_every_release_in_a_status_block_is_canonical() -> None:
    catalogue = load_catalogue()
    for case in CASES:
        status = _build(case)
        fixed = status["fixed"] if isinstance(status["fixed"], list) else [status["fixed"]] if status["fixed"] else []
        for name in [*status["affected"], *fixed]:
            assert catalogue.resolve(name).name == name


def test_applies_to_releases_before_the_first_fix_join_the_affected_list() -> None:
    # Q193782: STATUS says "version 5.5", the applies-to block "versions 5.5, 5.5 SP1", fixed in SP2.
    status = extract_status(make_article(
        "Microsoft has confirmed this to be a problem in Microsoft Exchange Server\nversion 5.5. This problem was "
        "first corrected in Exchange Server 5.5 Service\nPack 2.",
        ["Microsoft Exchange Server, versions 5.5, 5.5 SP1"]))
    assert status["affected"] == ["Exchange Server 5.5", "Exchange Server 5.5 SP1"]
    assert {"fact": "affected", "token": "Microsoft Exchange Server, versions 5.5, 5.5 SP1", "line": 12,
            "release": "Exchange Server 5.5 SP1"} in status["evidence"]


def test_applies_to_releases_at_or_after_the_first_fix_stay_out_of_the_affected_list() -> None:
    status = extract_status(make_article(
        "Microsoft has confirmed this to be a problem in Microsoft Exchange Server\nversion 5.5. This problem was "
        "first corrected in Exchange Server 5.5 Service\nPack 2.",
        ["Microsoft Exchange Server, versions 5.5, 5.5 SP2, 5.5 SP3"]))
    assert status["affected"] == ["Exchange Server 5.5"]
