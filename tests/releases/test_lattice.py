"""The lattice: per product line, each release affected / fixed / unknown in catalogue order."""

from __future__ import annotations

import pytest

from kb.exceptions import ReleaseError
from kb.releases import LatticeEntry, lattice


def _states(entries: list[LatticeEntry]) -> list[tuple[str, str]]:
    return [(e.release.rsplit(" ", 1)[-1], e.state) for e in entries]


def test_q254893_is_affected_in_sp3_fixed_from_sp4_and_unknown_before() -> None:
    result = lattice({"affected": ["Exchange Server 5.5 SP3"], "fixed": "Exchange Server 5.5 SP4"})
    assert list(result) == ["Exchange Server 5.5"]
    assert result["Exchange Server 5.5"] == [
        LatticeEntry("Exchange Server 5.5", "unknown"),
        LatticeEntry("Exchange Server 5.5 SP1", "unknown"),
        LatticeEntry("Exchange Server 5.5 SP2", "unknown"),
        LatticeEntry("Exchange Server 5.5 SP3", "affected"),
        LatticeEntry("Exchange Server 5.5 SP4", "fixed"),
    ]


def test_the_first_fixed_release_and_every_later_one_are_fixed() -> None:
    result = lattice({"affected": [], "fixed": "Windows NT 4.0 SP4"})
    assert [e.state for e in result["Windows NT 4.0"]] == ["unknown"] * 4 + ["fixed"] * 4


def test_a_fix_list_over_two_lines_gives_one_lattice_per_line() -> None:
    result = lattice({"affected": ["Exchange Server 5.0", "Exchange Server 5.5"],
                      "fixed": ["Exchange Server 5.0 SP2", "Exchange Server 5.5 SP1"]})
    assert list(result) == ["Exchange Server 5.0", "Exchange Server 5.5"]
    assert _states(result["Exchange Server 5.0"]) == [("5.0", "affected"), ("SP1", "unknown"), ("SP2", "fixed")]
    assert _states(result["Exchange Server 5.5"])[:2] == [("5.5", "affected"), ("SP1", "fixed")]


def test_a_conditional_fix_counts_from_its_earliest_release() -> None:
    result = lattice({"affected": ["Exchange Server 5.5 SP2"], "fixed": ["Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4"]})
    assert [e.state for e in result["Exchange Server 5.5"]] == ["unknown", "unknown", "affected", "fixed", "fixed"]


def test_no_claims_give_an_empty_lattice() -> None:
    assert lattice({"kind": "none", "affected": [], "fixed": None}) == {}


def test_an_unknown_release_in_a_status_is_an_error() -> None:
    with pytest.raises(ReleaseError):
        lattice({"affected": ["Exchange Server 9.9"], "fixed": None})


def test_entries_serialise_to_json_ready_dicts() -> None:
    entry = LatticeEntry("Exchange Server 5.5 SP4", "fixed")
    assert entry.to_json() == {"release": "Exchange Server 5.5 SP4", "state": "fixed"}
