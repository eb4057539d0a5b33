"""The last verify results, kept in ``<root>/.kb/verify-results.json`` for the site.

Same shape as ``kb verify --json`` plus, per result, ``when`` (ISO 8601 UTC), ``evidence``,
``transcript``. A run over some articles replaces those articles and keeps the others.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
from pathlib import Path
from typing import Any

from kb.files import write_atomic
from kb.verify.report import VerifyReport
from kb.verify.verdicts import VERDICTS

RESULTS_FILE = Path(".kb") / "verify-results.json"


def results_path(root: Path) -> Path:
    """Return where the last results of the kb at ``root`` are kept."""
    return Path(root) / RESULTS_FILE


def load_results(root: Path) -> dict[str, Any]:
    """Return the last results document, or an empty one when there is none (or it is damaged)."""
    try:
        data = json.loads(results_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"articles": [], "summary": {}}
    return data if isinstance(data, dict) and isinstance(data.get("articles"), list) else {"articles": [], "summary": {}}


def _summary(articles: list[dict[str, Any]]) -> dict[str, int]:
    """Return verdict counts over the merged articles."""
    counts = {name: 0 for name in VERDICTS}
    for article in articles:
        for result in article.get("results", []):
            if result.get("verdict") in counts:
                counts[result["verdict"]] += 1
    counts["articles"] = len(articles)
    return counts


#: What a cached result must share with the last saved one to keep its time (and run seconds).
_SAME_PROOF = ("release", "expected", "observed", "verdict", "evidence", "transcript")


def _stamp(article: dict[str, Any], previous: dict[str, Any] | None, when: str) -> None:
    """Stamp each result with when its proof last *ran*.

    A fresh run gets ``when``; a cached result keeps the time (and run seconds) of the saved
    result it repeats, so a cached ``kb verify`` changes nothing the site shows and the site's
    incremental build re-renders nothing. A cached result with no saved twin (the results file
    was deleted) can only be stamped now.
    """
    saved = {r.get("release"): r for r in (previous or {}).get("results") or [] if isinstance(r, dict)}
    for result in article["results"]:
        twin = saved.get(result["release"]) if result.get("cached") else None
        if twin is not None and twin.get("when") and all(twin.get(k) == result.get(k) for k in _SAME_PROOF):
            result["when"] = twin["when"]
            if "seconds" in twin:
                result["seconds"] = twin["seconds"]
        else:
            result["when"] = when
    stamps = [str(r["when"]) for r in article["results"]]
    article["when"] = max(stamps) if stamps else when


def save_results(report: VerifyReport, root: Path, now: dt.datetime | None = None) -> Path:
    """Merge ``report`` into the results file atomically and return its path."""
    when = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    fresh = report.to_json(full=True)
    path = results_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Shards of one CI job may share a checkout: merge under a lock so no update is lost.
    with open(path.parent / "verify-results.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        merged = {a["id"]: a for a in load_results(root)["articles"] if isinstance(a, dict) and "id" in a}
        for article in fresh["articles"]:
            _stamp(article, merged.get(article["id"]), when)
        merged.update({a["id"]: a for a in fresh["articles"]})
        articles = [merged[key] for key in sorted(merged)]
        document = {"articles": articles, "summary": _summary(articles), "when": when}
        write_atomic(path, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path
