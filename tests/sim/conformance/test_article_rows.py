"""Conformance rows for the modelled article bugs: each repro shows no symptom except on its builds.

Each row's conforming behaviour is what the fixed builds do (the repro observes no symptom); its
deviation is the article's, stated with the component thresholds the simulator switches on, so
every base release and every hotfix overlay of the catalogue is judged, not only the releases an
article's status names.
"""

from __future__ import annotations


import pytest

from sim_conformance import BUGS, RELEASES, Deviation, Row, REPRO, judge, no_symptom, row_id


ROWS = [Row(f"{article} {sentence}", source, no_symptom(article), (Deviation(article, builds, why),))
        for article, sentence, source, builds, why in BUGS]


def test_every_article_row_runs_a_repro_of_the_project() -> None:
    assert {article for article, *_ in BUGS} <= {p.stem for p in REPRO.glob("Q*.py")}


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_each_modelled_bug_shows_exactly_on_the_builds_its_article_documents(row: Row, release: str) -> None:
    judge(row, release)
