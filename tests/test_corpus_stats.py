"""kb.stats on the whole shared corpus: the issue's accuracy targets, end to end."""

from __future__ import annotations

from pathlib import Path

from kb.stats import collect_stats


def test_the_corpus_meets_the_agreement_and_concrete_fixed_targets(corpus: Path) -> None:
    document, diagnostics = collect_stats([corpus], jobs=2)
    assert diagnostics == []
    assert document["articles"] == sum(1 for _ in corpus.glob("*/*.TXT"))
    assert document["agreement"]["comparable"] > 600
    assert document["agreement"]["rate"] >= 0.99
    assert document["concrete_fixed"]["eligible"] > 600
    assert document["concrete_fixed"]["rate"] >= 0.98
    assert sum(document["kinds"].values()) == document["articles"]
