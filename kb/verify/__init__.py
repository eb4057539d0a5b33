"""kb verify: run each article's repro on every release of its lattice and judge the article.

``verify_kb`` is the one entry point the CLI (and ``kb check``) calls; bisect lives in
``kb.verify.bisect``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import kb.repro.expectations
import kb.repro.targets

from kb.verify.report import ArticleResult, ReleaseResult, VerifyReport
from kb.verify.runs import Progress, VerifyOptions, verify_targets

# Moved down to kb.repro (a single repro run needs them without the judge); the old module paths
# keep working at run time for code written against them.
sys.modules.setdefault(__name__ + ".expectations", kb.repro.expectations)
sys.modules.setdefault(__name__ + ".targets", kb.repro.targets)

__all__ = ["ArticleResult", "ReleaseResult", "VerifyOptions", "VerifyReport", "verify_kb"]


def verify_kb(
    articles: Path,
    names: Sequence[str] = (),
    options: VerifyOptions = VerifyOptions(),
    *,
    root: Path | None = None,
    progress: Progress | None = None,
    save: bool = True,
) -> VerifyReport:
    """Verify the named articles (all of ``articles`` when none) and keep the last results.

    The kb root (where ``repro/`` and ``.kb/`` live) defaults to the parent of ``articles``.
    """
    from kb.verify.results import save_results
    from kb.repro.targets import select_targets

    articles = Path(articles)
    root = Path(root) if root is not None else articles.resolve().parent
    targets, problems = select_targets(articles, list(names))
    report = verify_targets(targets, root, options, problems=problems, progress=progress)
    if save and report.articles:
        try:
            save_results(report, root)
        except OSError as error:  # the verdicts stand; only the copy kept for the site is lost
            report.warnings.append(f"{root / '.kb'}: cannot keep the results for the site: {error.strerror}")
    return report
