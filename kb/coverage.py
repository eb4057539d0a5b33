"""Proof coverage: which articles could be reproduced, which are, and which cannot be.

One classification serves ``kb coverage`` and the site ("N of M candidate articles proven"):
``facts_of`` reads the few facts of a record that decide it (is it a candidate, does it link a
repro or a not-reproducible judgement), and ``state_of`` joins them with the article's last
``kb verify`` results. What the simulator covers is data, ``kb/coverage.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import yaml

from kb.exceptions import ConfigError, KbError, NotFoundError
from kb.resources import data_path

#: Per-article states, in the order reports list them.
PROVEN = "proven"
FAILING = "failing"
UNPROVEN = "unproven"  # a repro exists, but the last results do not prove both sides
NOT_REPRODUCIBLE = "not-reproducible"
OPEN = "open"  # a candidate nobody has written a repro for yet
STATES: tuple[str, ...] = (PROVEN, FAILING, UNPROVEN, NOT_REPRODUCIBLE, OPEN)

#: Verdicts that count against an article (a crash proves nothing either).
_BAD_VERDICTS = {"fail", "flaky", "error", "timeout"}


@dataclass(frozen=True)
class Scope:
    """What the simulator covers: the status an article needs and the words that place it."""

    status_kinds: tuple[str, ...]
    fixed_source: str | None
    sections: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    def names_component(self, texts: Iterable[str]) -> bool:
        """Return True when any text matches any pattern."""
        return any(p.search(text) for text in texts for p in self.patterns)


def _scope_of(document: Any, path: str) -> Scope:
    """Return the scope in a parsed ``coverage.yaml``; raise ConfigError naming the bad key."""
    if not isinstance(document, dict):
        raise ConfigError(path, 1, "expected a mapping with status_kinds, fixed_source, sections, patterns")

    def strings(key: str) -> tuple[str, ...]:
        value = document.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(path, None, f"{key}: got {value!r}, expected a list of strings")
        return tuple(value)

    patterns = []
    for text in strings("patterns"):
        try:
            patterns.append(re.compile(text))
        except re.error as error:
            raise ConfigError(path, None, f"patterns: {text!r} is not a regular expression: {error}") from None
    source = document.get("fixed_source")
    return Scope(strings("status_kinds"), source if isinstance(source, str) else None,
                 tuple(s.upper() for s in strings("sections")), tuple(patterns))


@cache
def load_scope() -> Scope:
    """Return the simulator's scope from ``kb/coverage.yaml`` (the one place it is kept)."""
    path = data_path("coverage.yaml")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(str(path), None, f"cannot read the coverage scope: {error}") from None
    return _scope_of(document, str(path))


@cache
def simulable(release: str) -> bool:
    """Return True when the simulator can run ``release`` (every component build is known)."""
    from kb.sim.core.builds import resolve

    try:
        resolve(release)
    except KbError:
        return False
    return True


def _names(value: Any) -> tuple[str, ...]:
    """Return a status field (str, list or None) as a tuple of names."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _overlays(repro: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Return (release, expect) of each ``repro.releases`` entry ("" when it states none)."""
    out = []
    for item in repro.get("releases") or []:
        if isinstance(item, str):
            match = re.match(r"^(.*?)\s*\(\s*expect\s+([^)]*?)\s*\)\s*$", item, re.IGNORECASE)
            out.append((match[1], match[2]) if match else (item.strip(), ""))
        elif isinstance(item, dict) and isinstance(item.get("release"), str):
            out.append((item["release"].strip(), str(item.get("expect") or "")))
    return tuple(out)


