"""Build an article's status block from its STATUS sentences, applies-to block and fix keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from kb.model import Article
from kb.releases.catalogue import Catalogue, FixToken, load_catalogue
from kb.status.mentions import Mention, scan
from kb.status.sentences import Sentence, split_section, split_text

# -- sentence recognisers (ims-domain.md §4.3, kb-format.md §6.1), tried in this order ----------
# Each returns the offset where the release list of the claim starts, or None.

Recogniser = Callable[[str], "int | None"]


def _after(pattern: str) -> Recogniser:
    """Return a recogniser that matches ``pattern`` and points just after it."""
    compiled = re.compile(pattern, re.I)

    def recognise(text: str) -> int | None:
        match = compiled.search(text)
        return match.end() if match else None

    return recognise


_LATEST = re.compile(r"\b(?:in|with|by)\s+(?:the\s+)?(?:most\s+recent|latest|newest|current|next)\b", re.I)
_LATEST_WORD = re.compile(r"\b(?:latest|most\s+recent|newest|next)\b", re.I)
_LISTED = re.compile(
    r"\b(?:products?|versions?|clients?|programs?)\s+(?:that\s+(?:are|were)\s+)?(?:listed|noted|mentioned)\s+"
    r"(?:at\s+the\s+beginning|above)|\b(?:above[- ]listed|listed\s+above)\b",
    re.I,
)

RECOGNISERS: list[tuple[str, Recogniser]] = [
    # "This problem was first corrected in ...", "This bug has been fixed in ...".
    ("fixed", _after(r"\b(?:first|was|were|been|is|are|now)\s+(?:corrected|fixed|resolved|addressed)\s+(?:in|with|by)\b")),
    ("fixed", _after(r"\b(?:corrected|fixed|resolved)\s+(?:in|with)\b(?=.*\b(?:Service\s+Pack|SP\s*\d|release))")),
    ("feature", _after(r"\b(?:feature|enhancement|functionality|option)\s+(?:was\s+|is\s+|has\s+been\s+)?(?:first\s+)?(?:included|introduced|added|available)\s+in\b")),
    ("hotfix", _after(r"\bsupported\s+(?:hot)?fix\b[^.]*?\bavailable\b|\bhotfix\b[^.]*\bis\s+(?:now\s+)?available\b")),
    ("researching", _after(r"\bresearching\s+(?:this|the)\s+(?:problem|issue|bug|behavior)")),
    ("by-design", _after(r"\bby\s+(?:product\s+)?design\b")),
    # "Microsoft has confirmed this to be a problem in ...", "... that this is a bug in ...".
    ("confirmed", _after(r"\b(?:confirmed|confirms|acknowledged|acknowledges)\s+(?:this|that)\b.*?\b(?:problem|bug|issue|error|behavior)s?\b(?:\s+(?:with|in|for|on))?")),
]

_FEATURE_SECTIONS = ("RESOLUTION", "MORE INFORMATION", "WORKAROUND")


@dataclass
class _State:
    """What the extractor has learnt so far about one article."""

    catalogue: Catalogue
    context: list[str]
    kinds: set[str] = field(default_factory=set)
    affected: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    feature: list[str] = field(default_factory=list)
    latest_lines: list[str] = field(default_factory=list)
    recent: dict[str, str] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    conditions: list[dict[str, Any]] = field(default_factory=list)
    pending_condition: Sentence | None = None


def _add(names: list[str], name: str) -> None:
    """Append ``name`` once."""
    if name not in names:
        names.append(name)


def _context(article: Article, catalogue: Catalogue) -> list[str]:
    """Return the product lines the article is about: applies-to items and PROD/VER."""
    lines: list[str] = []
    for item in _applies_items(article):
        for mention in _applies_mentions(item, catalogue, []):
            if mention.line:
                _add(lines, mention.line)
    return lines


def _applies_items(article: Article) -> list[Any]:
    """Return the applies-to items, children included, in order."""
    out: list[Any] = []
    stack = list(reversed(article.applies_to or []))
    while stack:
        item = stack.pop()
        out.append(item)
        stack.extend(reversed(item.children))
    return out


def _applies_mentions(item: Any, catalogue: Catalogue, context: list[str]) -> list[Mention]:
    """Return the releases one applies-to item names ("Microsoft Exchange Server, version 5.5 SP3")."""
    mentions = scan(item.text, catalogue, context)
    if any(m.release for m in mentions) or not item.versions:
        return mentions
    # "Microsoft Visual Basic Professional Edition for Windows, version 5.0": the product is an
    # edition of a catalogued family; the parser already split off its versions.
    product = re.sub(r"^(?:the\s+)?Microsoft\s+", "", item.product.strip(" ,:"), flags=re.I)
    for name, family, line in catalogue.surface_names():
        if line is None and re.match(rf"{re.escape(name)}\b", product, re.I):
            out: list[Mention] = []
            for version in item.versions:
                out.extend(scan(f"{family.name} {version}", catalogue, context))
            return out if any(m.release for m in out) else mentions
    return mentions


def _claim(sentence: Sentence, start: int, state: _State) -> list[Mention]:
    """Return the mentions after ``start`` in a sentence, recording unknown names."""
    text = sentence.text[start:]
    mentions = scan(text, state.catalogue, state.context, state.recent)
    for mention in mentions:
        if mention.release is None:
            state.unknown.append({"text": mention.text, "line": sentence.line})
        elif mention.line:
            state.recent[state.catalogue.lines[mention.line].product] = mention.line
    return [m for m in mentions if m.release is not None]


def _carry_service_pack(mentions: list[Mention], catalogue: Catalogue) -> list[Mention]:
    """Carry a trailing service pack back over "A and B Service Pack N" (kb-format.md §6.3)."""
    out = list(mentions)
    for index in range(len(out) - 2, -1, -1):
        here, after = out[index], out[index + 1]
        if not here.has_sp and after.has_sp and here.line != after.line:
            sp = catalogue.releases[after.release].sp  # type: ignore[index]
            if sp is None:
                continue
            candidate = catalogue.find(f"{here.line} SP{sp}") if not sp.startswith("SR-") else None
            if candidate is not None and candidate.line == here.line:
                out[index] = Mention(candidate.name, here.text, here.line, here.start, True)
    return out


def _read_sentence(sentence: Sentence, article: Article, state: _State) -> None:
    """Classify one STATUS sentence by every recogniser that matches and record its releases."""
    done: set[str] = set()
    for kind, recognise in RECOGNISERS:
        start = recognise(sentence.text)
        if start is None or kind in done:
            continue
        done.add(kind)
        if kind == "fixed":
            _read_fixed(sentence, start, state)
        elif kind == "feature":
            _read_feature_sentence(sentence, start, state)
        elif kind == "confirmed":
            state.kinds.add(kind)
            _read_affected(sentence, start, article, state)
        else:
            state.kinds.add(kind)
            state.evidence.append({"fact": "kind", "text": sentence.text, "line": sentence.line})


def _read_fixed(sentence: Sentence, start: int, state: _State) -> None:
    """Record the first-fixed releases of a fix sentence; releases after "the latest" only name a line."""
    claim = sentence.text[start:]
    mentions = scan(claim, state.catalogue, state.context, state.recent)
    named: list[Mention] = []
    previous = 0
    latest = False
    for mention in mentions:
        if _LATEST_WORD.search(claim[previous : mention.start]):
            latest = True
        previous = mention.end or mention.start
        if latest:
            # "corrected in Exchange 5.5 and in the latest Exchange 5.0 US Service Pack"
            if mention.line:
                _add(state.latest_lines, mention.line)
            latest = not re.search(r"\band\b|,", claim[mention.start : mention.end]) and latest
            continue
        if mention.release is None:
            state.unknown.append({"text": mention.text, "line": sentence.line})
            continue
        assert mention.line is not None  # scan() names a line with every known release
        state.recent[state.catalogue.lines[mention.line].product] = mention.line
        named.append(mention)
    if not mentions and _LATEST_WORD.search(claim[:40]):
        latest = True
    if state.latest_lines and not named or latest and not named:
        state.kinds.add("fixed-latest-sp")
        state.evidence.append({"fact": "kind", "text": sentence.text, "line": sentence.line})
        return
    if state.latest_lines and named:
        state.kinds.add("fixed-latest-sp")
    named = _carry_service_pack(named, state.catalogue)
    if not named:
        # "This problem was corrected in Mbclean 2.0": a fix outside the catalogue
        clause = claim.strip(" .")
        if clause and not mentions:
            state.unknown.append({"text": clause[:120], "line": sentence.line})
        state.kinds.add("confirmed-fixed-unnamed")
        state.evidence.append({"fact": "kind", "text": sentence.text, "line": sentence.line})
        return
    state.kinds.add("fixed")
    inline = re.search(r"\b(?:when|if|unless|provided)\b[^.;]*", claim, re.I)
    for mention in named:
        if state.pending_condition is not None:
            state.conditions.append({"release": mention.release, "text": state.pending_condition.text.rstrip(":"),
                                     "line": state.pending_condition.line})
        if inline:
            state.conditions.append({"release": mention.release, "text": inline.group(0).strip(), "line": sentence.line})
        _add(state.fixed, mention.release)  # type: ignore[arg-type]
        state.evidence.append({"fact": "fixed", "text": sentence.text, "line": sentence.line,
                               "release": mention.release})


def _read_affected(sentence: Sentence, start: int, article: Article, state: _State) -> None:
    """Record the affected releases of a confirming sentence (or of the applies-to block)."""
    stop = RECOGNISERS[0][1](sentence.text)
    claim = sentence.text[start : stop if stop and stop > start else None]
    if _LISTED.search(claim) or not claim.strip(" .,"):
        for item in _applies_items(article):
            mentions = _applies_mentions(item, state.catalogue, state.context)
            if not mentions and item.versions:
                # a listed product with a version the catalogue does not know ("Microsoft Word
                # 97 for Windows" before Word was catalogued): say so rather than drop it
                state.unknown.append({"text": item.text, "line": item.line})
            for mention in mentions:
                if mention.release is None:
                    state.unknown.append({"text": item.text, "line": item.line})
                    continue
                _add(state.affected, mention.release)
                state.evidence.append({"fact": "affected", "token": item.text, "line": item.line,
                                       "release": mention.release})
        state.evidence.append({"fact": "affected", "text": sentence.text, "line": sentence.line})
        return
    mentions = scan(claim, state.catalogue, state.context, state.recent)
    if not mentions:
        # "a problem in Microsoft Exchange Chat Server": a product outside the catalogue
        state.unknown.append({"text": claim.strip(" .,")[:120], "line": sentence.line})
    for mention in mentions:
        if mention.release is None:
            state.unknown.append({"text": mention.text, "line": sentence.line})
            continue
        if mention.line:
            state.recent[state.catalogue.lines[mention.line].product] = mention.line
        _add(state.affected, mention.release)
        state.evidence.append({"fact": "affected", "text": sentence.text, "line": sentence.line,
                               "release": mention.release})


def fix_tokens(article: Article, catalogue: Catalogue) -> list[tuple[FixToken, int | None]]:
    """Return the article's fix keywords decoded, with the line of the Keywords field."""
    line: int | None = None
    tokens: list[str] = []
    for item in article.footer or []:
        if item.key == "Keywords":
            line, tokens = item.line, item.value.split()
            break
    if line is None:
        line, tokens = 6, list(article.keywords)  # the header KEYWORDS line is line 6
    out: list[tuple[FixToken, int | None]] = []
    seen: set[str] = set()
    for raw in tokens:
        # kb-format.md §6.2: glued tokens split at "kb" boundaries (kbvfp500fixkbbuglist)
        for token in re.split(r"(?<=.)(?=kb[a-z])", raw, flags=re.I):
            decoded = catalogue.decode_token(token)
            if decoded is not None and decoded.fix and token.lower() not in seen:
                seen.add(token.lower())
                out.append((decoded, line))
    return out


