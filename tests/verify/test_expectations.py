"""Expectations per release, from the status lattice and the repro block's extra releases."""

from __future__ import annotations

import pytest

from kb.exceptions import RecordError
from kb.repro.expectations import expectations

STATUS = {"kind": "fixed", "affected": ["Exchange Server 5.5 SP3"], "fixed": "Exchange Server 5.5 SP4",
          "evidence": []}


def _table(plan: list) -> list[tuple[str, str]]:
    return [(item.release, item.expected) for item in plan]


def test_affected_releases_expect_the_symptom_fixed_ones_expect_none_and_the_rest_are_unknown() -> None:
    assert _table(expectations(STATUS, {"script": "repro/Q254893.py"})) == [
        ("Exchange Server 5.5", "unknown"),
        ("Exchange Server 5.5 SP1", "unknown"),
        ("Exchange Server 5.5 SP2", "unknown"),
        ("Exchange Server 5.5 SP3", "symptom"),
        ("Exchange Server 5.5 SP4", "no-symptom"),
    ]


def test_an_overlay_takes_its_base_expectation_unless_the_record_overrides_it() -> None:
    repro = {"script": "x.py", "releases": [
        "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2651.58",
        {"release": "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17", "expect": "no-symptom"},
    ]}
    plan = expectations(STATUS, repro)
    assert _table(plan)[-2:] == [
        ("Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2651.58", "symptom"),
        ("Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17", "no-symptom"),
    ]
    assert [item.basis for item in plan[-2:]] == ["overlay", "record"]
    assert plan[-1].base == "Exchange Server 5.5 SP3"


def test_an_extra_release_outside_the_lattice_is_unknown() -> None:
    plan = expectations(STATUS, {"script": "x.py", "releases": ["Exchange 2000 Server"]})
    assert _table(plan)[-1] == ("Exchange 2000 Server", "unknown")


def test_a_repro_block_with_no_status_runs_only_its_listed_releases() -> None:
    plan = expectations(None, {"script": "x.py", "releases": [{"release": "Exchange Server 5.5 SP2",
                                                                "expect": "symptom"}]})
    assert _table(plan) == [("Exchange Server 5.5 SP2", "symptom")]


def test_a_bad_expect_value_is_a_located_record_error() -> None:
    text = "id: Q1\nrepro:\n  script: x.py\n  releases:\n  - release: Exchange Server 5.5 SP2\n    expect: broken\n"
    with pytest.raises(RecordError) as caught:
        expectations(STATUS, {"script": "x.py", "releases": [{"release": "Exchange Server 5.5 SP2",
                                                              "expect": "broken"}]}, path="Q1.yaml", text=text)
    assert str(caught.value).startswith("Q1.yaml:6: repro.releases: expect 'broken'")
    assert "expected one of symptom, no-symptom, unknown" in str(caught.value)


def test_the_string_form_can_state_an_expectation_where_the_schema_allows_only_strings() -> None:
    plan = expectations(STATUS, {"script": "x.py", "releases": [
        "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17 (expect no-symptom)"]})
    assert _table(plan)[-1] == ("Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17", "no-symptom")
    assert plan[-1].basis == "record"


def test_a_bad_annotated_expectation_is_a_located_record_error() -> None:
    text = "repro:\n  releases: ['Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17 (expect fixed)']\n"
    with pytest.raises(RecordError, match=r"^Q1.yaml:2: repro.releases: expect 'fixed'"):
        expectations(STATUS, {"script": "x.py", "releases": [
            "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17 (expect fixed)"]}, path="Q1.yaml", text=text)


def test_an_explicit_entry_restates_a_lattice_release_and_is_marked_as_the_record_s_word() -> None:
    plan = expectations(STATUS, {"script": "x.py", "releases": [
        "Exchange Server 5.5 SP3 (expect unknown)", "Exchange Server 5.5 SP4"]})
    assert _table(plan)[3:] == [("Exchange Server 5.5 SP3", "unknown"), ("Exchange Server 5.5 SP4", "no-symptom")]
    assert [item.basis for item in plan[3:]] == ["record", "fixed"]


def test_an_extra_release_the_catalogue_does_not_know_is_a_located_record_error() -> None:
    text = "repro:\n  releases: ['Exchange Server 5.5 SP9 + Store.exe 5.5.2652.17']\n"
    with pytest.raises(RecordError, match=r"^Q1.yaml:2: repro.releases: unknown release 'Exchange Server 5.5 SP9'"):
        expectations(STATUS, {"script": "x.py", "releases": ["Exchange Server 5.5 SP9 + Store.exe 5.5.2652.17"]},
                     path="Q1.yaml", text=text)
