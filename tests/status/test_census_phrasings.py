"""Synthetic STATUS sections for the phrasings kb-format.md §6.1 counts over the whole archive.

The shared corpus is mostly Exchange; these cases cover the other products of the census
(Windows NT/2000, Visual Studio family, SQL Server, SMS, SNA/HIS, MDAC, Office, IE, ...), each
resolved to canonical releases, and the text/keyword agreement of §6.3.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kb.status import extract_status
from kb.status.lint import compare, lint_status

from status_helpers import make_article  # type: ignore[import-not-found]

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "status.schema.json").read_text())

# §6.1 stock sentences (S-ids from the census table)
LISTED = "Microsoft has confirmed this to be a problem in the Microsoft products listed at the\nbeginning of this article."  # S04
LISTED_BUG = "Microsoft has confirmed this to be a bug in the Microsoft products listed at the\nbeginning of this article."  # S05
LISTED_THAT = "Microsoft has confirmed that this is a problem in the Microsoft products listed at\nthe beginning of this article."  # S16
SERVPACK = ("For information on obtaining the service pack, query on the following word in the\n"
            "Microsoft Knowledge Base (without the spaces):\n\n   S E R V P A C K")  # S09
HOTFIX = ("A supported fix is now available, but has not been fully regression tested and should be\n"
          "applied only to systems experiencing this specific problem. Unless you are severely\n"
          "impacted by this specific problem, Microsoft recommends that you wait for the next\n"
          "Windows NT service pack that contains this fix.\n\nContact Microsoft Technical Support for more information.")

NT4 = ["Microsoft Windows NT Server version 4.0", "Microsoft Windows NT Workstation version 4.0"]

CASES: list[dict[str, Any]] = [
    # -- Windows NT / 2000 / TSE ------------------------------------------------------------
    dict(id="S01+S03: confirmed in Windows NT 4.0, first corrected in NT 4.0 SP4",
         status="Microsoft has confirmed this to be a problem in Windows NT version 4.0. This problem\n"
                "was first corrected in Windows NT 4.0 Service Pack 4.\n\n" + SERVPACK,
         keywords="kbWinNT400sp4fix", kind="fixed", affected=["Windows NT 4.0"], fixed="Windows NT 4.0 SP4",
         agrees=True),
    dict(id="S04+S06: corrected in the latest Windows NT 4.0 U.S. Service Pack takes the keyword",
         status=LISTED + " This problem was corrected in the latest Windows NT 4.0 U.S.\nService Pack.\n\n" + SERVPACK,
         applies_to=NT4, keywords="kbwinnt400sp5fix", kind="fixed-latest-sp", affected=["Windows NT 4.0"],
         fixed="Windows NT 4.0 SP5", agrees=None),
    dict(id="S01+S11: has been corrected in the latest service pack for Windows 2000",
         status="Microsoft has confirmed this to be a problem in Microsoft Windows 2000. This problem has\n"
                "been corrected in the latest service pack for Windows 2000.",
         keywords="kbwin2000sp2fix", kind="fixed-latest-sp", affected=["Windows 2000"], fixed="Windows 2000 SP2",
         agrees=None),
    dict(id="S16 plus a hotfix before the never-shipped NT 4.0 SP7 is a hotfix with no release",
         status=LISTED_THAT + "\n\n" + HOTFIX, applies_to=NT4, keywords="kbWinNT400PreSP7Fix",
         kind="hotfix", affected=["Windows NT 4.0"], fixed=None, hotfix="Windows NT 4.0 hotfix", agrees=None),
    dict(id="Windows NT 4.0 Service Pack 6a in STATUS agrees with kbwinnt4sp6fix through the patch letter",
         status="Microsoft has confirmed this to be a problem in Windows NT 4.0. This problem was first\n"
                "corrected in Windows NT 4.0 Service Pack 6a.",
         keywords="kbwinnt4sp6fix", kind="fixed", affected=["Windows NT 4.0"], fixed="Windows NT 4.0 SP6a",
         agrees=True, strict=False),
    dict(id="A Windows 2000 SP and an NT 4.0 SP in one clause are two first fixes",
         status="Microsoft has confirmed this to be a problem in Windows NT 4.0 and Windows 2000. This\n"
                "problem was first corrected in Windows 2000 Service Pack 2 and Windows NT 4.0 Service Pack 6a.",
         keywords="kbwin2000sp2fix kbWinNT400sp6afix", kind="fixed", affected=["Windows 2000", "Windows NT 4.0"],
         fixed=["Windows 2000 SP2", "Windows NT 4.0 SP6a"], agrees=True, strict=True),
    dict(id="Terminal Server Edition, with the comma, is its own line and its own service pack",
         status=LISTED + " This problem was first corrected in Windows NT Server version 4.0,\n"
                "Terminal Server Edition Service Pack 6.",
         applies_to=["Microsoft Windows NT Server version 4.0, Terminal Server Edition"], keywords="kbWinNT4sp6fix",
         kind="fixed", fixed="Windows NT Server 4.0 Terminal Server Edition SP6", agrees=None),
    dict(id="A trailing service pack carries back over NT and TSE (census §6.3 step 3)",
         status="Microsoft has confirmed this to be a problem in Windows NT 4.0. This problem was first\n"
                "corrected in Windows NT 4.0 and Windows NT Server 4.0, Terminal Server Edition Service Pack 4.",
         keywords="kbWinNT400sp4fix", kind="fixed",
         fixed=["Windows NT 4.0 SP4", "Windows NT Server 4.0 Terminal Server Edition SP4"], agrees=True),
    dict(id="Windows NT 3.5 and 3.51 are catalogue lines",
         status="Microsoft has confirmed this to be a problem in Windows NT versions 3.5 and 3.51. We are\n"
                "researching this problem and will post new information here in the Microsoft Knowledge\n"
                "Base as it becomes available.",
         kind="researching", affected=["Windows NT 3.5", "Windows NT 3.51"], fixed=None, unknown=0),
    # -- Visual Studio family ---------------------------------------------------------------
    dict(id="S05+S19: a bug fixed in Visual Studio 97 Service Pack 2",
         status=LISTED_BUG + " This bug has been fixed in Visual Studio 97 Service Pack 2.",
         applies_to=["Microsoft Visual Basic Professional and Enterprise Editions for Windows, version 5.0"],
         keywords="kbvs97sp2fix", kind="fixed", affected=["Visual Basic 5.0"], fixed="Visual Studio 97 SP2",
         agrees=True, strict=True),
    dict(id="Visual Studio 97 SP3 against kbvs97sp2fix is a true conflict (census §6.3)",
         status=LISTED_BUG + " This bug has been fixed in Visual Studio 97 Service Pack 3.",
         keywords="kbvs97sp2fix", kind="fixed", fixed="Visual Studio 97 SP3", agrees=False),
    dict(id="A suite service pack against a component keyword is not compared (census class D)",
         status=LISTED_BUG + " This bug has been fixed in Visual Studio 97 Service Pack 3.",
         keywords="kbvbp500sp3fix", kind="fixed", fixed="Visual Studio 97 SP3", agrees=None),
    dict(id="S10: corrected in the Microsoft Visual Studio 6.0 Service Pack 3",
         status="Microsoft has confirmed this to be a problem in Visual Studio 6.0. This problem was\n"
                "corrected in the Microsoft Visual Studio 6.0 Service Pack 3.",
         keywords="kbVS600sp3fix", kind="fixed", affected=["Visual Studio 6.0"], fixed="Visual Studio 6.0 SP3",
         agrees=True),
    dict(id="Q154652: the Visual C++ 4.2b technology update agrees with the version-level kbVC420fix",
         status=LISTED_BUG + " This bug has been corrected in the Visual C++ 4.2b\ntechnology update.",
         applies_to=["Microsoft Visual C++, 32-bit Editions, versions 4.0, 4.1",
                     "Microsoft Visual C++, 32-bit Enterprise Edition, version 4.2"],
         keywords="kbVC400bug kbVC410bug kbVC420fix", kind="fixed",
         affected=["Visual C++ 4.0", "Visual C++ 4.1", "Visual C++ 4.2"], fixed="Visual C++ 4.2b",
         agrees=True, strict=True, unknown=0),
    dict(id="Edition words and 16-bit are dropped before a Visual C++ version",
         status="Microsoft has confirmed this to be a bug in Visual C++, 16-bit Edition, version 1.52.\n"
                "This bug was corrected in Visual C++ version 1.52c.",
         keywords="kbvc152fix", kind="fixed", affected=["Visual C++ 1.52"], fixed="Visual C++ 1.52c",
         agrees=True, strict=True, unknown=0),
    dict(id="An MFC version names the Visual C++ release that shipped it",
         status="Microsoft has confirmed this to be a problem with version 2.0 of the Microsoft Foundation\n"
                "Class Libraries for Windows and Windows NT. This problem was corrected in the Microsoft\n"
                "Foundation Classes version 2.5.",
         keywords="kbVC150fix", kind="fixed", fixed="Visual C++ 1.5", agrees=True),
    dict(id="Corrected in Microsoft Visual C++ .NET",
         status=LISTED_BUG + "\n\nThis problem was corrected in Microsoft Visual C++ .NET.",
         applies_to=["Microsoft Visual C++, 32-bit Enterprise Edition, version 6.0"], keywords="kbVC600bug",
         kind="fixed", affected=["Visual C++ 6.0"], fixed="Visual C++ .NET", unknown=0),
    dict(id="Visual FoxPro for Windows 5.0a through its own letter keyword",
         status="Microsoft has confirmed this to be a problem in Visual FoxPro for Windows version 5.0.\n"
                "This problem has been fixed in Visual FoxPro 5.0a.",
         keywords="kbvfp500afix", kind="fixed", affected=["Visual FoxPro 5.0"], fixed="Visual FoxPro 5.0a",
         agrees=True, strict=True, unknown=0),
    dict(id="Visual FoxPro 3.0b agrees with the version-level kbvfp300fix",
         status="Microsoft has confirmed this to be a problem in Visual FoxPro 3.0. This problem has been\n"
                "fixed in Visual FoxPro 3.0b.",
         keywords="kbvfp300fix", kind="fixed", fixed="Visual FoxPro 3.0b", agrees=True, strict=True),
    dict(id="Visual SourceSafe 6.0c, Visual J++ and Visual InterDev are catalogue products",
         status="Microsoft has confirmed this to be a problem in Visual SourceSafe 6.0, Visual J++ 6.0 and\n"
                "Visual InterDev 6.0. This problem was corrected in Visual SourceSafe 6.0c.",
         keywords="kbssafe600cfix", kind="fixed",
         affected=["Visual InterDev 6.0", "Visual J++ 6.0", "Visual SourceSafe 6.0"],
         fixed="Visual SourceSafe 6.0c", agrees=True, strict=True, unknown=0),
    # -- servers ----------------------------------------------------------------------------
    dict(id="Systems Management Server version 2.0 Service Pack 2",
         status="Microsoft has confirmed this to be a problem in Systems Management Server version 2.0.\n"
                "This problem was first corrected in Systems Management Server version 2.0 Service Pack 2.",
         keywords="kbsms200sp2fix", kind="fixed", affected=["Systems Management Server 2.0"],
         fixed="Systems Management Server 2.0 SP2", agrees=True),
    dict(id="The SMS 2.0 SP2 Hotfix Rollup Package is a release between SP2 and SP3",
         status="Microsoft has confirmed this to be a problem in SMS 2.0. This problem was first corrected\n"
                "in Systems Management Server 2.0 Service Pack 2 Hotfix Rollup Package.",
         kind="fixed", fixed="Systems Management Server 2.0 SP2 Hotfix Rollup"),
    dict(id="SMS 1.0 and 1.1 are catalogue lines",
         status="Microsoft has confirmed this to be a problem in Systems Management Server versions 1.0\n"
                "and 1.1. This problem was corrected in Systems Management Server version 1.2.",
         kind="fixed", affected=["Systems Management Server 1.0", "Systems Management Server 1.1"],
         fixed="Systems Management Server 1.2", unknown=0),
    dict(id="SNA Server latest U.S. service pack with only another product's keyword names no release",
         status="Microsoft has confirmed this to be a problem in SNA Server version 4.0. This problem has\n"
                "been corrected in the latest U.S. service pack for SNA Server version 4.0.\n\n" + SERVPACK,
         keywords="kbMSMQ100fix", kind="fixed-latest-sp", affected=["SNA Server 4.0"], fixed=None),
    dict(id="SNA Server 4.0 Service Pack 3 with its pre-SP4 neighbour",
         status="Microsoft has confirmed this to be a problem in SNA Server version 4.0. This problem was\n"
                "first corrected in SNA Server 4.0 Service Pack 3.",
         keywords="kbsna400sp3fix", kind="fixed", fixed="SNA Server 4.0 SP3", agrees=True, strict=True),
    dict(id="Host Integration Server 2000 Service Pack 1",
         status="Microsoft has confirmed this to be a problem in Host Integration Server 2000. This problem\n"
                "was first corrected in Host Integration Server 2000 Service Pack 1.",
         keywords="kbhis2000sp1fix", kind="fixed", fixed="Host Integration Server 2000 SP1", agrees=True),
    dict(id="U.S. Service Pack 1 for Microsoft SQL Server version 7.0 (service pack before the product)",
         status="Microsoft has confirmed this to be a problem in Microsoft SQL Server version 7.0. This\n"
                "problem has been corrected in U.S. Service Pack 1 for Microsoft SQL Server version 7.0.",
         keywords="kbSQLServ700sp1fix", kind="fixed", affected=["SQL Server 7.0"], fixed="SQL Server 7.0 SP1",
         agrees=True, strict=True),
    dict(id="SQL Server 6.5 Service Pack 5a agrees with the sp5 keyword through the patch letter",
         status="Microsoft has confirmed this to be a problem in SQL Server 6.5. This problem has been\n"
                "corrected in U.S. Service Pack 5a for Microsoft SQL Server version 6.5.",
         keywords="kbsqlserv650sp5fix", kind="fixed", fixed="SQL Server 6.5 SP5a", agrees=True, strict=False),
    dict(id="Site Server 3.0 Service Pack 2 is in the catalogue",
         status="Microsoft has confirmed this to be a problem in Site Server 3.0. This problem was first\n"
                "corrected in Site Server 3.0 Service Pack 2.",
         keywords="kbsiteserver300sp2fix", kind="fixed", affected=["Site Server 3.0"], fixed="Site Server 3.0 SP2",
         agrees=True, unknown=0),
    dict(id="NT 4.0 Service Pack 4 against kbsiteserver300sp2fix is another product, not compared",
         status="Microsoft has confirmed this to be a problem in Site Server 3.0. This problem was first\n"
                "corrected in Windows NT 4.0 Service Pack 4.",
         keywords="kbsiteserver300sp2fix", kind="fixed", fixed="Windows NT 4.0 SP4", agrees=None),
    dict(id="Commerce Server 2000 Service Pack 1",
         status="Microsoft has confirmed this to be a problem in Microsoft Commerce Server 2000. This\n"
                "problem was first corrected in Commerce Server 2000 Service Pack 1.",
         keywords="kbcommserv2000sp1fix", kind="fixed", fixed="Commerce Server 2000 SP1", agrees=True, unknown=0),
    dict(id="IIS 4.0 confirmed, fixed in a Windows NT service pack",
         status="Microsoft has confirmed this to be a problem in Internet Information Server 4.0. This\n"
                "problem was first corrected in Windows NT 4.0 Service Pack 5.",
         keywords="kbiis400fix kbwinnt400sp5fix", kind="fixed", affected=["IIS 4.0"], fixed="Windows NT 4.0 SP5",
         agrees=True, strict=True),
    dict(id="Exchange 5.5 SP4 with the pre-SP4 hotfix keyword too",
         status="Microsoft has confirmed this to be a problem in Exchange Server 5.5. This problem was first\n"
                "corrected in Exchange Server 5.5 Service Pack 4.",
         keywords="kbExchange550sp4Fix kbExchange550preSP4fix", kind="fixed", fixed="Exchange Server 5.5 SP4",
         hotfix="Exchange Server 5.5 SP4", agrees=True, strict=True),
    # -- data access, Office, browser -------------------------------------------------------
    dict(id="Microsoft Data Access Components 2.5 Service Pack 1",
         status="Microsoft has confirmed this to be a problem in MDAC 2.5. This problem was first corrected\n"
                "in Microsoft Data Access Components 2.5 Service Pack 1.",
         keywords="kbMDAC250sp1fix", kind="fixed", affected=["MDAC 2.5"], fixed="MDAC 2.5 SP1", agrees=True),
    dict(id="MSXML 3.0 Service Pack 1",
         status="Microsoft has confirmed this to be a problem in MSXML 3.0. This problem was first corrected\n"
                "in MSXML 3.0 Service Pack 1.",
         keywords="kbmsxml300sp1fix", kind="fixed", affected=["MSXML 3.0"], fixed="MSXML 3.0 SP1", agrees=True),
    dict(id="The ODBC for Oracle driver version is not an ODBC release",
         status=LISTED, applies_to=["Microsoft ODBC for Oracle version 2.0", "Microsoft Data Access Components version 2.5"],
         kind="confirmed", affected=["MDAC 2.5"], fixed=None),
    dict(id="Office 2000 Service Release 1 (SR-1) in an Outlook 2000 article",
         status="Microsoft has confirmed this to be a problem in Outlook 2000. This problem was corrected in\n"
                "Microsoft Office 2000 Service Release 1 (SR-1).",
         keywords="kboffice2000sr1fix", kind="fixed", affected=["Outlook 2000"], fixed="Office 2000 SR-1",
         agrees=True),
    dict(id="Office 2000 Service Pack 2 agrees with the pre-SR-2 keyword",
         status="Microsoft has confirmed this to be a problem in Microsoft Office 2000. This problem was\n"
                "first corrected in Office 2000 Service Pack 2.",
         keywords="kboffice2000presr2fix", kind="fixed", fixed="Office 2000 SP2", agrees=True, strict=True),
    dict(id="A hotfix before Office 97 SR-3, which never shipped",
         status="Microsoft has confirmed this to be a problem in Microsoft Office 97. A supported fix is now\n"
                "available.", keywords="kboffice97presr3fix", kind="hotfix", affected=["Office 97"], fixed=None,
         hotfix="Office 97 hotfix"),
    dict(id="Access 97 fixed in Office 97 Service Release 2",
         status="Microsoft has confirmed this to be a problem in Microsoft Access 97. This problem was\n"
                "corrected in Microsoft Office 97 Service Release 2 (SR-2).",
         keywords="kbaccess97sr2fix", kind="fixed", affected=["Access 97"], fixed="Office 97 SR-2", unknown=0),
    dict(id="Remote Access Service is not the Access product",
         status="Microsoft has confirmed this to be a problem in Remote Access Service for Windows NT 4.0.",
         kind="confirmed", affected=["Windows NT 4.0"], unknown=0),
    dict(id="Internet Explorer 4.01 Service Pack 2",
         status="Microsoft has confirmed this to be a problem in Internet Explorer 4.01. This problem was\n"
                "first corrected in Internet Explorer 4.01 Service Pack 2.",
         keywords="kbie401sp2fix", kind="fixed", fixed="Internet Explorer 4.01 SP2", agrees=True),
    dict(id="Windows 98 Second Edition is a release of the Windows 98 line kboswin98fix names",
         status="Microsoft has confirmed this to be a problem in Microsoft Windows 98. This problem was\n"
                "corrected in Windows 98 Second Edition.",
         keywords="kboswin98fix", kind="fixed", fixed="Windows 98 Second Edition", agrees=True, strict=True),
    # -- the other kinds --------------------------------------------------------------------
    dict(id="S07: by design", status="This behavior is by design.", kind="by-design", fixed=None),
    dict(id="S13: Microsoft is researching this problem",
         status="Microsoft is researching this problem and will post new information here in the Microsoft\n"
                "Knowledge Base as it becomes available.", kind="researching", fixed=None),
    dict(id="T15: S05 and we are researching this bug",
         status=LISTED_BUG + " We are researching this bug and will post new information here in the\n"
                "Microsoft Knowledge Base as it becomes available.",
         applies_to=["Microsoft Visual C++, 32-bit Editions, versions 4.0, 4.1"], kind="researching",
         affected=["Visual C++ 4.0", "Visual C++ 4.1"], unknown=0),
    dict(id="S20 alone on SQL Server 2000 is confirmed",
         status="Microsoft has confirmed that this is a problem in Microsoft SQL Server 2000.",
         kind="confirmed", affected=["SQL Server 2000"], fixed=None),
    dict(id="A confirmed-only STATUS with a version-level fix keyword is not read as fixed in the RTM",
         status=LISTED, applies_to=["Microsoft Visual FoxPro for Windows, versions 3.0, 3.0b, 5.0, 5.0a"],
         keywords="kbvfp500fix", kind="confirmed", fixed=None,
         affected=["Visual FoxPro 3.0", "Visual FoxPro 3.0b", "Visual FoxPro 5.0", "Visual FoxPro 5.0a"], agrees=None),
    dict(id="A confirmed-only STATUS with a service-pack fix keyword takes the keyword's release",
         status=LISTED, applies_to=["Microsoft Visual Basic Professional Edition for Windows, version 6.0"],
         keywords="kbVBp600sp3fix", kind="fixed", fixed="Visual Basic 6.0 SP3", affected=["Visual Basic 6.0"],
         agrees=None),
]


def _status(case: dict[str, Any]) -> dict[str, Any]:
    return extract_status(make_article(case["status"], case.get("applies_to"), case.get("keywords", "")))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_each_census_phrasing_resolves_to_canonical_releases(case: dict[str, Any]) -> None:
    status = _status(case)
    jsonschema.validate(status, SCHEMA)
    assert status["kind"] == case["kind"], status
    for key in ("affected", "fixed", "hotfix"):
        if key in case:
            assert status[key] == case[key], (key, status)
    if "unknown" in case:
        assert len(status["unknown"]) == case["unknown"], status["unknown"]


@pytest.mark.parametrize("case", [c for c in CASES if "agrees" in c], ids=[c["id"] for c in CASES if "agrees" in c])
def test_each_census_phrasing_agrees_with_its_keyword_as_section_6_3_says(case: dict[str, Any]) -> None:
    comparison = compare(_status(case))
    if case["agrees"] is None:
        assert not comparison.comparable
        return
    assert comparison.comparable and comparison.agrees == case["agrees"]
    if "strict" in case:
        assert comparison.strictly_agrees == case["strict"]


def test_a_patch_letter_pair_is_reported_as_such_and_not_as_a_mismatch() -> None:
    case = next(c for c in CASES if c["id"].startswith("Windows NT 4.0 Service Pack 6a"))
    status = _status(case)
    comparison = compare(status)
    assert [entry["token"] for entry, _ in comparison.patch_letter] == ["kbwinnt4sp6fix"]
    assert comparison.unmatched_lines == ()
    diagnostics = list(lint_status(status, "Q000001.TXT"))
    assert [(d.severity, d.code) for d in diagnostics] == [("warning", "status-keyword-patch-letter")]
    assert "'Windows NT 4.0 SP6'" in diagnostics[0].message and "'Windows NT 4.0 SP6a'" in diagnostics[0].message


def test_a_patch_letter_never_excuses_a_different_service_pack() -> None:
    status = extract_status(make_article(
        "Microsoft has confirmed this to be a problem in Windows NT 4.0. This problem was first\n"
        "corrected in Windows NT 4.0 Service Pack 6a.", keywords="kbWinNT400sp5fix"))
    comparison = compare(status)
    assert comparison.comparable and not comparison.agrees and comparison.patch_letter == ()
    assert [d.code for d in lint_status(status, "x.TXT")] == ["status-keyword-mismatch"]
