"""kb repro init as a library call: the script carries the claim and is linked from the record."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.repro.scaffold import ScaffoldError, scaffold_repro
from kb.store import load_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "verify"


@pytest.fixture
def record(tmp_path: Path) -> Path:
    """Return a copy of the fixture article that has no repro yet."""
    (tmp_path / "articles").mkdir()
    return Path(shutil.copy(FIXTURES / "articles" / "Q900007.yaml", tmp_path / "articles"))


def test_the_scaffold_lists_affected_fixed_and_unjudged_releases(record: Path) -> None:
    scaffold = scaffold_repro(record, record.parent.parent)
    assert (scaffold.affected, scaffold.fixed) == (["Exchange Server 5.5 SP3"], ["Exchange Server 5.5 SP4"])
    assert scaffold.unknown == ["Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2"]
    assert scaffold.script == record.parent.parent / "repro" / "Q900007.py"


def test_the_record_keeps_everything_else_when_the_repro_is_linked(record: Path) -> None:
    before = load_article(record)
    scaffold_repro(record, record.parent.parent)
    after = load_article(record)
    assert after.repro == {"script": "repro/Q900007.py", "releases": []}
    after.repro = None
    assert after == before


def test_an_existing_script_is_not_overwritten(record: Path) -> None:
    scaffold_repro(record, record.parent.parent)
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold_repro(record, record.parent.parent)


def test_link_only_links_a_hand_written_script_and_leaves_it_unchanged(record: Path) -> None:
    script = record.parent.parent / "repro" / "Q900007.py"
    script.parent.mkdir()
    script.write_text("# written by hand\n")
    scaffold = scaffold_repro(record, record.parent.parent, link_only=True)
    assert scaffold.written is False
    assert script.read_text() == "# written by hand\n"
    assert load_article(record).repro == {"script": "repro/Q900007.py", "releases": []}


def test_link_only_without_a_script_is_an_error(record: Path) -> None:
    with pytest.raises(ScaffoldError, match="no such repro script"):
        scaffold_repro(record, record.parent.parent, link_only=True)
    assert load_article(record).repro is None


def test_a_scaffold_replaces_a_not_reproducible_judgement(record: Path) -> None:
    text = record.read_text(encoding="utf-8")
    assert "\nrepro: null\n" in text
    record.write_text(text.replace("\nrepro: null\n", "\nrepro:\n  status: not-reproducible\n  why: no model\n"),
                      encoding="utf-8")
    assert load_article(record).repro == {"status": "not-reproducible", "why": "no model"}
    scaffold_repro(record, record.parent.parent)
    assert load_article(record).repro == {"script": "repro/Q900007.py", "releases": []}
