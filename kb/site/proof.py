"""The proof at a glance: one cell per release (what the article claims, what the repro saw) and
the sentence it comes to, e.g. "Reproduced on 5.5 SP3; absent on SP4 and on SP3 + Store.exe
5.5.2652.17; 5.5 RTM–SP2 not claimed by the article".

Releases come from the status lattice (catalogue order), then the overlays the record's repro
block names, then any release the last results hold that neither names (a stale result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable, Sequence

from kb.exceptions import KbError
from kb.site.verification import verdict_class

#: Verdict class -> (icon, word shown when no verdict word applies). Icons are aria-hidden:
#: the verdict word beside them carries the meaning for screen readers and without colour.
ICONS: dict[str, str] = {"pass": "✓", "fail": "✗", "unknown": "?", "error": "!", "none": "–"}

#: The legend under the strip, in the order it is shown.
LEGEND: tuple[tuple[str, str, str], ...] = (
    ("pass", "pass", "the repro saw what the article claims"),
    ("fail", "fail", "the repro contradicts the article"),
    ("unknown", "unknown", "the article does not judge this release; the repro ran it and shows what it saw"),
    ("error", "error", "the repro crashed, timed out or gave different answers (flaky)"),
    ("none", "not run", "no kb verify result for this release"),
)

_OBSERVED = {"symptom": "symptom", "no-symptom": "no symptom", "error": "error"}


@dataclass
class Cell:
    """One release of the strip."""

    release: str
    label: str
    claim: str  # affected | first fixed | fixed | not affected | unknown
    expected: str  # symptom | no-symptom | unknown
    line: str
    overlay: bool = False
    result: dict[str, Any] | None = None

    @property
    def verdict(self) -> str:
        """Return the verdict word ("not run" without a result)."""
        return str(self.result.get("verdict") or "unknown") if self.result else "not run"

    @property
    def css(self) -> str:
        """Return the verdict class: pass, fail, unknown, error or none."""
        if self.result is None:
            return "none"
        kind = verdict_class(self.verdict)
        if kind == "other":
            return "unknown" if self.verdict == "unknown" else "error"
        return "error" if self.verdict in ("error", "timeout") else kind

    @property
    def icon(self) -> str:
        """Return the verdict's icon."""
        return ICONS[self.css]

    @property
    def observed(self) -> str | None:
        """Return what the repro saw, in words (None when it did not run)."""
        if self.result is None:
            return None
        raw = str(self.result.get("observed") or "")
        return _OBSERVED.get(raw, raw or None)


@dataclass
class Proof:
    """The strip, its sentence and when the proof last ran."""

    cells: list[Cell] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    sentence: str = ""
    last_run: str | None = None
    has_results: bool = False

    def groups(self) -> list[tuple[str, list[Cell]]]:
        """Return the cells grouped by product line, in order."""
        return [(line, [c for c in self.cells if c.line == line]) for line in self.lines]

    @property
    def legend(self) -> list[tuple[str, str, str, str]]:
        """Return (class, icon, word, meaning) of each verdict shown on the strip."""
        shown = {c.css for c in self.cells}
        return [(css, ICONS[css], word, meaning) for css, word, meaning in LEGEND if css in shown]


@cache
def _line_names(line: str) -> tuple[str, str]:
    """Return (line name, version) of a catalogue line ("Exchange Server 5.5", "5.5")."""
    from kb.releases import load_catalogue

    try:
        found = load_catalogue().lines.get(line)
    except (KbError, OSError):
        found = None
    return (line, found.version) if found is not None else (line, "")


def names(release: str, line: str) -> tuple[str, str]:
    """Return (full, bare) short names: ("5.5 SP3", "SP3"), ("5.5 RTM", "RTM") or overlays."""
    base, plus, rest = release.partition("+")
    base = base.strip()
    line_name, version = _line_names(line)
    if base == line_name:
        full, bare = f"{version} RTM".strip(), "RTM"
    elif version and base.startswith(line_name + " "):
        bare = base[len(line_name) + 1:]
        full = f"{version} {bare}"
    else:
        full = bare = base
    if plus:
        full, bare = f"{full} + {rest.strip()}", f"{bare} + {rest.strip()}"
    return full, bare


def _claims(status: dict[str, Any], repro: dict[str, Any], table: list[dict[str, Any]] | None) -> list[Cell]:
    """Return a cell per release the article judges or its repro block names, in order."""
    if table is None:
        from kb.site.view import status_table

        table = status_table(status)
    cells: list[Cell] = []
    for group in table:
        for row in group["rows"]:
            cells.append(Cell(row["release"], "", row["label"], _expected(row["state"]), group["line"]))
    if repro.get("releases"):
        try:
            from kb.verify.expectations import expectations

            plan = expectations(status or None, repro)
        except (KbError, ImportError, KeyError, ValueError):
            plan = []
        known = {c.release: c for c in cells}
        for item in plan:
            cell = known.get(item.release)
            if cell is not None:
                if item.basis == "record" and item.expected != cell.expected:
                    cell.expected = item.expected
                    cell.claim = _claim_word(item.expected, cell.claim)
                continue
            base = known.get(item.base or "")
            cells.append(Cell(item.release, "", _claim_word(item.expected, None), item.expected,
                              base.line if base else _line_of(item.release), overlay=item.base is not None))
    return cells


def _expected(state: str) -> str:
    """Return the expectation of a lattice state."""
    return {"affected": "symptom", "fixed": "no-symptom"}.get(state, "unknown")


