"""Every fix-keyword shape and product prefix that kb-format.md §6.2 names decodes to a catalogue release."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.exceptions import ConfigError
from kb.releases import load_catalogue
from kb.releases.catalogue import load_catalogue_file

ROOT = Path(__file__).resolve().parents[2]

# kb-format.md §6.2 "Examples" and "Top tokens", plus one token per product prefix of the
# "Proposed product mapping": (token, meaning, line, release).
CENSUS_TOKENS = [
    ("kbExchange550sp4Fix", "fixed", "Exchange Server 5.5", "Exchange Server 5.5 SP4"),
    ("kbWinNT400sp4fix", "fixed", "Windows NT 4.0", "Windows NT 4.0 SP4"),
    ("exc55sp2fix", "fixed", "Exchange Server 5.5", "Exchange Server 5.5 SP2"),
    ("EXC55SP3Fix", "fixed", "Exchange Server 5.5", "Exchange Server 5.5 SP3"),
    ("kbVS600sp3fix", "fixed", "Visual Studio 6.0", "Visual Studio 6.0 SP3"),
    ("kbExchange550preSP4fix", "pre", "Exchange Server 5.5", "Exchange Server 5.5 SP4"),
    ("kbExchange550preSP5fix", "pre", "Exchange Server 5.5", None),
    ("kbExchange500preSP3fix", "pre", "Exchange Server 5.0", None),
    ("kbwinnt4sp6fix", "fixed", "Windows NT 4.0", "Windows NT 4.0 SP6"),
    ("kbwinnt400sp6afix", "fixed", "Windows NT 4.0", "Windows NT 4.0 SP6a"),
    ("kbwinnt400presp7fix", "pre", "Windows NT 4.0", None),
    ("kbwin2000presp3fix", "pre", "Windows 2000", "Windows 2000 SP3"),
    ("kboswin2000sp1fix", "fixed", "Windows 2000", "Windows 2000 SP1"),
    ("kbvfp500afix", "release", "Visual FoxPro 5.0", "Visual FoxPro 5.0a"),
    ("kbvfp300bfix", "release", "Visual FoxPro 3.0", "Visual FoxPro 3.0b"),
    ("kboffice97presr3fix", "pre", "Office 97", None),
    ("kboffice97sr2fix", "fixed", "Office 97", "Office 97 SR-2"),
    ("kboffice2000presr2fix", "pre", "Office 2000", "Office 2000 SP2"),
    ("kbOffice2000SP2fix", "fixed", "Office 2000", "Office 2000 SP2"),
    ("kbofficexpsp1fix", "fixed", "Office XP", "Office XP SP1"),
    ("kbvs97sp2fix", "fixed", "Visual Studio 97", "Visual Studio 97 SP2"),
    ("kbvc600fix", "release", "Visual C++ 6.0", "Visual C++ 6.0"),
    ("kbVC420fix", "release", "Visual C++ 4.2", "Visual C++ 4.2"),
    ("kbvc152fix", "release", "Visual C++ 1.52", "Visual C++ 1.52"),
    ("kbvbp500sp2fix", "fixed", "Visual Basic 5.0", "Visual Basic 5.0 SP2"),
    ("kbvs600sp5fix", "fixed", "Visual Studio 6.0", "Visual Studio 6.0 SP5"),
    ("kbsms200sp2fix", "fixed", "Systems Management Server 2.0", "Systems Management Server 2.0 SP2"),
    ("kbsms120sp4fix", "fixed", "Systems Management Server 1.2", "Systems Management Server 1.2 SP4"),
    ("kbsiteserver300sp2fix", "fixed", "Site Server 3.0", "Site Server 3.0 SP2"),
    ("kbsiteserv300sp3fix", "fixed", "Site Server 3.0", "Site Server 3.0 SP3"),
    ("kbcommserv2000sp1fix", "fixed", "Commerce Server 2000", "Commerce Server 2000 SP1"),
    ("kbclustserv100fix", "release", "Cluster Server 1.0", "Cluster Server 1.0"),
    ("kbmsmq100fix", "release", "Message Queue Server 1.0", "Message Queue Server 1.0"),
    ("kbiis400fix", "release", "IIS 4.0", "IIS 4.0"),
    ("kbtsesp4fix", "fixed", "Windows NT Server 4.0 Terminal Server Edition",
     "Windows NT Server 4.0 Terminal Server Edition SP4"),
    ("kbwinxpsp1fix", "fixed", "Windows XP", "Windows XP SP1"),
    ("kboswin98fix", "release", "Windows 98", "Windows 98"),
    ("kboswin95fix", "release", "Windows 95", "Windows 95"),
    ("kboswince212fix", "release", "Windows CE 2.12", "Windows CE 2.12"),
    ("kbsna400sp3fix", "fixed", "SNA Server 4.0", "SNA Server 4.0 SP3"),
    ("kbsna400presp4fix", "pre", "SNA Server 4.0", "SNA Server 4.0 SP4"),
    ("kbhis2000sp1fix", "fixed", "Host Integration Server 2000", "Host Integration Server 2000 SP1"),
    ("kbsqlserv650sp5fix", "fixed", "SQL Server 6.5", "SQL Server 6.5 SP5"),
    ("kbSQL700sp2fix", "fixed", "SQL Server 7.0", "SQL Server 7.0 SP2"),
    ("kbsqlserv2000sp3afix", "fixed", "SQL Server 2000", "SQL Server 2000 SP3a"),
    ("kbvsnet700fix", "release", "Visual Studio .NET 2002", "Visual Studio .NET 2002"),
    ("kbvj600sp3fix", "fixed", "Visual J++ 6.0", "Visual J++ 6.0 SP3"),
    ("kbvisid600sp3fix", "fixed", "Visual InterDev 6.0", "Visual InterDev 6.0 SP3"),
    ("kbssafe600afix", "release", "Visual SourceSafe 6.0", "Visual SourceSafe 6.0a"),
    ("kbatl300fix", "release", "ATL 3.0", "ATL 3.0"),
    ("kbhtmlhelp110fix", "release", "HTML Help 1.1", "HTML Help 1.1"),
    ("kbMDAC250sp1fix", "fixed", "MDAC 2.5", "MDAC 2.5 SP1"),
    ("kbado210sp2fix", "fixed", "ADO 2.1", "ADO 2.1 SP2"),
    ("kbodbc350fix", "release", "ODBC 3.5", "ODBC 3.5"),
    ("kbsdkdataac210fix", "release", "Data Access SDK 2.1", "Data Access SDK 2.1"),
    ("kbmsxml300sp1fix", "fixed", "MSXML 3.0", "MSXML 3.0 SP1"),
    ("kboutlook98fix", "release", "Outlook 98", "Outlook 98"),
    ("kbaccess97sr2fix", "fixed", "Access 97", "Access 97 SR-2"),
    ("kbie401sp2fix", "fixed", "Internet Explorer 4.01", "Internet Explorer 4.01 SP2"),
    ("kbie501sp1fix", "fixed", "Internet Explorer 5.01", "Internet Explorer 5.01 SP1"),
    ("kbie550sp2fix", "fixed", "Internet Explorer 5.5", "Internet Explorer 5.5 SP2"),
    ("kbExchange2000SP1Fix", "fixed", "Exchange 2000 Server", "Exchange 2000 Server SP1"),
]


@pytest.mark.parametrize(("token", "meaning", "line", "release"), CENSUS_TOKENS, ids=[t[0] for t in CENSUS_TOKENS])
def test_every_census_token_shape_decodes_to_its_line_and_release(token: str, meaning: str, line: str,
                                                                   release: str | None) -> None:
    decoded = load_catalogue().decode_token(token)
    assert decoded is not None, token
    assert (decoded.meaning, decoded.line, decoded.release) == (meaning, line, release)


@pytest.mark.parametrize("token", ["kbfix", "kbnofix", "kbdocfix", "kbfixlist", "kbmisctools1098fix"])
def test_generic_flags_and_the_unresolved_misctools_token_name_no_release(token: str) -> None:
    # kb-format.md §6.2: a token needs a version or a service pack; misctools1098 stays unresolved
    assert load_catalogue().decode_token(token) is None


def test_every_product_prefix_of_the_census_mapping_belongs_to_one_family() -> None:
    # kb-format.md §6.2 "Proposed product mapping" (token prefix -> product)
    mapping = {
        "winnt": "Windows NT", "oswinnt": "Windows NT", "tse": "Windows NT Server 4.0 Terminal Server Edition",
        "win": "Windows", "oswin": "Windows", "winxp": "Windows", "oswince": "Windows CE",
        "exchange": "Exchange Server", "exc": "Exchange Server", "sms": "Systems Management Server",
        "sna": "SNA Server", "his": "Host Integration Server", "sqlserv": "SQL Server",
        "siteserver": "Site Server", "siteserv": "Site Server", "commserv": "Commerce Server",
        "clustserv": "Cluster Server", "msmq": "Message Queue Server", "iis": "IIS",
        "vs": "Visual Studio", "vsnet": "Visual Studio .NET", "vc": "Visual C++", "vbp": "Visual Basic",
        "vfp": "Visual FoxPro", "vj": "Visual J++", "visid": "Visual InterDev", "ssafe": "Visual SourceSafe",
        "atl": "ATL", "htmlhelp": "HTML Help", "mdac": "MDAC", "ado": "ADO", "odbc": "Microsoft ODBC",
        "sdkdataac": "Data Access SDK", "msxml": "MSXML", "office": "Office", "officexp": "Office",
        "outlook": "Outlook", "access": "Microsoft Access", "ie": "Internet Explorer",
    }
    catalogue = load_catalogue()
    owners: dict[str, set[str]] = {}
    for family in catalogue.families:
        for prefix in family.tokens:
            owners.setdefault(prefix, set()).add(family.name)
        for line in family.lines:
            for prefix in line.tokens:
                owners.setdefault(prefix, set()).add(family.name)
    assert {prefix: owners.get(prefix) for prefix in mapping} == {p: {f} for p, f in mapping.items()}


@pytest.mark.parametrize(("token", "version"), [
    ("kbwinnt400sp4fix", "4.0"), ("kbexchange550sp4fix", "5.5"), ("kbvc152fix", "1.52"),
    ("kbwinnt4sp6fix", "4.0"), ("kbwin2000sp1fix", "2000"), ("kbvs97sp2fix", "97"),
    ("exc55sp3fix", "5.5"), ("kbvfp500afix", "5.0"), ("kbtsesp4fix", "4.0"),
])
def test_keyword_versions_normalise_as_the_census_says(token: str, version: str) -> None:
    # kb-format.md §6.2: 3 digits -> d.dd, 1 digit -> d.0, years kept, exc55 -> 5.5, letters kept,
    # tse without a version -> 4.0
    decoded = load_catalogue().decode_token(token)
    assert decoded is not None
    assert load_catalogue().lines[decoded.line].version == version


@pytest.mark.parametrize(("patch", "base"), [
    ("Visual C++ 4.2b", "Visual C++ 4.2"),
    ("Visual C++ 1.52c", "Visual C++ 1.52"),
    ("Windows NT 4.0 SP6a", "Windows NT 4.0 SP6"),
    ("SQL Server 6.5 SP5a", "SQL Server 6.5 SP5"),
    ("SQL Server 2000 SP3a", "SQL Server 2000 SP3"),
    ("Visual FoxPro 3.0b", "Visual FoxPro 3.0"),
    ("Visual FoxPro 5.0a", "Visual FoxPro 5.0"),
    ("Office 97 SR-2b", "Office 97 SR-2"),
])
def test_a_patch_letter_release_is_compatible_with_the_release_it_reships(patch: str, base: str) -> None:
    catalogue = load_catalogue()
    assert catalogue.patch_base(patch) == base
    assert catalogue.patch_compatible(patch, base) and catalogue.patch_compatible(base, patch)
    assert catalogue.order_key(base) < catalogue.order_key(patch)


def test_releases_of_one_line_that_differ_by_more_than_a_letter_are_not_patch_compatible() -> None:
    catalogue = load_catalogue()
    assert not catalogue.patch_compatible("Windows NT 4.0 SP5", "Windows NT 4.0 SP6a")
    assert not catalogue.patch_compatible("Windows 98", "Windows 98 Second Edition")
    assert not catalogue.patch_compatible("Exchange Server 5.5", "Exchange Server 5.5 SP4")
    assert not catalogue.patch_compatible("Visual C++ 4.2", "Visual C++ 4.2")


def test_every_release_named_with_a_trailing_patch_letter_declares_what_it_reships() -> None:
    # "4.2b", "SP6a", "SR-2b": a data edit adding such a release must say patch_of, or the
    # agreement measure would count the plain keyword as a conflict
    import re

    catalogue = load_catalogue()
    lettered = [r for r in catalogue.releases.values() if re.search(r"\d[a-z]$", r.name)]
    assert lettered
    assert [r.name for r in lettered if r.patch_of is None] == []


def test_a_patch_of_naming_a_later_or_foreign_release_is_a_config_error(tmp_path: Path) -> None:
    document = yaml.safe_load((ROOT / "kb" / "releases" / "catalogue.yaml").read_text())
    line = next(l for f in document["families"] for l in f["lines"] if l["name"] == "Visual C++ 4.2")
    line["releases"][1]["patch_of"] = "Visual C++ 6.0"
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ConfigError, match="patch_of must name an earlier"):
        load_catalogue_file(path)


@pytest.mark.parametrize(("name", "release"), [
    ("Visual C++ 4.2b technology update", "Visual C++ 4.2b"),
    ("Microsoft Windows NT 4.0 U.S. Service Pack 6a", "Windows NT 4.0 SP6a"),
    ("Windows NT Server version 4.0, Terminal Server Edition Service Pack 6",
     "Windows NT Server 4.0 Terminal Server Edition SP6"),
    ("Microsoft Office 97 Service Release 2", "Office 97 SR-2"),
    ("Microsoft Office 2000 SR-1a", "Office 2000 SR-1"),
    ("Microsoft Data Access Components 2.5 Service Pack 1", "MDAC 2.5 SP1"),
    ("MFC version 2.5", "Visual C++ 1.5"),
    ("Microsoft Foundation Classes version 4.21", "Visual C++ 5.0"),
    ("Visual Studio .NET", "Visual Studio .NET 2002"),
    ("Site Server 3.0 Service Pack 2", "Site Server 3.0 SP2"),
    ("Microsoft Access 97 SR-2", "Access 97 SR-2"),
    ("SMS 2.0 SP2 HRP", "Systems Management Server 2.0 SP2 Hotfix Rollup"),
])
def test_census_release_spellings_resolve_to_canonical_names(name: str, release: str) -> None:
    assert load_catalogue().resolve(name).name == release
