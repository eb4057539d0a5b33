"""kb.stats on the whole shared corpus: the issue's accuracy targets, end to end."""

from __future__ import annotations

from pathlib import Path

from corpus_location import is_shared_corpus

from kb.stats import collect_stats


def test_the_corpus_meets_the_agreement_and_concrete_fixed_targets(corpus: Path) -> None:
    document, diagnostics = collect_stats([corpus], jobs=2)
    assert diagnostics == []
    assert document["articles"] == sum(1 for p in corpus.rglob("*") if p.suffix.lower() == ".txt")
    # The targets were set on the shared corpus; another corpus ($KB_CORPUS, e.g. the whole
    # archive, 98.34 % before the version-line keyword fixes) is held to the archive's floor.
    shared = is_shared_corpus(corpus)
    assert document["agreement"]["comparable"] > (600 if shared else 0)
    assert document["agreement"]["rate"] >= (0.99 if shared else 0.98)
    assert document["concrete_fixed"]["eligible"] > (600 if shared else 0)
    assert document["concrete_fixed"]["rate"] >= 0.98
    assert sum(document["kinds"].values()) == document["articles"]
