"""Release mentions in a sentence: product names, version lists, service-pack forms, unknowns."""

from __future__ import annotations

import pytest

from kb.releases import load_catalogue
from kb.status.mentions import scan


def _releases(text: str, **kwargs: object) -> list[str | None]:
    return [m.release for m in scan(text, load_catalogue(), **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Microsoft Exchange Server version 5.5 Service Pack 3", ["Exchange Server 5.5 SP3"]),
        ("Microsoft Exchange Server, version 5.5 SP3", ["Exchange Server 5.5 SP3"]),
        ("Exchange Server 5.5 U.S. Service Pack 4", ["Exchange Server 5.5 SP4"]),
        ("Microsoft Exchange versions 4.0, SP1, and SP2", ["Exchange Server 4.0", "Exchange Server 4.0 SP1", "Exchange Server 4.0 SP2"]),
        ("Exchange Server version 5.5 Service Packs 1 and 2", ["Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2"]),
        ("Windows NT version 4.0, Service Pack 4", ["Windows NT 4.0 SP4"]),
        ("Service Pack 4 for Windows NT 4.0", ["Windows NT 4.0 SP4"]),
        ("Windows NT 4.0 Service Pack 6a", ["Windows NT 4.0 SP6a"]),
        ("Windows NT Server 4.0, Terminal Server Edition Service Pack 5", ["Windows NT Server 4.0 Terminal Server Edition SP5"]),
        ("Windows 2000 Service Pack 2", ["Windows 2000 SP2"]),
        ("Visual Studio 6.0 Service Pack 3", ["Visual Studio 6.0 SP3"]),
        ("Visual C++ version 6.0 Service Pack 5", ["Visual C++ 6.0 SP5"]),
        ("Visual Basic 6.0 Service Pack 4", ["Visual Basic 6.0 SP4"]),
        ("Visual FoxPro 6.0 Service Pack 3", ["Visual FoxPro 6.0 SP3"]),
        ("Systems Management Server version 1.2 Service Pack 4", ["Systems Management Server 1.2 SP4"]),
        ("SNA Server version 4.0 Service Pack 2", ["SNA Server 4.0 SP2"]),
        ("Host Integration Server 2000 Service Pack 1", ["Host Integration Server 2000 SP1"]),
        ("SQL Server 7.0 Service Pack 2", ["SQL Server 7.0 SP2"]),
        ("MDAC 2.5 Service Pack 1", ["MDAC 2.5 SP1"]),
        ("Internet Information Server 4.0", ["IIS 4.0"]),
        ("Office 97 SR-2", ["Office 97 SR-2"]),
        ("Office 2000 Service Pack 2", ["Office 2000 SP2"]),
        ("Office XP Service Pack 1", ["Office XP SP1"]),
        ("Outlook 2000 SR-1", ["Outlook 2000 SR-1"]),
        ("Internet Explorer 4.01 Service Pack 2", ["Internet Explorer 4.01 SP2"]),
        ("Exchange 2000 Server Service Pack 1", ["Exchange 2000 Server SP1"]),
        ("Microsoft Outlook Web Access version 5.5 Service Pack 1", ["Exchange Server 5.5 SP1"]),
        ("Exchange Client 5.0 Service Pack 1", ["Exchange Client 5.0 SP1"]),
    ],
)
def test_each_catalogued_product_family_is_recognised_in_text(text: str, expected: list[str]) -> None:
    assert _releases(text) == expected


def test_a_version_the_catalogue_lacks_is_reported_not_guessed() -> None:
    mentions = scan("Microsoft Exchange Server version 6.5", load_catalogue())
    assert [(m.release, m.text) for m in mentions] == [(None, "Microsoft Exchange Server version 6.5")]


def test_a_service_pack_we_cannot_read_leaves_the_release_unknown_rather_than_rtm() -> None:
    assert _releases("corrected in Service Pack o4 Microsoft Exchange Server 4.0") == [None]
    assert _releases("corrected in the Post-SP2 fix for Microsoft Exchange Server version 5.0") == [None]


def test_a_client_of_a_product_is_the_client_release_not_the_operating_system_it_runs_on() -> None:
    assert _releases("Microsoft Exchange Windows 95 client version 5.0") == ["Exchange Client 5.0"]
    assert _releases("the Microsoft Exchange version 4.0 Windows 3.x, Windows 95, and Windows NT clients") == ["Exchange Client 4.0"]
    assert _releases("Microsoft Exchange Windows NT client, versions 4.0, 5.0") == ["Exchange Client 4.0", "Exchange Client 5.0"]
    assert _releases("the Windows 95 client") == [None]


def test_a_name_glued_to_another_product_name_is_not_that_product() -> None:
    assert _releases("Linkage Message Exchange version 3.2") == [None]


def test_a_version_written_before_the_product_is_read() -> None:
    assert _releases("versions 4.0 and 5.0 of Microsoft Exchange Server") == ["Exchange Server 4.0", "Exchange Server 5.0"]


def test_a_service_pack_without_a_version_takes_the_one_line_in_context() -> None:
    assert _releases("Microsoft Exchange Server U.S. Service Pack 2", context=["Exchange Server 4.0"]) == ["Exchange Server 4.0 SP2"]
    ambiguous = ["Exchange Server 4.0", "Exchange Server 5.0"]
    assert _releases("Microsoft Exchange Server Service Pack 2", context=ambiguous) == [None]
    assert _releases("Microsoft Exchange Server Service Pack 1", context=ambiguous,
                     recent={"Exchange Server": "Exchange Server 5.0"}) == ["Exchange Server 5.0 SP1"]


def test_every_catalogue_release_is_recognised_by_its_canonical_name() -> None:
    catalogue = load_catalogue()
    misread = {}
    for name in catalogue.releases:
        got = _releases(f"This problem was fixed in {name}.")
        if got != [name]:
            misread[name] = got
    assert misread == {}


def test_releases_named_by_words_are_recognised() -> None:
    assert _releases("the Systems Management Server 2.0 Service Pack 2 Hotfix Rollup Package (HRP)") == [
        "Systems Management Server 2.0 SP2 Hotfix Rollup"
    ]
    assert _releases("Microsoft Windows 95 and Windows 98 Second Edition") == ["Windows 95", "Windows 98 Second Edition"]
