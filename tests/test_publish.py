"""Render and site build publish only valid records: hostile ids never become paths or links."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli import cli

PROJECT = Path(__file__).resolve().parents[1]
HOSTILE = PROJECT / "tests" / "fixtures" / "hostile" / "records"
GOOD = PROJECT / "articles" / "Q254893.yaml"


def run(*args: str) -> Result:
    """Invoke ``kb`` with stdout and stderr kept apart."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def kb_with(tmp_path: Path, *hostile: str) -> Path:
    """Return an articles folder holding Q254893 and the named hostile records."""
    folder = tmp_path / "kb" / "articles"
    folder.mkdir(parents=True)
    shutil.copy2(GOOD, folder / GOOD.name)
    for name in hostile:
        shutil.copy2(HOSTILE / name, folder / name)
    return folder


@pytest.mark.parametrize("name", ["id-traversal.yaml", "id-javascript.yaml", "id-arabic-digits.yaml",
                                  "date-impossible.yaml", "status-kind-list.yaml", "body-tail-blanks.yaml",
                                  "download-javascript-url.yaml"])
def test_render_refuses_an_invalid_record_with_one_located_line_and_renders_the_rest(tmp_path: Path, name: str) -> None:
    folder = kb_with(tmp_path, name)
    out = tmp_path / "kb" / "out"
    result = run("render", str(folder / name), str(folder / "Q254893.yaml"), "--format", "md", "--out", str(out))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith(str(folder / name) + ":")]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["Q254893.md"]
    assert not (tmp_path / "OUTSIDE.md").exists() and not list(tmp_path.rglob("OUTSIDE*"))


def test_site_build_publishes_no_page_and_no_link_for_an_invalid_record(tmp_path: Path) -> None:
    names = ["id-traversal.yaml", "id-javascript.yaml", "id-arabic-digits.yaml", "date-impossible.yaml",
             "status-kind-list.yaml"]
    folder = kb_with(tmp_path, *names)
    site = tmp_path / "kb" / "site"
    result = run("site", "build", str(folder), "--out", str(site), "--no-search")
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1
    for name in names:
        assert sum(1 for line in result.stderr.splitlines() if line.startswith(str(folder / name) + ":")) == 1
    assert (site / "Q254893" / "index.html").is_file()
    assert not list(tmp_path.rglob("OUTSIDE*"))
    assert "javascript:" not in (site / "index.html").read_text(encoding="utf-8")
    published = sorted(p.parent.name for p in site.glob("*/index.html") if p.parent.name.startswith("Q"))
    assert published == ["Q254893"]


def test_site_build_never_deletes_outside_the_site_for_an_id_in_an_old_manifest(tmp_path: Path) -> None:
    from kb.site.build import build_site
    from kb.site.manifest import Manifest

    folder = kb_with(tmp_path)
    site = tmp_path / "kb" / "site"
    assert build_site(folder, site, search=False).errors == []
    victim = tmp_path / "OUTSIDE" / "index.html"
    victim.parent.mkdir()
    victim.write_text("keep me")
    manifest = Manifest.load(site)
    (record,) = manifest.records.values()
    summary = dict(record.summary, id="../../OUTSIDE")
    manifest.records["Q999999.yaml"] = record._replace(summary=summary)
    manifest.save(site)
    report = build_site(folder, site, search=False)
    assert report.errors == []
    assert victim.read_text() == "keep me"


def test_verify_reports_an_impossible_date_as_one_located_line(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy2(HOSTILE / "date-impossible.yaml", folder / "Q254893.yaml")
    result = CliRunner().invoke(cli, ["verify", "--articles", str(folder), "--no-cache"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{folder / 'Q254893.yaml'}:4: date: invalid date '2001-02-30'" in result.output
    assert result.exit_code != 0