@dataclass(frozen=True)
class ArticleFacts:
    """What decides an article's coverage, small enough to keep in the site's manifest."""

    id: str
    title: str
    candidate: bool
    repro: str | None = None  # "script", "not-reproducible" or None
    why: str = ""
    affected: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    overlays: tuple[tuple[str, str], ...] = ()
    component: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with sorted keys."""
        return {"affected": list(self.affected), "candidate": self.candidate, "component": self.component,
                "fixed": list(self.fixed), "id": self.id, "overlays": [list(o) for o in self.overlays],
                "repro": self.repro, "title": self.title, "why": self.why}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ArticleFacts":
        """Return the facts ``to_json`` wrote."""
        return cls(id=data["id"], title=data.get("title", ""), candidate=bool(data.get("candidate")),
                   repro=data.get("repro"), why=data.get("why", ""),
                   affected=tuple(data.get("affected") or ()), fixed=tuple(data.get("fixed") or ()),
                   overlays=tuple((str(a), str(b)) for a, b in data.get("overlays") or ()),
                   component=data.get("component", ""))


def facts(article_id: str, title: str, status: dict[str, Any] | None, repro: dict[str, Any] | None,
          section_text: Callable[[str], str], scope: Scope | None = None) -> ArticleFacts:
    """Return the coverage facts of one article from its status, repro block and sections."""
    scope = scope or load_scope()
    status = status or {}
    repro = repro if isinstance(repro, dict) else {}
    if repro.get("status") == "not-reproducible":
        kind: str | None = "not-reproducible"
    else:
        kind = "script" if repro.get("script") else None
    fixed = _names(status.get("fixed"))
    concrete = (bool(fixed) and (not scope.status_kinds or status.get("kind") in scope.status_kinds)
                and (scope.fixed_source is None or status.get("fixed_source") == scope.fixed_source))
    candidate = concrete and any(simulable(name) for name in fixed) and (
        kind is not None or scope.names_component([title, *map(section_text, scope.sections)]))
    return ArticleFacts(
        id=article_id, title=title, candidate=candidate, repro=kind,
        why=str(repro.get("why") or "") if kind == "not-reproducible" else "",
        affected=_names(status.get("affected")), fixed=fixed, overlays=_overlays(repro),
        component=str(repro.get("component") or ""))


def facts_of(article: Any, scope: Scope | None = None) -> ArticleFacts:
    """Return the coverage facts of a loaded Article."""
    def section_text(name: str) -> str:
        section = article.section(name)
        return section.text if section is not None else ""

    title = getattr(article, "full_title", None) or article.title
    return facts(article.id, title, article.status, article.repro, section_text, scope)


def state_of(item: ArticleFacts, results: Sequence[dict[str, Any]]) -> str | None:
    """Return the article's coverage state from its facts and last verify results (None: neither
    a candidate nor linked to a repro)."""
    if item.repro == "not-reproducible":
        return NOT_REPRODUCIBLE
    if item.repro != "script":
        return OPEN if item.candidate else None
    verdicts = [(str(r.get("expected")), str(r.get("verdict"))) for r in results]
    if any(verdict in _BAD_VERDICTS for _, verdict in verdicts):
        return FAILING
    sides = {expected for expected, verdict in verdicts if verdict == "pass"}
    return PROVEN if {"symptom", "no-symptom"} <= sides else UNPROVEN


@dataclass
class Row:
    """One article of the coverage report."""

    facts: ArticleFacts
    state: str

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with sorted keys."""
        data = {"candidate": self.facts.candidate, "id": self.facts.id, "state": self.state,
                "title": self.facts.title}
        if self.facts.why:
            data["why"] = self.facts.why
        if self.facts.repro == "script":
            data["component"] = component_text(self.facts)
        return data


@dataclass
class CoverageReport:
    """Every candidate or repro-linked article with its state, and the figures they make."""

    rows: list[Row] = field(default_factory=list)
    articles: int = 0
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return candidates, with_repro, proven, failing, not_reproducible (and the rest)."""
        return tally((row.facts.candidate, row.facts.repro, row.state) for row in self.rows)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document of ``kb coverage --json``."""
        return {"articles": [row.to_json() for row in self.rows], "counts": self.counts(),
                "problems": list(self.problems), "records": self.articles}


