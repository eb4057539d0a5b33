"""The compiled record cache (kb/record_cache.py): hits, edits, damage, deletions, parallel loads."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kb.store
from kb import record_cache
from kb.cli import cli
from kb.exceptions import SchemaError
from kb.publish import load_publishable
from kb.store import load_all, load_source

PROJECT = Path(__file__).resolve().parents[1]
SHIPPED = PROJECT / "articles" / "Q254893.yaml"


def make_kb(root: Path, count: int = 1) -> Path:
    """Return a kb root holding the shipped Q254893 and ``count - 1`` copies under other ids and titles."""
    articles = root / "articles"
    articles.mkdir(parents=True)
    text = SHIPPED.read_text(encoding="utf-8")
    shutil.copy(SHIPPED, articles)
    for n in range(1, count):
        new_id = f"Q9{n:05d}"
        copy = re.sub(r"^id: Q\d+$", f"id: {new_id}", text, count=1, flags=re.M)
        copy = copy.replace("Does Not Generate the NDR", f"Does Not Generate NDR number {n}", 1)
        (articles / f"{new_id}.yaml").write_text(copy, encoding="utf-8")
    return root


def cache_files(root: Path) -> list[Path]:
    """Return the files of the record cache of ``root``."""
    return sorted(p for p in record_cache.cache_folder(root).rglob("*") if p.is_file() and p.name != ".lock")


@pytest.fixture(autouse=True)
def closed_caches():
    """Close this process's caches after each test (each test's knowledge base is its own)."""
    yield
    for root in list(record_cache._OPEN):
        record_cache.forget(Path(root))


def test_a_record_loaded_twice_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb(tmp_path)
    path = root / "articles" / "Q254893.yaml"
    first = load_source(path).record
    article = load_publishable(path)

    def refuse(text: str, path: str, loader: object = None) -> dict:
        raise AssertionError("parsed again")

    monkeypatch.setattr(kb.store, "loads", refuse)
    assert load_source(path).record == first
    assert load_publishable(path) == article
    assert cache_files(root), "nothing was written under .kb/cache"


def test_a_hit_hands_out_a_fresh_copy_the_caller_may_change(tmp_path: Path) -> None:
    path = make_kb(tmp_path) / "articles" / "Q254893.yaml"
    load_source(path).record["title"] = "changed by a caller"
    assert load_source(path).record["title"] == "Internet Mail Service Does Not Generate the NDR"
    load_source(path).record["title"] = "changed again"
    assert load_source(path).record["title"] == "Internet Mail Service Does Not Generate the NDR"


def test_a_record_edited_with_its_size_and_mtime_kept_is_read_again(tmp_path: Path) -> None:
    path = make_kb(tmp_path) / "articles" / "Q254893.yaml"
    assert load_publishable(path).title == "Internet Mail Service Does Not Generate the NDR"
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Does Not Generate the NDR", "Does Not Generate the DSN"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert load_publishable(path).title == "Internet Mail Service Does Not Generate the DSN"


def test_a_record_that_fails_the_publish_check_fails_again_when_cached(tmp_path: Path) -> None:
    path = make_kb(tmp_path) / "articles" / "Q254893.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("date: '2001-06-01'", "date: '2001-02-30'"),
                    encoding="utf-8")
    for _ in range(3):
        with pytest.raises(SchemaError, match=r"Q254893.yaml:4: date: invalid date '2001-02-30'"):
            load_publishable(path)
    assert load_source(path).record["date"] == "2001-02-30"  # the parsed record itself is cached


@pytest.mark.parametrize("damage", ["garbage", "flipped byte", "truncated", "empty"])
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path, damage: str) -> None:
    root = make_kb(tmp_path, 3)
    expected = [article for _, article, _ in load_all(root / "articles", jobs=1)]
    record_cache.compact(root)
    (pack,) = [p for p in cache_files(root) if p.suffix == ".kbp"]
    data = pack.read_bytes()
    if damage == "garbage":
        pack.write_bytes(os.urandom(len(data)))
    elif damage == "flipped byte":
        middle = len(data) // 3  # inside an entry: its checksum no longer matches
        pack.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    elif damage == "truncated":
        pack.write_bytes(data[: len(data) // 2])
    else:
        pack.write_bytes(b"")
    record_cache.forget(root)
    assert [article for _, article, _ in load_all(root / "articles", jobs=1)] == expected
    record_cache.compact(root)
    assert pack not in cache_files(root)
    record_cache.forget(root)
    assert [article for _, article, _ in load_all(root / "articles", jobs=1)] == expected


def test_a_torn_last_log_frame_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb(tmp_path, 2)
    first, second = sorted((root / "articles").iterdir())
    load_source(first)
    load_source(second)
    record_cache.forget(root)
    (log,) = [p for p in cache_files(root) if p.suffix == ".kbl"]
    log.write_bytes(log.read_bytes()[:-100])  # the writer died in the middle of its second entry
    parsed: list[str] = []
    real = kb.store.loads

    def counting(text: str, path: str, loader: object = None) -> dict:
        parsed.append(Path(path).name)
        return real(text, path)

    monkeypatch.setattr(kb.store, "loads", counting)
    assert load_source(first).record["id"] == "Q254893"
    assert load_source(second).record["id"] == "Q900001"
    assert parsed == [second.name]


def test_a_deleted_record_disappears_from_the_results_and_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb(tmp_path, 3)
    runner = CliRunner()
    monkeypatch.chdir(root)
    assert runner.invoke(cli, ["index"]).exit_code == 0
    assert '"Q900002"' in runner.invoke(cli, ["search", "NDR number 2", "--json"]).stdout
    (root / "articles" / "Q900002.yaml").unlink()
    assert runner.invoke(cli, ["index"]).exit_code == 0
    assert '"Q900002"' not in runner.invoke(cli, ["search", "NDR number 2", "--json"]).stdout
    (pack,) = [p for p in cache_files(root) if p.suffix == ".kbp"]
    assert b"Q900002.yaml" not in pack.read_bytes() and b"Q900001.yaml" in pack.read_bytes()


def test_a_log_still_locked_by_its_writer_is_not_merged(tmp_path: Path) -> None:
    import fcntl

    root = make_kb(tmp_path, 2)
    load_source(root / "articles" / "Q254893.yaml")
    (log,) = [p for p in cache_files(root) if p.suffix == ".kbl"]
    record_cache.forget(root)
    writer = os.open(log, os.O_RDWR)
    try:
        fcntl.flock(writer, fcntl.LOCK_SH)  # as a running writer (another process) holds it
        record_cache.compact(root)
        assert log in cache_files(root)
    finally:
        os.close(writer)
    record_cache.compact(root)
    assert log not in cache_files(root)


def test_markdown_and_yaml_records_share_one_cache(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    md = root / "articles" / "Q900001.md"
    md.write_text("---\nid: Q900001\ntitle: A Markdown article\nproduct: Exchange Server 5.5\n"
                  "date: 2026-12-04\n---\n\n## Symptoms\n\nNo NDR.\n", encoding="utf-8")
    load_source(md)
    load_source(root / "articles" / "Q254893.yaml")
    folders = {p.parent for p in cache_files(root)}
    assert len(folders) == 1 and record_cache.cache_folder(root) in next(iter(folders)).parents


def test_a_read_only_knowledge_base_loads_without_a_cache(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    record_cache.cache_folder(root).parent.mkdir()
    record_cache.cache_folder(root).write_text("not a folder")  # nothing can be written under it
    assert load_publishable(root / "articles" / "Q254893.yaml").id == "Q254893"
    assert load_publishable(root / "articles" / "Q254893.yaml").id == "Q254893"


def test_records_outside_an_articles_folder_are_not_cached(tmp_path: Path) -> None:
    shutil.copy(SHIPPED, tmp_path)
    assert load_publishable(tmp_path / "Q254893.yaml").id == "Q254893"
    assert not (tmp_path / ".kb").exists() and not (tmp_path.parent / ".kb").exists()


def test_a_parallel_load_gives_the_articles_a_serial_load_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb(tmp_path, 12)
    (root / "articles" / "Q900005.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    serial = list(load_all(root / "articles", jobs=1))
    record_cache.clear(root)
    monkeypatch.setattr(kb.store, "_PARSE_CHUNK", 2)
    parallel = list(load_all(root / "articles", jobs=2))
    assert parallel == serial
    assert [error for _, _, error in serial if error] == [
        f"{root / 'articles' / 'Q900005.yaml'}:2: invalid YAML: did not find expected ',' or ']'"]
    logs = [p for p in cache_files(root) if p.suffix == ".kbl"]
    assert len(logs) >= 2, "the workers did not parse"