def _affected_from_applies_to(article: Article, state: _State, fixed: list[str]) -> None:
    """Add applies-to releases that precede the first fix on a line the STATUS confirms affected.

    "A problem in Exchange Server version 5.5 ... first corrected in ... Service Pack 2" with an
    applies-to block naming "versions 5.5, 5.5 SP1" (Q193782) states that SP1 has the problem too;
    releases at or after the first fix, and lines the STATUS does not confirm, stay as they are.
    """
    catalogue = state.catalogue
    confirmed_lines = {catalogue.releases[name].line for name in state.affected}
    first_fix: dict[str, int] = {}
    for name in fixed:
        release = catalogue.releases[name]
        if release.line not in first_fix or release.order < first_fix[release.line]:
            first_fix[release.line] = release.order
    for item in _applies_items(article):
        for mention in _applies_mentions(item, catalogue, state.context):
            if mention.release is None or mention.release in state.affected:
                continue
            release = catalogue.releases[mention.release]
            if release.line in confirmed_lines and release.order < first_fix.get(release.line, -1):
                _add(state.affected, release.name)
                state.evidence.append({"fact": "affected", "token": item.text, "line": item.line,
                                       "release": release.name})


def _order(names: list[str], catalogue: Catalogue) -> list[str]:
    """Return canonical releases sorted by line name, then catalogue order."""
    return sorted(set(names), key=catalogue.order_key)


