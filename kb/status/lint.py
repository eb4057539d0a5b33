"""Consistency lint: the STATUS text and the fix keywords must name the same first-fixed release."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from kb.diagnostics import Diagnostic
from kb.releases.catalogue import Catalogue, load_catalogue


@dataclass(frozen=True)
class Comparison:
    """How a status block's text-derived fixed release compares with its fix keywords."""

    comparable: bool  # both a STATUS-named fix and a keyword on the same product line exist
    conflicts: tuple[tuple[dict[str, Any], dict[str, Any]], ...]  # (keyword entry, text evidence)
    unmatched_lines: tuple[str, ...] = ()  # compared lines where no keyword names the text's release
    # conflicts that are only a patch letter apart (kbVC420fix vs "Visual C++ 4.2b", Q154652):
    # they make a line agree, never agree strictly
    patch_letter: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = ()

    @property
    def agrees(self) -> bool:
        """Return True when, on every compared line, a fix keyword names the STATUS release."""
        return self.comparable and not self.unmatched_lines

    @property
    def strictly_agrees(self) -> bool:
        """Return True when comparable and no fix keyword names another release of the line."""
        return self.comparable and not self.conflicts


def _fixed(status: dict[str, Any]) -> list[str]:
    """Return the status block's fixed releases as a list."""
    fixed = status.get("fixed")
    return [] if fixed is None else [fixed] if isinstance(fixed, str) else list(fixed)


def compare(status: dict[str, Any], catalogue: Catalogue | None = None) -> Comparison:
    """Compare the STATUS-named first-fixed releases with the fixed/pre-SP keywords of their lines.

    A keyword is compared only when it names a release (``kbExchange550preSP5fix`` names none)
    on a product line the STATUS fix sentence also names; ``pre`` keywords name the service pack
    the hotfix went into (kb-format.md §6.3, class B). A keyword naming the patch-letter
    sibling of the STATUS release (catalogue ``patch_of``: 4.2 / 4.2b, SP6 / SP6a) stays a
    conflict for strict agreement but matches its line. A version-level keyword (kbVC600fix:
    fixed in some release of Visual C++ 6.0) matches any release of its line.
    """
    catalogue = catalogue or load_catalogue()
    if status.get("fixed_source") != "status":
        return Comparison(False, ())
    text_fixed = _fixed(status)
    by_line: dict[str, set[str]] = {}
    for name in text_fixed:
        by_line.setdefault(catalogue.releases[name].line, set()).add(name)
    comparable = False
    conflicts = []
    compared: set[str] = set()
    matched: set[str] = set()
    patch_letter = []
    for entry in status.get("keywords", []):
        release = entry.get("release")
        if release is None or entry.get("meaning") not in ("fixed", "pre", "release"):
            continue
        line = catalogue.releases[release].line
        if line not in by_line:
            continue
        comparable = True
        compared.add(line)
        if release in by_line[line] or catalogue.is_version_level(entry.get("meaning"), release):
            # a version-level keyword (kbVBp600fix) agrees with any release of its line
            matched.add(line)
        else:
            sibling = {name for name in by_line[line] if catalogue.patch_compatible(release, name)}
            named = sibling or by_line[line]
            evidence = next(
                (e for e in status.get("evidence", []) if e.get("fact") == "fixed" and e.get("release") in named),
                {"line": None, "text": ", ".join(sorted(named))},
            )
            conflicts.append((entry, evidence))
            if sibling:
                matched.add(line)
                patch_letter.append((entry, evidence))
    return Comparison(comparable, tuple(conflicts), tuple(sorted(compared - matched)), tuple(patch_letter))


def _conflict_kind(comparison: Comparison, entry: dict[str, Any]) -> tuple[str, str]:
    """Return the diagnostic code of a keyword conflict and the note its message ends with."""
    if any(entry is e for e, _ in comparison.patch_letter):
        return "status-keyword-patch-letter", " (the same release up to a patch letter)"
    return "status-keyword-mismatch", ""


def lint_status(status: dict[str, Any] | None, path: str, catalogue: Catalogue | None = None) -> Iterator[Diagnostic]:
    """Yield a warning per fix keyword that contradicts the STATUS text, showing both locations."""
    if not status:
        return
    catalogue = catalogue or load_catalogue()
    comparison = compare(status, catalogue)
    for entry, evidence in comparison.conflicts:
        text_release = evidence.get("release") or evidence.get("text")
        code, note = _conflict_kind(comparison, entry)
        yield Diagnostic(
            path=path,
            line=entry.get("line"),
            field="status",
            severity="warning",
            code=code,
            message=(
                f"fix keyword {entry['token']!r} says {entry['release']!r}, but STATUS (line "
                f"{evidence.get('line')}) says first fixed in {text_release!r}"
                + note
            ),
        )
    for unknown in status.get("unknown", []):
        yield Diagnostic(
            path=path,
            line=unknown.get("line"),
            field="status",
            severity="warning",
            code="status-unknown-release",
            message=f"release {unknown['text']!r} is not in the release catalogue (kb/releases/catalogue.yaml); left unknown",
        )


def lint_status_record(ctx: Any) -> Iterator[Diagnostic]:
    """Lint for kb.schema.LINTS: warn where a record's STATUS text and fix keywords disagree.

    ``ctx`` is a kb.schema.RecordContext; the diagnostic points at the keyword entry in the
    record and names both source lines (keyword and STATUS sentence) of the original article.
    """
    status = ctx.record.get("status")
    if not status:
        return
    catalogue = load_catalogue()
    known = set(catalogue.releases)
    names = [status.get("fixed")] if isinstance(status.get("fixed"), str) else list(status.get("fixed") or [])
    names += list(status.get("affected", [])) + [k["release"] for k in status.get("keywords", []) if k.get("release")]
    for name in names:
        if name not in known:
            yield Diagnostic(ctx.path, ctx.locator.line(("status",)), f"release {name!r} is not in the release "
                             f"catalogue, expected a canonical name such as 'Exchange Server 5.5 SP4'",
                             field="status", severity="error", code="status-release")
            return
    entries = status.get("keywords", [])
    comparison = compare(status, catalogue)
    for entry, evidence in comparison.conflicts:
        index = entries.index(entry)
        text_release = evidence.get("release") or evidence.get("text")
        code, note = _conflict_kind(comparison, entry)
        yield Diagnostic(
            path=ctx.path,
            line=ctx.locator.line(("status", "keywords", index)),
            field=f"status.keywords.{index}",
            severity="warning",
            code=code,
            message=(
                f"fix keyword {entry['token']!r} (article line {entry.get('line')}) says {entry['release']!r}, "
                f"but STATUS (article line {evidence.get('line')}) says first fixed in {text_release!r}"
                + note
            ),
        )
    for index, unknown in enumerate(status.get("unknown", [])):
        yield Diagnostic(
            path=ctx.path,
            line=ctx.locator.line(("status", "unknown", index)),
            field=f"status.unknown.{index}",
            severity="warning",
            code="status-unknown-release",
            message=f"{unknown['text']!r} (article line {unknown.get('line')}) names no release in the catalogue; left unknown",
        )
