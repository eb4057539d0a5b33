"""Conformance rows for the modelled article bugs: each repro shows no symptom except on its builds.

Each row's conforming behaviour is what the fixed builds do (the repro observes no symptom); its
deviation is the article's, stated with the component thresholds the simulator switches on, so
every base release and every hotfix overlay of the catalogue is judged, not only the releases an
article's status names.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

from sim_conformance import RELEASES, Deviation, Row, judge, row_id
from kb.sim import ComponentBuilds
from kb.sim.imail import STORE_DROPS_ILLEGAL_MAC_ATTRIBUTES, STORE_KEEPS_ADDRESS_PARSE_ERROR, STORE_READS_MAC_ATTRIBUTES
from kb.sim.ims.addressing import IMS_TRIMS_RECIPIENT_DOMAIN
from kb.sim.ims.inbound import IMS_REPORTS_RECIPIENT_LIMIT
from kb.sim.ims.mtsid import IMS_READS_X400_FIELDS_IN_ANY_CASE
from kb.sim.ims.ndr import IMS_DISTINCT_ADDRESS_FAILURE_CODES
from kb.sim.ims.outbound import (IMS_ALLOWS_AUTO_FORWARDS, IMS_COMPARES_SIZES_IN_BYTES,
                                 IMS_CONVERTS_DOMAIN_LIMIT_TO_BYTES, IMS_READS_AUTO_FORWARDED_VALUE,
                                 IMS_SPLITS_PROPERTY_FETCH)
from kb.sim.ims.recipients import IMS_GATES_ANY_ENCAPSULATION, IMS_GATES_CANONICAL_ENCAPSULATION, IMS_POSTMASTER_EXACT
from kb.sim.ims.smtp_out import IMS_PER_RECIPIENT_STORAGE_REPLY
from kb.sim.report import STORE_NORMALISES_REPORT_ROWS, STORE_REMATCHES_REREPORTED_ROWS_BY_ADDRESS
from kb.sim.store import STORE_TOLERATES_AMBIGUOUS_ORIGINATOR

REPRO = Path(__file__).resolve().parents[3] / "repro"


def _load(article: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"conformance_repro_{article}", REPRO / f"{article}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def no_symptom(article: str) -> Callable[[str], None]:
    """Return a check that the article's repro observes no symptom on a release."""

    def check(release: str) -> None:
        observation = _load(article).run(release)
        assert observation.symptom is False, f"{article} symptom on {release}"

    return check


# (article, conforming behaviour, its source, builds that deviate, why)
BUGS: list[tuple[str, str, str, Callable[[ComponentBuilds], bool], str]] = [
    ("Q192939", "a message that is not auto-forwarded passes 'disable auto replies'", "MAPI PR_AUTO_FORWARDED value",
     lambda b: b.ims < IMS_READS_AUTO_FORWARDED_VALUE, "the IMS takes the property's presence for TRUE"),
    ("Q192982", "an auto-forward is sent when AlwaysAllowForwarding is 1", "Q192982 (fixed IMS)",
     lambda b: b.ims < IMS_ALLOWS_AUTO_FORWARDS, "the IMS cannot tell an auto-forward from an auto-reply"),
    ("Q193639", "a message with large properties leaves without stopping the IMS", "Q193639 (fixed IMS)",
     lambda b: b.ims < IMS_SPLITS_PROPERTY_FETCH, "one property fetch over 32 KB stops the service"),
    ("Q193782", "a corrupted encapsulated address does not stop the IMS", "Q193782 (fixed store)",
     lambda b: b.store < STORE_KEEPS_ADDRESS_PARSE_ERROR, "the store reports out of memory (IS 12800, IMS 4182)"),
    ("Q201904", "an ambiguous originator with ResolveP2 is delivered", "Q201904 (fixed store)",
     lambda b: b.store < STORE_TOLERATES_AMBIGUOUS_ORIGINATOR, "the store fails the submit (IS 12004, IMS 4117)"),
    ("Q217195", "notifications follow the Notifications settings", "Q217195 (fixed IMS)",
     lambda b: b.ims < IMS_DISTINCT_ADDRESS_FAILURE_CODES, "address failures carry host-unknown codes"),
    ("Q228998", "a per-domain route matches a domain typed with a trailing blank", "RFC 5321 §2.3.5; Q228998",
     lambda b: b.ims < IMS_TRIMS_RECIPIENT_DOMAIN, "the IMS keeps the blank, so the route does not match"),
    ("Q237927", "an IMCEASMTP- address at a local domain is judged as relaying", "Q237927 (fixed IMS)",
     lambda b: b.ims < IMS_GATES_CANONICAL_ENCAPSULATION, "the relay gate sees only the local domain"),
    ("Q240788", "the per-domain size limit is compared in kilobytes", "Q240788 (fixed IMS)",
     lambda b: IMS_COMPARES_SIZES_IN_BYTES <= b.ims < IMS_CONVERTS_DOMAIN_LIMIT_TO_BYTES,
     "the post-SP2 hotfixes take the KB figure as bytes"),
    ("Q245041", "only the whole word 'postmaster' reaches the postmaster", "RFC 5321 §4.5.1; Q245041",
     lambda b: b.ims < IMS_POSTMASTER_EXACT, "any prefix of 'postmaster' matches"),
    ("Q246051", "an inbound message over Max Recipients on Submit is reported to its sender", "Q246051 (fixed IMS)",
     lambda b: b.ims < IMS_REPORTS_RECIPIENT_LIMIT, "4117 and archive, the sender hears nothing"),
    ("Q252624", "an illegal x-mac-type does not stop delivery", "Q252624 (fixed store)",
     lambda b: STORE_READS_MAC_ATTRIBUTES <= b.store < STORE_DROPS_ILLEGAL_MAC_ATTRIBUTES,
     "the SP3 store rejects the message (IS 12006, IMS 4117)"),
    ("Q253619", "an administrator X.400 address in any case gives a valid MTS-ID", "Q253619 (fixed IMS)",
     lambda b: b.ims < IMS_READS_X400_FIELDS_IN_ANY_CASE, "lower-case fields are not read; MTA 3150, mail lost"),
    ("Q254893", "Send Again to a still-unreachable one-off gives a second NDR", "Q159601; Q254893",
     lambda b: STORE_REMATCHES_REREPORTED_ROWS_BY_ADDRESS <= b.store < STORE_NORMALISES_REPORT_ROWS
     and b.ims >= IMS_TRIMS_RECIPIENT_DOMAIN,
     "the SP3 store rematches by the untrimmed address: 4120, no NDR"),
    ("Q260741", "a 552 to one RCPT fails only that recipient", "RFC 5321 §4.2.2; Q260741",
     lambda b: b.ims < IMS_PER_RECIPIENT_STORAGE_REPLY, "the 552 fails the whole batch"),
    ("Q264330", "a loose IMCEA address at a local domain is judged as relaying", "Q264330 (fixed IMS)",
     lambda b: b.ims < IMS_GATES_ANY_ENCAPSULATION, "the relay gate misses the loose form"),
]

ROWS = [Row(f"{article} {sentence}", source, no_symptom(article), (Deviation(article, builds, why),))
        for article, sentence, source, builds, why in BUGS]


def test_every_article_row_runs_a_repro_of_the_project() -> None:
    assert {article for article, *_ in BUGS} <= {p.stem for p in REPRO.glob("Q*.py")}


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_each_modelled_bug_shows_exactly_on_the_builds_its_article_documents(row: Row, release: str) -> None:
    judge(row, release)