def extract_status(article: Article, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Return the status block of an article (schemas/status.schema.json); pure."""
    catalogue = catalogue or load_catalogue()
    state = _State(catalogue=catalogue, context=_context(article, catalogue))
    section = article.section("STATUS")
    if section is not None:
        for sentence in split_section(section):
            _read_sentence(sentence, article, state)
            # a label paragraph such as "Exchange Server Computer Is Operating Behind a Proxy
            # Server:" conditions the fix sentence that follows it (Q237327)
            if _is_label(sentence.text):
                state.pending_condition = sentence
    if not state.kinds & {"fixed", "fixed-latest-sp"}:
        _read_feature(article, state)

    tokens = fix_tokens(article, catalogue)
    keywords = [
        {"token": t.token, "release": t.release, "meaning": t.meaning, "line": line} for t, line in tokens
    ]
    fixed = list(state.fixed)
    if not fixed and state.feature and "confirmed" in state.kinds and section is not None:
        # "Microsoft has confirmed this to be a problem ... This feature was first included in
        # Exchange Server 5.5 Service Pack 4." (Q236575): the confirmed problem is fixed there.
        status_lines = {e["line"] for e in state.evidence if e["fact"] == "feature" and e["line"] >= section.line}
        if status_lines:
            fixed = list(state.feature)
            state.kinds.add("fixed")
            state.evidence.extend({**e, "fact": "fixed"} for e in list(state.evidence)
                                  if e["fact"] == "feature" and e.get("release") and e["line"] in status_lines)
    source: str | None = "status" if fixed else None
    # a version-level keyword (kbVBp600fix) says "fixed in some release of the line", never which,
    # unless the line has one release only (kbOutlook98fix: Outlook 98)
    fixed_tokens = [(t, line) for t, line in tokens if t.meaning in ("fixed", "release") and t.release
                    and (not catalogue.is_version_level(t.meaning, t.release)
                         or len(catalogue.lines[t.line].releases) == 1)]
    if not fixed and fixed_tokens and state.kinds & {"fixed-latest-sp", "confirmed", "confirmed-fixed-unnamed", "researching"} | (
        {"fixed"} if not state.kinds else set()
    ):
        # STATUS names no release (e.g. exc55sp2fix with "confirmed" only, ims-domain.md §4.5 rule 5)
        latest = [t for t, _ in fixed_tokens if t.line in state.latest_lines]
        # "corrected in the latest U.S. service pack for SNA Server version 4.0" with only
        # kbMSMQ100fix (Q235938): a keyword of another product does not name that service pack
        chosen = latest if state.latest_lines else [t for t, _ in fixed_tokens]
        for token in chosen:
            _add(fixed, token.release)  # type: ignore[arg-type]
            line = next(l for t, l in fixed_tokens if t is token)
            state.evidence.append({"fact": "fixed", "token": token.token, "line": line, "release": token.release})
        source = "keyword"

    hotfix: str | None = None
    for token, line in tokens:
        if token.meaning in ("pre", "nosp"):
            hotfix = token.release or f"{token.line} hotfix"
            state.evidence.append({"fact": "hotfix", "token": token.token, "line": line, "release": token.release})
            break

    kind = _kind(state, bool(fixed), source, hotfix is not None)
    if kind == "feature" and not fixed and state.feature:
        fixed = list(state.feature)
        source = "status"
    if kind != "feature":
        state.evidence = [e for e in state.evidence if e["fact"] != "feature"]
    _affected_from_applies_to(article, state, fixed)
    ordered_fixed = _order(fixed, catalogue)
    return {
        "kind": kind,
        "affected": _order(state.affected, catalogue),
        "fixed": None if not ordered_fixed else ordered_fixed[0] if len(ordered_fixed) == 1 else ordered_fixed,
        "fixed_source": source if ordered_fixed else None,
        "hotfix": hotfix,
        "condition": state.conditions[0]["text"] if state.conditions else None,
        "conditions": _dedupe(state.conditions),
        "keywords": keywords,
        "evidence": _dedupe(state.evidence),
        "unknown": _dedupe(state.unknown),
    }


def _kind(state: _State, has_fixed: bool, source: str | None, has_hotfix: bool) -> str:
    """Return the primary kind in the documented precedence (schemas/status.schema.json)."""
    kinds = state.kinds
    if has_fixed and source == "status":
        return "fixed"
    if "fixed-latest-sp" in kinds:
        return "fixed-latest-sp"
    if "hotfix" in kinds:
        return "hotfix"
    if has_fixed:
        return "fixed"
    if has_hotfix and kinds & {"confirmed", "confirmed-fixed-unnamed", "researching"}:
        return "hotfix"
    if "feature-named" in kinds and not kinds - {"feature-named"}:
        return "feature"
    for kind in ("researching", "by-design", "confirmed"):
        if kind in kinds:
            return kind
    if "confirmed-fixed-unnamed" in kinds:
        return "confirmed"
    if "feature-named" in kinds:
        return "feature"
    return "none"


def _read_feature_sentence(sentence: Sentence, start: int, state: _State) -> None:
    """Record the release a feature sentence names as first including it (not "the latest")."""
    state.kinds.add("feature-named")
    if _LATEST.search(sentence.text[max(0, start - 12) : start + 40]):
        state.evidence.append({"fact": "feature", "text": sentence.text, "line": sentence.line})
        return
    for mention in _claim(sentence, start, state):
        _add(state.feature, mention.release)  # type: ignore[arg-type]
        state.evidence.append({"fact": "feature", "text": sentence.text, "line": sentence.line,
                               "release": mention.release})


def _read_feature(article: Article, state: _State) -> None:
    """Read "This feature was first included in Exchange Server 5.5 Service Pack N" (RESOLUTION...)."""
    recognise = dict(RECOGNISERS)["feature"]
    for name in _FEATURE_SECTIONS:
        section = article.section(name)
        if section is None:
            continue
        for sentence in split_section(section, ("paragraph",)):
            start = recognise(sentence.text)
            if start is not None:
                _read_feature_sentence(sentence, start, state)


def _is_label(text: str) -> bool:
    """Return True for a title-case label line ending in a colon ("Behind a Proxy Server:")."""
    words = text.rstrip(":").split()
    if not text.endswith(":") or not 1 <= len(words) <= 14 or any(r(text) is not None for _, r in RECOGNISERS):
        return False
    return sum(word[:1].isupper() for word in words) * 2 >= len(words) + 1


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop repeated entries, keeping first occurrences in order."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for item in items:
        key = tuple(sorted(item.items()))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


__all__ = ["extract_status", "fix_tokens", "split_text"]
