"""The whole shared corpus: import, validate, reload to the same record, render back byte for byte."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from corpus_location import is_shared_corpus

from kb.importer import discover, import_files
from kb.schema import validate_paths
from kb.store import article_of, loads, read_text, record_of
from kb.text import parse, write


def _check(pair: tuple[str, str]) -> str | None:
    """Return a problem unless the stored record reloads to the parser's record and gives the bytes back."""
    source, record_path = pair
    data = Path(source).read_bytes()
    expected = record_of(parse(data, source))
    loaded = loads(read_text(record_path), record_path)
    if {**loaded, "status": None} != {**expected, "status": None}:
        changed = sorted(k for k in expected if k != "status" and loaded.get(k) != expected[k])
        return f"{record_path}: reloads differently from the parsed record in {changed}"
    if write(article_of(loaded)) != data:
        return f"{record_path}: does not render back to {source}"
    return None


def test_every_corpus_file_imports_validates_and_round_trips(corpus: Path, tmp_path: Path) -> None:
    files, problems = discover([corpus])
    assert problems == [] and len(files) == sum(1 for p in corpus.rglob("*") if p.suffix.lower() == ".txt")
    if is_shared_corpus(corpus):
        assert len(files) >= 6900

    report = import_files(files, tmp_path, jobs=2)
    assert [d.format() for d in report.failures] == []
    assert len(report.imported) == len(files)

    count, diagnostics = validate_paths([tmp_path], jobs=2)
    assert count == len(files)
    assert [d.format() for d in diagnostics if d.severity == "error"] == []

    pairs = [(o.source, str(tmp_path / f"{o.id}.yaml")) for o in report.imported]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        found = [p for p in pool.imap_unordered(_check, pairs, chunksize=64) if p]
    assert found == []
