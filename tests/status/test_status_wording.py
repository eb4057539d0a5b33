"""Status wordings the whole-archive run read wrongly (synthetic STATUS sections, never corpus text).

Version-level fix keywords name a version line, not its RTM; Windows NT wording with two
editions or a trailing zero; listed products the catalogue had no family for (Word 97); product
names that carry their version ("Windows 2000 Server").
"""

from __future__ import annotations

import pytest

from kb.status import extract_status
from kb.status.lint import compare, lint_status
from kb.text.parts import _product_versions

from status_helpers import make_article  # type: ignore[import-not-found]

LISTED = "Microsoft has confirmed this to be a problem in the Microsoft products listed at the\nbeginning of this article."

VERSION_LEVEL = [
    ("kbsms200fix", "Systems Management Server version 2.0", "Systems Management Server 2.0 Service Pack 2",
     "Systems Management Server 2.0 SP2"),
    ("kbVBp600fix", "Visual Basic 6.0", "Visual Basic 6.0 Service Pack 4", "Visual Basic 6.0 SP4"),
    ("kbVC600fix", "Visual C++ 6.0", "Visual C++ 6.0 Service Pack 3", "Visual C++ 6.0 SP3"),
    ("kbVS600fix", "Visual Studio 6.0", "Visual Studio 6.0 Service Pack 4", "Visual Studio 6.0 SP4"),
]


@pytest.mark.parametrize(("token", "product", "named", "release"), VERSION_LEVEL, ids=[v[0] for v in VERSION_LEVEL])
def test_a_version_level_fix_keyword_agrees_with_any_service_pack_of_its_line(
    token: str, product: str, named: str, release: str
) -> None:
    status = extract_status(make_article(
        f"Microsoft has confirmed this to be a problem in {product}. This problem was first\ncorrected in {named}.",
        keywords=token))
    assert status["fixed"] == release
    comparison = compare(status)
    assert comparison.comparable and comparison.agrees and comparison.strictly_agrees
    assert list(lint_status(status, "x.TXT")) == []


@pytest.mark.parametrize(("token", "product", "named", "release"), VERSION_LEVEL, ids=[v[0] for v in VERSION_LEVEL])
def test_a_version_level_fix_keyword_is_never_read_as_the_rtm(token: str, product: str, named: str, release: str) -> None:
    status = extract_status(make_article(f"Microsoft has confirmed this to be a problem in {product}.", keywords=token))
    assert status["fixed"] is None and status["kind"] == "confirmed"
    assert not compare(status).comparable


def test_a_service_pack_keyword_still_disagrees_with_another_service_pack() -> None:
    status = extract_status(make_article(
        "Microsoft has confirmed this to be a problem in Visual Basic 6.0. This problem was first\n"
        "corrected in Visual Basic 6.0 Service Pack 4.", keywords="kbVBp600sp3fix"))
    assert not compare(status).agrees


def test_corrected_in_workstation_or_server_version_3_51_gives_fixed_3_51() -> None:
    status = extract_status(make_article(
        "Microsoft has confirmed this to be a problem in Windows NT version 3.5. This problem was\n"
        "corrected in Windows NT Workstation or Server version 3.51."))
    assert (status["kind"], status["affected"], status["fixed"]) == ("fixed", ["Windows NT 3.5"], "Windows NT 3.51")
    assert status["unknown"] == []


def test_a_version_with_a_trailing_zero_gives_the_catalogued_release() -> None:
    status = extract_status(make_article("Microsoft has confirmed this to be a problem in Windows NT Server\nversion 3.50."))
    assert status["affected"] == ["Windows NT 3.5"] and status["unknown"] == []


def test_a_word_97_applies_to_item_gets_its_product_as_well_as_windows_nt() -> None:
    status = extract_status(make_article(LISTED, ["Microsoft Word 97 for Windows",
                                                  "Microsoft Windows NT Workstation version 4.0"]))
    assert status["affected"] == ["Windows NT 4.0", "Word 97"]


def test_a_listed_product_the_catalogue_lacks_is_reported_unknown_not_dropped() -> None:
    status = extract_status(make_article(LISTED, ["Microsoft Fabrikam Server, version 2.0"]))
    assert status["affected"] == [] and [u["text"] for u in status["unknown"]] == ["Microsoft Fabrikam Server, version 2.0"]


@pytest.mark.parametrize(("item", "versions", "release"), [
    ("Microsoft Windows 2000 Server", ["2000"], "Windows 2000"),
    ("Microsoft Exchange 2000 Enterprise Server", ["2000"], "Exchange 2000 Server"),
    ("Microsoft Exchange 2000 Server SP1", ["2000 SP1"], "Exchange 2000 Server SP1"),
])
def test_a_product_name_that_carries_its_version_gets_that_version(item: str, versions: list[str], release: str) -> None:
    assert _product_versions(item) == (item.removesuffix(" SP1"), versions)
    assert extract_status(make_article(LISTED, [item]))["affected"] == [release]


def test_a_version_level_keyword_of_a_line_with_one_release_names_that_release() -> None:
    status = extract_status(make_article(LISTED, ["Microsoft Outlook 98"], keywords="kbOutlook98fix"))
    assert (status["kind"], status["fixed"]) == ("fixed", "Outlook 98")