def tally(rows: Iterable[tuple[bool, str | None, str | None]]) -> dict[str, int]:
    """Return the coverage figures of (candidate, repro kind, state) triples.

    ``proven`` counts candidates proven on both sides; ``with_repro`` every article linking a
    repro script; ``open`` candidates with neither a repro nor a not-reproducible judgement.
    """
    counts = {"candidates": 0, "failing": 0, "not_reproducible": 0, "open": 0, "proven": 0,
              "unproven": 0, "with_repro": 0}
    for candidate, repro, state in rows:
        counts["candidates"] += candidate
        counts["with_repro"] += repro == "script"
        if state is None:
            continue
        key = state.replace("-", "_")
        if key == "proven" and not candidate:
            key = "unproven"  # proven, but outside what the figures count as provable
        counts[key] += 1
    return counts


def site_counts(entries: Iterable[tuple[str, bool, str | None]],
                verify: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Return the coverage figures of (id, candidate, repro kind) entries and the verify results
    (the site keeps these three facts per article in its manifest)."""
    def triples() -> Iterable[tuple[bool, str | None, str | None]]:
        for article_id, candidate, repro in entries:
            item = ArticleFacts(id=article_id, title="", candidate=candidate, repro=repro)
            yield candidate, repro, state_of(item, (verify.get(article_id) or {}).get("results") or [])

    return tally(triples())


def summary_line(counts: dict[str, int]) -> str:
    """Return "N of M candidate articles proven" (the site's and the CLI's headline)."""
    total = counts["candidates"]
    return f"{counts['proven']} of {total} candidate article{'' if total == 1 else 's'} proven"


def report_of(items: Iterable[ArticleFacts], verify: dict[str, dict[str, Any]],
              articles: int = 0, problems: Sequence[str] = ()) -> CoverageReport:
    """Return the coverage report of ``items`` joined with the verify results by article id."""
    rows = []
    for item in sorted(items, key=lambda f: (_id_number(f.id), f.id)):
        state = state_of(item, (verify.get(item.id) or {}).get("results") or [])
        if state is not None:
            rows.append(Row(item, state))
    return CoverageReport(rows=rows, articles=articles, problems=list(problems))


def _id_number(article_id: str) -> int:
    """Return the number of an id (Q254893 -> 254893) for numeric order."""
    digits = article_id.lstrip("Qq")
    return int(digits) if digits.isdigit() else 0


#: Below this many records, worker processes cost more than they save.
PARALLEL_THRESHOLD = 500


def _facts_of_file(path: Path) -> tuple[ArticleFacts | None, str | None]:
    """Load one record and return its facts, or the one-line reason it cannot be loaded."""
    from kb.store import load_article

    try:
        return facts_of(load_article(path)), None
    except KbError as error:
        return None, str(error)


def coverage(folder: Path, names: Sequence[str] = (), results: Path | None = None, *,
             jobs: int = 1, progress: Callable[[int, int], None] | None = None) -> CoverageReport:
    """Return the coverage of the records of ``folder`` (only ``names`` when given).

    ``results`` defaults to ``.kb/verify-results.json`` of the folder's knowledge base; many
    records load in ``jobs`` processes, with ``progress(done, total)`` about every tenth.
    """
    import multiprocessing

    from kb.resolve import RECORDS, article_paths
    from kb.site.verification import load_results

    folder = Path(folder)
    if not names and not folder.is_dir():
        raise NotFoundError(f"{folder}: no such articles folder")
    paths = article_paths(list(names) or [str(folder)], folder, RECORDS)
    verify = load_results(results if results is not None
                          else folder.resolve().parent / ".kb" / "verify-results.json")
    items, problems = [], []
    step = max(1, len(paths) // 10)
    if len(paths) < PARALLEL_THRESHOLD:
        progress = None  # a small run is over before a progress line could help
    if jobs > 1 and len(paths) >= PARALLEL_THRESHOLD:
        load_scope()  # read once, inherited by the forked workers
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            outcomes = list(_counted(pool.imap(_facts_of_file, paths, chunksize=64), len(paths), step, progress))
    else:
        outcomes = list(_counted(map(_facts_of_file, paths), len(paths), step, progress))
    for item, problem in outcomes:
        if item is not None:
            items.append(item)
        if problem is not None:
            problems.append(problem)
    return report_of(items, verify, articles=len(paths), problems=sorted(problems))


def _counted(outcomes: Iterable[Any], total: int, step: int,
             progress: Callable[[int, int], None] | None) -> Iterable[Any]:
    """Yield ``outcomes``, calling ``progress`` every ``step`` of them and at the end."""
    for done, outcome in enumerate(outcomes, 1):
        if progress is not None and (done % step == 0 or done == total):
            progress(done, total)
        yield outcome


# --- the README table of reproduced articles ------------------------------------------------

@cache
def short_release(name: str) -> str:
    """Return a release as a table shows it: "Exchange Server 5.5 SP3" -> "5.5 SP3"."""
    from kb.releases import load_catalogue

    base, plus, rest = name.partition("+")
    try:
        release = load_catalogue().find(base.strip())
    except KbError:
        release = None
    if release is None:
        return name
    line = load_catalogue().lines[release.line]
    family = line.name[: -len(line.version)].strip() if line.name.endswith(line.version) else ""
    short = release.name[len(family):].strip() if family and release.name.startswith(family) else release.name
    return f"{short} + {rest.strip()}" if plus else short


def _joined(main: Sequence[str], extra: Sequence[str]) -> str:
    """Return "a, b (and c)" of the main releases and the extra overlays."""
    text = ", ".join(short_release(n) for n in main) or "—"
    if extra:
        text += f" (and {', '.join(short_release(n) for n in extra)})"
    return text


def component_text(item: ArticleFacts) -> str:
    """Return the component and build that fixes the article, from the record.

    ``repro.component`` when the record states it; else the hotfix overlays the record runs
    without the symptom ("Store.exe 5.5.2652.17"); else a dash.
    """
    if item.component:
        return item.component
    fixing = [release.partition("+")[2].strip() for release, expect in item.overlays
              if "+" in release and expect == "no-symptom"]
    return ", ".join(fixing) or "—"


def _cell(text: str) -> str:
    """Return text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(report: CoverageReport) -> str:
    """Return the Markdown table of the proven articles (the README's "Reproduced articles")."""
    lines = ["| Article | Title | Affected | First fixed | Component (build that fixes it) |",
             "|---|---|---|---|---|"]
    for row in report.rows:
        if row.state != PROVEN:
            continue
        item = row.facts
        affected = _joined(item.affected, [r for r, e in item.overlays if e == "symptom" and r not in item.affected])
        fixed = _joined(item.fixed, [r for r, e in item.overlays if e == "no-symptom" and "+" in r])
        lines.append("| " + " | ".join(_cell(t) for t in (item.id, item.title, affected, fixed,
                                                            component_text(item))) + " |")
    return "\n".join(lines) + "\n"


def text_report(report: CoverageReport) -> str:
    """Return the plain-text report of ``kb coverage``: the headline, figures, then per state."""
    counts = report.counts()
    lines = [f"{summary_line(counts)} ({report.articles} records)",
             "  " + "  ".join(f"{key}: {counts[key]}" for key in sorted(counts))]
    for state in STATES:
        rows = [row for row in report.rows if row.state == state]
        if not rows:
            continue
        lines.append(f"\n{state} ({len(rows)}):")
        for row in rows:
            why = f"  -- {row.facts.why}" if row.facts.why else ""
            lines.append(f"  {row.facts.id:<9} {row.facts.title}{why}")
    return "\n".join(lines) + "\n"
