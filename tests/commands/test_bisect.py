"""kb bisect: the last release with the symptom, the first without, and the build that removed it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from kb.store import dump_article, load_article

SP3, SP4 = "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4"


def bisect(root: Path, article: str, *args: str) -> tuple[int, str, str]:
    """Run kb bisect in ``root``; return exit code, stdout and stderr."""
    result = CliRunner().invoke(cli, ["bisect", article, "--articles", str(root / "articles"), "--jobs", "2", *args])
    return result.exit_code, result.stdout, result.stderr


def test_q254893_bisects_to_sp4_and_names_store_exe_5_5_2652_17(kb_root: Path) -> None:
    code, out, err = bisect(kb_root, "Q254893", "--json")
    assert code == 0, err
    (line,) = json.loads(out)["lines"]
    assert (line["last_symptom"], line["first_clean"], line["documented_fixed"], line["agrees"]) == (
        SP3, SP4, SP4, True)
    assert line["fixed_by"] == [{"build": "5.5.2652.17", "component": "store", "file": "Store.exe",
                                 "overlay": f"{SP3} + Store.exe 5.5.2652.17"}]
    ims = [o for o in line["overlays"] if o["component"] == "ims"]
    assert ims and {o["observed"] for o in ims} == {"symptom"}  # no IMS hotfix removes it


def test_the_human_report_names_the_releases_and_the_component_build(kb_root: Path) -> None:
    code, out, err = bisect(kb_root, "Q254893")
    assert code == 0, out + err
    assert f"last release with the symptom: {SP3}" in out
    assert f"first release without it:      {SP4}" in out
    assert f"documented first fixed:        {SP4} (agrees)" in out
    assert "removed by component build:    Store.exe 5.5.2652.17" in out


def test_a_record_claiming_the_wrong_first_fixed_release_disagrees_and_exits_1(kb_root: Path) -> None:
    path = kb_root / "articles" / "Q254893.yaml"
    article = load_article(path)
    article.status = {**article.status, "affected": ["Exchange Server 5.5 SP2"], "fixed": SP3}
    dump_article(article, path)
    code, out, _ = bisect(kb_root, "Q254893", "--json")
    assert code == 1
    (line,) = json.loads(out)["lines"]
    assert (line["first_clean"], line["documented_fixed"], line["agrees"]) == (SP4, SP3, False)


def test_the_candidate_builds_come_from_the_catalogue_not_the_article(kb_root: Path) -> None:
    code, out, _ = bisect(kb_root, "Q900001", "--json")
    assert code == 0
    (line,) = json.loads(out)["lines"]
    # Every hotfix build the catalogue lists after SP3, in catalogue order (read, not typed, so a
    # catalogue entry added for another article does not break this test).
    from kb.releases import load_catalogue
    from kb.verify.bisect import component_files

    files = component_files()
    expected = [f"{SP3} + {files[h.component]} {h.build}"
                for h in load_catalogue().line_of(SP3).hotfixes if h.after == SP3 and h.component in files]
    assert f"{SP3} + Store.exe 5.5.2652.17" in expected and len(expected) >= 5
    assert [o["release"] for o in line["overlays"]] == expected
    assert [f["overlay"] for f in line["fixed_by"]] == [f"{SP3} + Store.exe 5.5.2652.17"]


def test_a_repro_that_never_shows_the_symptom_finds_no_fix_and_exits_1(kb_root: Path) -> None:
    code, out, _ = bisect(kb_root, "Q900002")
    assert code == 1
    assert "the repro showed the symptom on no release of this line" in out


def test_a_crashing_repro_exits_2_and_names_the_error(kb_root: Path) -> None:
    code, out, _ = bisect(kb_root, "Q900004")
    assert code == 2
    assert "raised RuntimeError" in out


def test_an_article_without_a_repro_is_a_one_line_error(kb_root: Path) -> None:
    code, _, err = bisect(kb_root, "Q900007")
    assert code == 2
    assert "Q900007 links no repro" in err and "Traceback" not in err


def test_a_bug_only_a_hotfix_overlay_has_is_bracketed_by_that_overlay_and_the_next_release(kb_root: Path) -> None:
    code, out, err = bisect(kb_root, "Q900008", "--json")
    assert code == 0, out + err
    (line,) = json.loads(out)["lines"]
    sp2 = "Exchange Server 5.5 SP2"
    assert (line["last_symptom"], line["first_clean"], line["agrees"]) == (
        f"{sp2} + Msexcimc.exe 5.5.2607.0", SP3, True)
    assert [f["overlay"] for f in line["fixed_by"]] == [f"{sp2} + Msexcimc.exe 5.5.2650.21"]
    assert "only with a hotfix overlay" in line["note"]


def test_verify_accepts_a_hotfix_only_article_whose_record_restates_the_plain_release(kb_root: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", "Q900008", "--json", "--articles", str(kb_root / "articles")])
    assert result.exit_code == 0, result.stdout
    results = {r["release"]: r for r in json.loads(result.stdout)["articles"][0]["results"]}
    assert results["Exchange Server 5.5 SP2"]["verdict"] == "unknown"
    assert results["Exchange Server 5.5 SP2 + Msexcimc.exe 5.5.2607.0"]["verdict"] == "pass"
    assert results[SP3]["verdict"] == "pass"


def test_progress_counts_every_run_once_across_all_product_lines(kb_root: Path) -> None:
    from kb.verify.bisect import bisect_article
    from kb.repro.targets import load_target

    path = kb_root / "articles" / "Q900002.yaml"
    article = load_article(path)
    article.status = {**(article.status or {}), "affected": ["Exchange Server 5.0", SP3], "fixed": SP4}
    dump_article(article, path)
    seen: list[tuple[int, int]] = []
    bisection = bisect_article(load_target(path), kb_root, jobs=2,
                               progress=lambda done, total, release, observed: seen.append((done, total)))
    runs = sum(len(line.releases) + len(line.overlays) for line in bisection.lines)
    assert len(bisection.lines) == 2
    assert [done for done, _ in seen] == list(range(1, runs + 1))
    assert all(done <= total for done, total in seen) and seen[-1] == (runs, runs)
    assert seen[0][1] == sum(len(line.releases) for line in bisection.lines)  # every line's releases up front
