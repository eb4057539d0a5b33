"""The main job: validate every record, verify every repro, publish the site."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kb.diagnostics import Diagnostic

Say = Callable[[str], None]


@dataclass
class CheckReport:
    """What ``kb check`` found, stage by stage."""

    records: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    verify: Any = None  # kb.verify.VerifyReport, when the stage ran
    site: Any = None  # kb.site.build.BuildReport, when the stage ran

    @property
    def errors(self) -> list[Diagnostic]:
        """Return the validation errors."""
        return [d for d in self.diagnostics if d.severity == "error"]

    def exit_code(self) -> int:
        """Return 0 when every stage is green, else the worst stage's code (1 or 2)."""
        codes = [1 if self.errors else 0]
        if self.verify is not None:
            codes.append(self.verify.exit_code())
        if self.site is not None:
            codes.append(1 if self.site.errors else 0)
        return max(codes)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "site": self.site.to_json() if self.site is not None else None,
            "validate": {
                "checked": self.records,
                "diagnostics": [d.to_json() for d in self.diagnostics],
                "errors": len(self.errors),
            },
            "verify": self.verify.to_json() if self.verify is not None else None,
        }


def run_check(
    root: Path,
    *,
    verify: bool = True,
    site_out: Path | None = None,
    jobs: int = 2,
    say: Say = lambda message: None,
) -> CheckReport:
    """Validate ``root/articles``, verify its repros and build its site into ``site_out``."""
    from kb.exceptions import NotFoundError
    from kb.schema import validate_paths

    articles = root / "articles"
    if not articles.is_dir():
        raise NotFoundError(f"{articles}: no articles folder (run kb check in a knowledge base: a folder with articles/)")
    report = CheckReport()
    say(f"kb check: validating {articles}")
    report.records, report.diagnostics = validate_paths([articles])
    if verify:
        from kb.verify import VerifyOptions, verify_kb

        say("kb check: verifying repros")
        report.verify = verify_kb(articles, (), VerifyOptions(jobs=jobs), root=root)
    if site_out is not None:
        from kb.site.build import build_site

        say(f"kb check: building the site in {site_out}")
        results = root / ".kb" / "verify-results.json"
        report.site = build_site(articles, site_out, verify_results=results if results.is_file() else None,
                                 jobs=jobs, progress=say)
    return report
