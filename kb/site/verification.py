"""Read the last ``kb verify`` results (``<root>/.kb/verify-results.json``) for the site.

The file may be absent (nothing verified yet): articles with a repro then show "not reproduced".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from kb.exceptions import RecordError

VERIFIED = "verified"
FAILING = "failing"
NOT_REPRODUCED = "not reproduced"
NO_REPRO = "no repro"

#: Verification states in the order the site lists them.
STATES: tuple[str, ...] = (VERIFIED, FAILING, NOT_REPRODUCED, NO_REPRO)

_PASS = {"pass", "passed", "ok", "verified", "match", "expected"}
# A repro that errors or times out has not proved anything: it counts against the article.
_FAIL = {"fail", "failed", "failing", "mismatch", "error", "timeout", "unexpected", "regression"}


def verdict_class(verdict: object) -> str:
    """Return "pass", "fail" or "other" for a verdict string of any spelling."""
    word = str(verdict or "").strip().lower()
    if word in _PASS:
        return "pass"
    if word in _FAIL:
        return "fail"
    return "other"


def badge_for(has_repro: bool, results: list[dict[str, Any]]) -> str:
    """Return the badge: failing if any release fails, verified if some pass and none fail.

    Releases whose expectation is unknown (verdict "unknown", "flaky") neither prove nor
    disprove the article; with no pass and no fail it is "not reproduced".
    """
    if not has_repro and not results:
        return NO_REPRO
    classes = {verdict_class(r.get("verdict")) for r in results}
    if "fail" in classes:
        return FAILING
    if "pass" in classes:
        return VERIFIED
    return NOT_REPRODUCED


def load_results(path: Path) -> dict[str, dict[str, Any]]:
    """Return the verify results keyed by article id ({} when the file does not exist)."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise RecordError(str(path), None, f"cannot read verify results: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("articles", []), list):
        raise RecordError(str(path), None, 'expected an object with an "articles" list')
    out: dict[str, dict[str, Any]] = {}
    for entry in data.get("articles") or []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            out[entry["id"]] = entry
    return out


#: Fields of a verify entry that say how a result was obtained, not what it shows: a cached
#: verify flips ``cached`` and must not re-render the page.
_UNSHOWN = frozenset({"cached", "seconds"})


def entry_digest(entry: dict[str, Any] | None) -> str:
    """Return a stable hash of what one article's verify entry shows (for the build manifest)."""
    if entry:
        shown = {k: v for k, v in entry.items() if k not in _UNSHOWN}
        shown["results"] = [{k: v for k, v in r.items() if k not in _UNSHOWN} if isinstance(r, dict) else r
                            for r in entry.get("results") or []]
        entry = shown
    text = json.dumps(entry, sort_keys=True, default=str) if entry else ""
    return hashlib.sha256(text.encode()).hexdigest()[:16]
