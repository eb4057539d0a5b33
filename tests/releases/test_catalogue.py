"""The release catalogue: schema-valid data, order, aliases, fix keywords, component builds."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.exceptions import ConfigError, ReleaseError
from kb.fast_schema import fast_check

from document_damage import damage  # type: ignore[import-not-found]
from kb.releases import load_catalogue
from kb.releases.catalogue import load_catalogue_file

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_catalogue_validates_against_its_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "releases.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load((ROOT / "kb" / "releases" / "catalogue.yaml").read_text()), schema)


def test_exchange_55_releases_are_ordered_with_their_component_builds() -> None:
    catalogue = load_catalogue()
    line = catalogue.lines["Exchange Server 5.5"]
    assert [r.name for r in line.releases] == [
        "Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2",
        "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4",
    ]
    assert [r.build for r in line.releases] == ["5.5.1960", "5.5.2232", "5.5.2448", "5.5.2650", "5.5.2653"]
    sp3 = catalogue.resolve("Exchange Server 5.5 SP3")
    assert sp3.components == {"ims": "5.5.2650.x", "store": "5.5.2650.23", "mta": "5.5.2650.24"}
    assert (sp3.product, sp3.line, sp3.order) == ("Exchange Server", "Exchange Server 5.5", 3)
    assert catalogue.resolve("Exchange Server 5.5 SP4").components["mta"] == "5.5.2653.23"


def test_service_packs_compare_in_catalogue_order() -> None:
    catalogue = load_catalogue()
    assert catalogue.resolve("SP3", context="Exchange Server 5.5").order < catalogue.resolve("SP4", context="Exchange Server 5.5").order
    assert catalogue.order_key("Windows NT 4.0 SP6") < catalogue.order_key("Windows NT 4.0 SP6a")


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("5.5 Service Pack 4", "Exchange Server 5.5 SP4"),
        ("exc55sp4", "Exchange Server 5.5 SP4"),
        ("kbExchange550sp4Fix", "Exchange Server 5.5 SP4"),
        ("EXC55SP3Fix", "Exchange Server 5.5 SP3"),
        ("exc55sp2fix", "Exchange Server 5.5 SP2"),
        ("Microsoft Exchange Server, version 5.5 U.S. Service Pack 4", "Exchange Server 5.5 SP4"),
        ("Exchange Server 5.5 RTM", "Exchange Server 5.5"),
        ("Exchange Server 4.0a", "Exchange Server 4.0 SP2"),
        ("Windows NT Server 4.0, Terminal Server Edition Service Pack 4", "Windows NT Server 4.0 Terminal Server Edition SP4"),
        ("Windows NT 4.0 U.S. Service Pack 6a", "Windows NT 4.0 SP6a"),
        ("kbWinNT400sp4fix", "Windows NT 4.0 SP4"),
        ("kbwinnt4sp6fix", "Windows NT 4.0 SP6"),
        ("kbVS600sp3fix", "Visual Studio 6.0 SP3"),
        ("kbsms200sp2fix", "Systems Management Server 2.0 SP2"),
        ("SMS 2.0 SP2 HRP", "Systems Management Server 2.0 SP2 Hotfix Rollup"),
        ("Office 97 Service Release 1", "Office 97 SR-1"),
        ("kboffice2000presr2fix", "Office 2000 SP2"),
        ("kbvfp500afix", "Visual FoxPro 5.0a"),
        ("kboutlook850fix", "Outlook 98"),
    ],
)
def test_aliases_and_fix_keywords_resolve_to_canonical_names(alias: str, canonical: str) -> None:
    assert load_catalogue().resolve(alias).name == canonical


def test_a_bare_service_pack_needs_a_product_line_in_context() -> None:
    catalogue = load_catalogue()
    assert catalogue.resolve("SP4", context="Exchange Server 5.5").name == "Exchange Server 5.5 SP4"
    with pytest.raises(ReleaseError, match="unknown release 'SP4'"):
        catalogue.resolve("SP4")


def test_an_unknown_release_is_an_error_never_a_guess() -> None:
    with pytest.raises(ReleaseError, match="'Exchange Server 5.5 SP5'"):
        load_catalogue().resolve("Exchange Server 5.5 SP5")


def test_pre_tokens_name_the_next_service_pack_or_none_when_it_never_shipped() -> None:
    catalogue = load_catalogue()
    pre4 = catalogue.decode_token("kbExchange550preSP4fix")
    assert (pre4.meaning, pre4.release) == ("pre", "Exchange Server 5.5 SP4")
    pre5 = catalogue.decode_token("kbExchange550preSP5fix")
    assert (pre5.meaning, pre5.release, pre5.line) == ("pre", None, "Exchange Server 5.5")
    nt7 = catalogue.decode_token("kbwinnt400presp7fix")
    assert (nt7.release, nt7.line) == (None, "Windows NT 4.0")


def test_version_keywords_without_fix_are_not_fix_keywords() -> None:
    catalogue = load_catalogue()
    assert catalogue.decode_token("exc55sp3").fix is False
    assert catalogue.decode_token("kbfix") is None and catalogue.decode_token("kbfixlist") is None


def test_every_fix_keyword_in_the_corpus_decodes(corpus: Path) -> None:
    import re

    catalogue = load_catalogue()
    grammar = re.compile(r"^(kb)?[a-z]+?(\d+[a-z]?)?(pre)?((sp|sr)\d+[a-z]?)?(nosp)?fix(nosp)?$")
    undecoded = set()
    for path in corpus.rglob("*.TXT"):
        text = path.read_bytes().decode("latin-1")
        match = re.search(r"\r\nKeywords {10}: (.*)\r\n", text)
        for token in (match.group(1).split() if match else []):
            if grammar.match(token.lower()) and re.search(r"\d", token) and catalogue.decode_token(token) is None:
                undecoded.add(token)
    assert undecoded == set()


def test_a_broken_catalogue_file_is_a_located_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "catalogue.yaml"
    bad.write_text("families:\n  - name: X\n    lines: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"catalogue.yaml: families/0/lines: \[\] should be non-empty"):
        load_catalogue_file(bad)
    bad.write_text("families: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_catalogue_file(bad)


def test_a_line_whose_first_release_is_not_its_rtm_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "catalogue.yaml"
    bad.write_text(
        "families:\n  - name: P\n    lines:\n      - name: P 1.0\n        version: '1.0'\n"
        "        releases: [{name: P 1.0 SP1, sp: '1'}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="the first release must be the RTM"):
        load_catalogue_file(bad)


def test_the_catalogue_covers_every_product_family_the_issue_lists() -> None:
    families = {f.name for f in load_catalogue().families}
    assert {
        "Exchange Server", "Windows NT", "Windows", "Windows NT Server 4.0 Terminal Server Edition", "Visual Studio",
        "Visual C++", "Visual Basic", "Visual FoxPro", "Systems Management Server", "SNA Server",
        "Host Integration Server", "SQL Server", "MDAC", "IIS", "Office", "Internet Explorer",
    } <= families


CATALOGUE_MUTATIONS = st.sampled_from(
    [None, 0, -1, 1.5, True, "", "x", " x", "5.5", "SP4", "2001-01-01", "2001-1-1", [], {}, ["x"], [{}],
     {"name": "x"}, {"MSExchangeIS": "5.5.2650.x"}, {"store": "five"}]
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_fast_catalogue_check_agrees_with_jsonschema_on_any_damage(data: st.DataObject) -> None:
    document = yaml.safe_load((ROOT / "kb" / "releases" / "catalogue.yaml").read_text())
    damage(document, data, CATALOGUE_MUTATIONS, new_keys=("extra", "MSExchangeMTA", "notes"))
    schema = json.loads((ROOT / "schemas" / "releases.schema.json").read_text())
    fast = fast_check("releases.schema.json")
    assert fast is not None
    assert fast(document) == jsonschema.Draft202012Validator(schema).is_valid(document)
