"""The repro scripts of the issue 15 articles on the release matrix and on their documented builds.

Each shows its symptom exactly where the component builds carry the behaviour, and its negative
control stays clean everywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.repro.loader import load_run

REPRO = Path(__file__).resolve().parents[2] / "repro"
RTM, SP1, SP2, SP3, SP4 = ("Exchange Server 5.5", "Exchange Server 5.5 SP1", "Exchange Server 5.5 SP2",
                           "Exchange Server 5.5 SP3", "Exchange Server 5.5 SP4")
SP3_STORE_FIX = "Exchange Server 5.5 SP3 + Store.exe 5.5.2652.17"

SYMPTOM_ON = {
    "Q250441": {RTM, SP1, SP2, SP3, SP3_STORE_FIX},
    "Q265727": {RTM, SP1, SP2, SP3, SP3_STORE_FIX},
    "Q247255": {SP3},
    "Q274403": set(),
    "Q214682": {RTM, SP1, SP2},
    "Q231748": {RTM, SP1, SP2},
    "Q235219": {RTM, SP1, SP2},
    "Q230331": {RTM, SP1, SP2},
    "Q258704": {RTM, SP1, SP2, SP3, SP3_STORE_FIX},
    "Q258705": {RTM, SP1, SP2, SP3, SP3_STORE_FIX},
}
CONTROLS = {
    "Q250441": ("control_complete_files", lambda e: e["delivered"] == 12 and not e["pickup_archive"]),
    "Q265727": ("control_dns_unchanged", lambda e: e["service_at_end"] == "running" and e["delivered"] == 1),
    "Q247255": ("control_mta_running", lambda e: len(e["delivered"]) == 3),
    "Q274403": ("control_no_import", lambda e: not e["backlog_after_2h"] and e["store_on_stop"] == "stopped"),
    "Q214682": ("control_within_timeout", lambda e: e["delivered"] and not e["ndrs"]),
    "Q231748": ("control_no_comment", lambda e: e["store"] == "running" and e["delivered"] == ["kato", "mchiba"]),
    "Q235219": ("control_short_series", lambda e: e["closing_line_delivered"]),
    "Q230331": ("control_with_initial", lambda e: e == "Jane.Q.Roe@contoso.com"),
    "Q258704": ("control_both_names", lambda e: e == "Lee.Ann@contoso.com"),
    "Q258705": ("control_both_names", lambda e: e == "Ann.Lee.alee@contoso.com"),
}
DOCUMENTED = [
    ("Q250441", "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39", False),
    ("Q265727", "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.39", True),
    ("Q265727", "Exchange Server 5.5 SP3 + Msexcimc.exe 5.5.2652.78", False),
    ("Q247255", "Exchange Server 5.5 SP2 + Store.exe 5.5.2642.0", True),
    ("Q247255", "Exchange Server 5.5 SP3 + Store.exe 5.5.2651.68", False),
    ("Q274403", "Exchange Server 5.5 SP3 + Store.exe 5.5.2653.7", True),
    ("Q274403", "Exchange Server 5.5 SP3 + Store.exe 5.5.2653.18", True),
    ("Q274403", "Exchange Server 5.5 SP3 + Store.exe 5.5.2653.22", False),
    ("Q214682", "Exchange Server 5.5 SP2 + Emsmta.exe 5.5.2534", False),
    ("Q231748", "Exchange Server 5.5 SP2 + Store.exe 5.5.2607.0", False),
    ("Q235219", "Exchange Server 5.5 SP2 + Store.exe 5.5.2637.0", False),
    ("Q230331", "Exchange Server 5.5 SP2 + Inproxy.dll 5.5.2596.0", False),
]


@pytest.mark.parametrize("article", sorted(SYMPTOM_ON))
def test_the_repro_shows_its_symptom_exactly_where_the_builds_carry_it(article: str, release: str) -> None:
    observation = load_run(REPRO / f"{article}.py")(release)
    assert observation.symptom == (release in SYMPTOM_ON[article])
    assert observation.transcript and observation.evidence
    key, clean = CONTROLS[article]
    assert clean(observation.evidence[key]), observation.evidence[key]


@pytest.mark.parametrize(("article", "release", "symptom"), DOCUMENTED)
def test_the_documented_hotfix_builds_decide_the_symptom(article: str, release: str, symptom: bool) -> None:
    assert load_run(REPRO / f"{article}.py")(release).symptom is symptom
