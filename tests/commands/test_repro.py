"""kb repro ARTICLE --release NAME and kb repro init ARTICLE."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from kb.store import dump_article, load_article

SP3 = "Exchange Server 5.5 SP3"


def repro(root: Path, *args: str) -> tuple[int, str, str]:
    """Run kb repro with ``args`` in ``root``."""
    result = CliRunner().invoke(cli, ["repro", *args, "--articles", str(root / "articles")])
    return result.exit_code, result.stdout, result.stderr


def test_repro_on_sp3_prints_the_evidence_and_the_transcript(kb_root: Path) -> None:
    code, out, _ = repro(kb_root, "Q254893", "--release", SP3)
    assert code == 0
    assert f"Q254893 on {SP3}" in out
    assert "expected: symptom" in out and "observed: symptom" in out
    assert "evidence:" in out and "transcript:" in out
    assert "event 4120" in out


def test_a_short_release_name_and_an_overlay_resolve_to_canonical_names(kb_root: Path) -> None:
    code, out, _ = repro(kb_root, "Q254893", "--release", "SP3 + Store.exe 5.5.2652.17", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["release"] == f"{SP3} + Store.exe 5.5.2652.17"
    assert document["observed"] == "no-symptom"
    assert document["transcript"]


def test_an_unknown_release_is_a_one_line_error(kb_root: Path) -> None:
    code, _, err = repro(kb_root, "Q254893", "--release", "Exchange Server 9.9 SP7")
    assert code != 0
    assert "unknown release 'Exchange Server 9.9 SP7'" in err and "Traceback" not in err


def test_a_crashing_repro_exits_2_with_its_location(kb_root: Path) -> None:
    code, out, _ = repro(kb_root, "Q900004", "--release", SP3)
    assert code == 2
    assert "Q900004.py:8: run('Exchange Server 5.5 SP3') raised RuntimeError" in out


def test_init_scaffolds_a_script_from_status_and_symptoms_and_links_it(kb_root: Path) -> None:
    code, out, err = repro(kb_root, "init", "Q900007")
    assert code == 0, err
    script = kb_root / "repro" / "Q900007.py"
    text = script.read_text(encoding="utf-8")
    assert "affected (symptom expected):     Exchange Server 5.5 SP3" in text
    assert "fixed (no symptom expected):     Exchange Server 5.5 SP4" in text
    assert "# If you click Send Again on the NDR, no second NDR arrives and event 4120 is logged." in text
    compile(text, str(script), "exec")
    assert load_article(kb_root / "articles" / "Q900007.yaml").repro == {"script": "repro/Q900007.py",
                                                                          "releases": []}
    assert "wrote" in out


def test_a_fresh_scaffold_is_reported_as_error_by_verify_never_as_pass(kb_root: Path) -> None:
    repro(kb_root, "init", "Q900007")
    result = CliRunner().invoke(cli, ["verify", "Q900007", "--json", "--articles", str(kb_root / "articles")])
    assert result.exit_code == 2
    verdicts = {r["verdict"] for r in json.loads(result.stdout)["articles"][0]["results"]}
    assert verdicts == {"error"}


def test_init_refuses_to_overwrite_an_existing_script_without_force(kb_root: Path) -> None:
    before = (kb_root / "repro" / "Q254893.py").read_bytes()
    code, _, err = repro(kb_root, "init", "Q254893")
    assert code != 0
    assert "already exists (use --link to link it, --force to overwrite it)" in err
    assert (kb_root / "repro" / "Q254893.py").read_bytes() == before


def test_init_link_links_the_existing_script_without_touching_it(kb_root: Path) -> None:
    record = kb_root / "articles" / "Q254893.yaml"
    article = load_article(record)
    article.repro = None
    dump_article(article, record)
    before = (kb_root / "repro" / "Q254893.py").read_bytes()
    code, out, _ = repro(kb_root, "init", "Q254893", "--link")
    assert code == 0
    assert "kept " in out
    assert (kb_root / "repro" / "Q254893.py").read_bytes() == before
    assert load_article(record).repro == {"script": "repro/Q254893.py", "releases": []}


def test_init_scaffolds_the_shipped_q254893_symptoms_when_forced(kb_root: Path) -> None:
    code, _, _ = repro(kb_root, "init", "Q254893", "--force")
    assert code == 0
    text = (kb_root / "repro" / "Q254893.py").read_text(encoding="utf-8")
    assert "Event ID: 4120" in text or "event 4120" in text
    assert load_article(kb_root / "articles" / "Q254893.yaml").repro["script"] == "repro/Q254893.py"


def test_an_article_without_release_gets_the_repro_usage_not_a_hidden_subcommand_s(kb_root: Path) -> None:
    code, out, err = repro(kb_root, "Q254893")
    assert code == 2 and out == ""
    assert err.splitlines()[0].endswith(" repro ARTICLE --release NAME [--json] | init ARTICLE")
    assert "Error: Missing option '--release'" in err
    assert "repro run" not in err and "run" not in CliRunner().invoke(cli, ["repro", "--help"]).stdout.split("Commands:")[1]


def test_evidence_prints_as_json_never_as_a_python_repr(kb_root: Path) -> None:
    _, out, _ = repro(kb_root, "Q900002", "--release", SP3)
    assert f'  release: "{SP3}"' in out and "  ndr_count: 2" in out
    verified = CliRunner().invoke(cli, ["verify", "Q900002", "--articles", str(kb_root / "articles")]).stdout
    assert f'evidence release: "{SP3}"' in verified


NT_ARTICLE = """DOCUMENT:Q900201  01-JUN-2001  [winnt]\r
TITLE   :A Synthetic Windows NT Article\r
PRODUCT :Microsoft Windows NT\r
PROD/VER:winnt:4.0\r
OPER/SYS:\r
KEYWORDS:kbWinNT400sp4fix\r
\r
======================================================================\r
-------------------------------------------------------------------------------\r
The information in this article applies to:\r
\r
 - Microsoft Windows NT Server version 4.0 \r
-------------------------------------------------------------------------------\r
\r
\r
SYMPTOMS\r
========\r
\r
A synthetic symptom.\r
\r
STATUS\r
======\r
\r
Microsoft has confirmed this to be a problem in Windows NT version 4.0. This problem\r
was first corrected in Windows NT 4.0 Service Pack 4.\r
\r
Additional query words:\r
\r
======================================================================\r
Keywords          : kbWinNT400sp4fix \r
Issue type        : kbbug\r
\r
=============================================================================\r
"""


def test_init_refuses_an_article_whose_product_line_has_no_simulator_and_names_those_that_have(kb_root: Path) -> None:
    from kb.importer import build_record

    source = kb_root / "Q900201.TXT"
    source.write_bytes(NT_ARTICLE.encode("ascii"))
    dump_article(build_record(source), kb_root / "articles" / "Q900201.yaml")
    code, _, err = repro(kb_root, "init", "Q900201")
    assert code == 1 and err.count("\n") == 1
    assert "Q900201 is about Windows NT 4.0" in err and "kb simulates only Exchange Server 5.5" in err
    assert not (kb_root / "repro" / "Q900201.py").exists()
    assert load_article(kb_root / "articles" / "Q900201.yaml").repro is None
