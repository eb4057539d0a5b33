"""The consistency lint: STATUS text against fix keywords, with both locations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.status import extract_status
from kb.status.lint import compare, lint_status, lint_status_record

from status_helpers import make_article  # type: ignore[import-not-found]

SP4_TEXT = (
    "Microsoft has confirmed this to be a problem in Microsoft Exchange Server\n"
    "version 5.5 Service Pack 2. This problem was first corrected in Exchange Server\n"
    "5.5 Service Pack 4.\n"
)


@dataclass
class _Locator:
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def line(self, where: tuple[Any, ...]) -> int | None:
        return self.lines.get(tuple(where))


@dataclass
class _Context:
    path: str
    record: dict[str, Any]
    locator: _Locator = field(default_factory=_Locator)


def test_a_keyword_that_names_another_service_pack_is_a_warning_showing_both_lines() -> None:
    # Q230273: STATUS says SP4 while the keywords carry EXC55SP3Fix as well.
    status = extract_status(make_article(SP4_TEXT, keywords="exc55 EXC55SP3Fix kbExchange550sp4Fix"))
    diagnostics = list(lint_status(status, "Q230273.TXT"))
    assert len(diagnostics) == 1
    warning = diagnostics[0]
    assert (warning.severity, warning.code, warning.line) == ("warning", "status-keyword-mismatch", 60)
    assert "'EXC55SP3Fix' says 'Exchange Server 5.5 SP3'" in warning.message
    assert "STATUS (line 44) says first fixed in 'Exchange Server 5.5 SP4'" in warning.message


def test_agreeing_keywords_give_no_warning() -> None:
    status = extract_status(make_article(SP4_TEXT, keywords="kbExchange550preSP4fix kbExchange550sp4Fix"))
    assert list(lint_status(status, "x.TXT")) == []
    assert compare(status).agrees and compare(status).strictly_agrees


def test_agreement_needs_one_matching_keyword_strictness_needs_no_contradicting_one() -> None:
    both = compare(extract_status(make_article(SP4_TEXT, keywords="EXC55SP3Fix kbExchange550sp4Fix")))
    assert both.agrees and not both.strictly_agrees
    only_wrong = compare(extract_status(make_article(SP4_TEXT, keywords="EXC55SP3Fix")))
    assert not only_wrong.agrees and only_wrong.unmatched_lines == ("Exchange Server 5.5",)


def test_keywords_of_another_product_line_are_not_compared() -> None:
    status = extract_status(make_article(SP4_TEXT, keywords="kbExchange2000SP1Fix"))
    assert not compare(status).comparable
    assert list(lint_status(status, "x.TXT")) == []


def test_a_keyword_only_fix_is_not_compared_with_itself() -> None:
    status = extract_status(make_article("Microsoft has confirmed this to be a problem in Exchange Server 5.5.",
                                         keywords="exc55sp2fix"))
    assert status["fixed_source"] == "keyword"
    assert not compare(status).comparable


def test_an_unknown_product_is_a_warning() -> None:
    status = extract_status(make_article("This has been fixed in Mailbox Cleanup Agent Version 1.4.\n"))
    codes = [d.code for d in lint_status(status, "x.TXT")]
    assert codes == ["status-unknown-release"]


def test_the_record_lint_points_at_the_keyword_entry_in_the_yaml_file() -> None:
    status = extract_status(make_article(SP4_TEXT, keywords="EXC55SP3Fix kbExchange550sp4Fix"))
    ctx = _Context("articles/Q230273.yaml", {"status": status}, _Locator({("status", "keywords", 0): 88}))
    diagnostics = list(lint_status_record(ctx))
    assert [(d.line, d.field, d.severity) for d in diagnostics] == [(88, "status.keywords.0", "warning")]
    assert "article line 60" in diagnostics[0].message and "article line 44" in diagnostics[0].message


def test_the_record_lint_rejects_a_release_outside_the_catalogue() -> None:
    ctx = _Context("a.yaml", {"status": {"kind": "fixed", "affected": [], "fixed": "Exchange Server 5.5 SP9",
                                         "keywords": [], "evidence": []}})
    diagnostics = list(lint_status_record(ctx))
    assert [(d.severity, d.code) for d in diagnostics] == [("error", "status-release")]
    assert "'Exchange Server 5.5 SP9'" in diagnostics[0].message


def test_a_record_without_status_is_not_linted() -> None:
    assert list(lint_status_record(_Context("a.yaml", {"status": None}))) == []