def _claim_word(expected: str, lattice_claim: str | None) -> str:
    """Return the claim shown for an expectation the record states."""
    if expected == "symptom":
        return "affected"
    if expected == "no-symptom":
        return lattice_claim if lattice_claim in ("fixed", "first fixed") else "fixed" if lattice_claim is None else "not affected"
    return "unknown"


def _line_of(release: str) -> str:
    """Return the product line of a release (the release's own name when unknown)."""
    from kb.releases import load_catalogue

    try:
        found = load_catalogue().find(release.partition("+")[0].strip())
    except (KbError, OSError):
        found = None
    return found.line if found is not None else "Releases"


def proof_of(status: dict[str, Any] | None, repro: dict[str, Any] | None,
             results: Sequence[dict[str, Any]], table: list[dict[str, Any]] | None = None) -> Proof:
    """Return the strip of one article from its status (or its release ``table``, when made
    already), repro block and last results."""
    repro = repro if isinstance(repro, dict) else {}
    cells = _claims(status or {}, repro, table)
    by_release = {c.release: c for c in cells}
    for result in results:
        name = str(result.get("release") or "")
        cell = by_release.get(name)
        if cell is None:
            expected = str(result.get("expected") or "unknown")
            cell = Cell(name, "", _claim_word(expected, None), expected, _line_of(name), overlay="+" in name)
            cells.append(cell)
            by_release[name] = cell
        cell.result = result
        if result.get("expected") in ("symptom", "no-symptom", "unknown"):
            cell.expected = str(result["expected"])  # what kb verify judged the result by
    lines = list(dict.fromkeys(c.line for c in cells))
    for cell in cells:
        cell.label = names(cell.release, cell.line)[1]
    whens = [str(r["when"]) for r in results if r.get("when")]
    proof = Proof(cells=cells, lines=lines, last_run=max(whens) if whens else None,
                  has_results=bool(results))
    proof.sentence = sentence(proof)
    return proof


# --- the sentence ----------------------------------------------------------------------------

def _run_names(cells: list[Cell], order: list[str]) -> list[tuple[str, str]]:
    """Return (first, last) release of each run of consecutive releases (by strip order)."""
    runs: list[list[Cell]] = []
    for cell in cells:
        if runs and not cell.overlay and not runs[-1][-1].overlay and \
                order.index(cell.release) == order.index(runs[-1][-1].release) + 1:
            runs[-1].append(cell)
        else:
            runs.append([cell])
    return [(run[0].release, run[-1].release) for run in runs]


def _clause(cells: list[Cell], order: list[str], line_of: Callable[[str], str], named: set[str],
            many_lines: bool = False) -> str:
    """Return the releases of one clause: a line's first mention (``named`` keeps them across
    clauses) with its version ("5.5 SP3"), later ones bare ("SP4")."""
    parts: list[str] = []
    for first, last in _run_names(cells, order):
        line = line_of(first)
        full, bare = names(first, line)
        start = bare if line in named else full
        if not many_lines:
            named.add(line)  # with several lines, a bare "SP3" would be ambiguous: keep versions
        if first == last:
            text = start
        else:
            text = f"{start}–{names(last, line)[1]}"
        parts.append(("on " if "+" in first and parts else "") + text)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def sentence(proof: Proof) -> str:
    """Return the one sentence the strip comes to."""
    order = [c.release for c in proof.cells]
    lines = {c.release: c.line for c in proof.cells}
    named: set[str] = set()

    def clause(cells: list[Cell]) -> str:
        return _clause(cells, order, lines.__getitem__, named, len(proof.lines) > 1)

    def pick(test: Callable[[Cell], bool]) -> list[Cell]:
        return [c for c in proof.cells if test(c)]

    clauses: list[str] = []
    if proof.has_results:
        seen = pick(lambda c: c.result is not None and c.expected == "symptom" and c.css == "pass")
        absent = pick(lambda c: c.result is not None and c.expected == "no-symptom" and c.css == "pass")
        missing = pick(lambda c: c.css == "fail" and c.expected == "symptom")
        still = pick(lambda c: c.css == "fail" and c.expected == "no-symptom")
        broken = pick(lambda c: c.css == "error")
        if seen:
            clauses.append(f"Reproduced on {clause(seen)}")
        if absent:
            clauses.append(f"absent on {clause(absent)}")
        if missing:
            clauses.append(f"not reproduced on {clause(missing)}, which the article says is affected")
        if still:
            clauses.append(f"still seen on {clause(still)}, which the article says is fixed")
        if broken:
            clauses.append(f"no answer on {clause(broken)} (error, timeout or flaky)")
        unrun = pick(lambda c: c.result is None and c.expected != "unknown")
        if unrun:
            clauses.append(f"not run on {clause(unrun)}")
    else:
        affected = pick(lambda c: c.expected == "symptom")
        fixed = pick(lambda c: c.expected == "no-symptom")
        if affected:
            clauses.append(f"The article says affected on {clause(affected)}")
        if fixed:
            clauses.append(f"fixed on {clause(fixed)}")
    unknown = pick(lambda c: c.expected == "unknown")
    if unknown:
        named.clear()  # a new thought: name the version again ("5.5 RTM–SP2 not claimed")
        text = f"{clause(unknown)} not claimed by the article"
        observed = {c.observed for c in unknown}
        if proof.has_results and observed == {"symptom"}:
            text += " (the repro sees the symptom there)"
        elif proof.has_results and observed == {"no symptom"}:
            text += " (the repro sees no symptom there)"
        clauses.append(text)
    if not clauses:
        return ""
    text = "; ".join(clauses)
    return text[0].upper() + text[1:] + "."
