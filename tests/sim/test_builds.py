"""Releases as component builds, overlays and build ordering."""

from __future__ import annotations

import pytest

from kb.exceptions import ReleaseError
from kb.sim.core.builds import Build, parse_overlay, resolve


def test_builds_order_numerically_not_as_text() -> None:
    assert Build.parse("5.5.2652.17") > Build.parse("5.5.2650.23")
    assert Build.parse("5.5.2650.23") > Build.parse("5.5.2650.3")
    assert Build.parse("5.5.2594.0") == Build.parse("5.5.2594")


def test_a_service_pack_build_written_with_x_orders_above_the_hotfixes_of_its_series() -> None:
    assert Build.parse("5.5.2650.x") > Build.parse("5.5.2650.21")
    assert Build.parse("5.5.2650.x") < Build.parse("5.5.2651.58")
    assert Build.parse("5.5.2650.x").version == "5.5.2650"


def test_a_release_resolves_to_the_component_builds_of_the_catalogue() -> None:
    sp3 = resolve("Exchange Server 5.5 SP3")
    assert sp3.name == "Exchange Server 5.5 SP3"
    assert sp3.store == Build.parse("5.5.2650.23")
    assert sp3.mta == Build.parse("5.5.2650.24")


def test_an_overlay_replaces_one_component_and_keeps_the_others() -> None:
    builds = resolve("Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17")
    assert builds.store == Build.parse("5.5.2652.17")
    assert builds.ims == resolve("Exchange Server 5.5 SP3").ims
    assert builds.base == "Exchange Server 5.5 SP3"
    assert builds.overlays == (("store", Build.parse("5.5.2652.17")),)


def test_several_overlays_apply_in_order() -> None:
    builds = resolve("Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2607.0 + Store.exe 5.5.2637.0")
    assert builds.ims == Build.parse("5.5.2607.0")
    assert builds.store == Build.parse("5.5.2637.0")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("Notepad.exe 1.0", "'Notepad.exe' is not a simulated component file"),
        ("Store.exe five", "'five' is not a component build"),
        ("Store.exe", "is not a hotfix overlay"),
    ],
)
def test_a_bad_overlay_is_refused_with_the_value_and_what_was_expected(text: str, fragment: str) -> None:
    with pytest.raises(ReleaseError) as caught:
        parse_overlay(text)
    assert fragment in str(caught.value)


def test_an_unknown_release_is_a_release_error() -> None:
    with pytest.raises(ReleaseError):
        resolve("Exchange Server 9.9 SP7")
