"""Find product releases named in a sentence: "Exchange Server version 5.5, SP1, and SP2"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kb.releases.catalogue import Catalogue, Family, Line, normalize_name

# An item of a version list: "5.5", "5.5 Service Pack 3", "SP2", "US Service Pack 4 (SP4)".
_VERSION = r"(?P<ver>\d+(?:\.\d+)*[a-z]?|XP)(?![\w.]*\d)"
_SP = r"(?:US\s+)?(?:Service\s+Packs?\s+)*(?:Service\s+Packs?|SP)\s*-?\s*(?P<sp>\d+[a-z]?)\b(?:\s*\(SP\s*\d+[a-z]?\))?"
_SR = r"(?:Service\s+Release|SR)\s*-?\s*(?P<sr>\d+[a-z]?)\b"
_SUFFIX = rf"(?:{_SP}|{_SR})"
_ITEM = re.compile(rf"\s*(?:{_VERSION}(?:\s+{_SUFFIX.replace('?P<sp>', '?P<sp1>').replace('?P<sr>', '?P<sr1>')})?|{_SUFFIX})", re.I)
# "Windows NT version 4.0, Service Pack 4" (one release) versus "4.0, SP1, SP2" (a list).
_COMMA_SUFFIX = re.compile(rf",\s*{_SUFFIX}", re.I)
_JOIN = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,\s*|\s+(?:and|or|through|to)\s+)", re.I)
# Service-pack numbers that follow a plural "Service Packs 3 and 4".
_MORE_SP = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?P<sp>\d+[a-z]?)\b")
# "Service Pack 4 for Microsoft Exchange Server 5.5": a service pack written before the product.
_PREFIX_SP = re.compile(rf"(?:{_SP}|{_SR})\s+(?:for|of|to)\s+(?:the\s+)?(?:Microsoft\s+)?$", re.I)
# Edition words between a product and its version, dropped as kb-format.md §6.3 drops
# "16/32-bit": "Visual C++, 32-bit Enterprise Edition, version 4.2" (Q154652), "Visual C++
# 32-bit Edition, versions 1.0, 2.0" (Q122790), "Visual FoxPro for Windows version 5.0".
_EDITION = (
    r"(?:,?\s*(?:(?:16|32)-bit|Professional|Enterprise|Standard|Learning|Academic|Developer|Personal|"
    r"Workgroup|Desktop|Small\s+Business|Control\s+Creation|Subscription|Crossroads|Upgrade)"
    r"(?:\s+(?:and|&)\s+(?:Professional|Enterprise|Standard|Learning|Developer))?(?:\s+Editions?)?)*"
    # "for Windows" but not "Exchange for Windows 95, versions 4.0, 5.0" (a client, Q157057)
    r"(?:\s+for\s+(?:Windows(?!\s+(?:95|98|NT|3|2000|CE|XP|for)\b)|Win32|Macintosh|MS-DOS))?"
)
_LEAD = re.compile(rf"(?:{_EDITION}(?=[\s,]*versions?\s))?[\s,]*(?:(?:versions?|builds?)\s+)?", re.I)
# Whole words a product name must not be glued to ("Exchange Server" inside "Exchange Serverless").
_WORD_END = r"(?![\w+])"
# A service pack we could not read just before the product ("Service Pack o4 Microsoft Exchange
# Server 4.0", "the Post-SP2 fix for Exchange Server 5.0"): the release is not the RTM, so unknown.
_DANGLING_SP = re.compile(r"(?:Service\s+Pack|\bSP)[^.]{0,25}$", re.I)
# "Exchange Windows 95 client version 5.0" names a client, not Windows 95.
_CLIENT = re.compile(r"\s*(?:clients?|client\s+software)\b", re.I)
# "Microsoft Exchange version 4.0 Windows 3.x, Windows 95, and Windows NT clients": the list
# after the version names clients of that version, not the server release.
_CLIENT_TAIL = re.compile(
    r"(?:\s*,?\s*(?:and\s+|or\s+)?(?:Windows|NT|MS-DOS|DOS|Macintosh|for|the|3\.x|9\.x|9x|\d+-bit|95|98|2000))+\s+clients?\b",
    re.I,
)
# A capitalised word glued before the name makes it part of another product
# ("Linkage Message Exchange", "Microsoft Exchange Windows 95 client").
_GLUED_WORD = re.compile(r"(?<![.:;])\b(?!(?:The|In|For|And|Of|With|On|To|Microsoft|US|See|Both|Also|Only|Under)\b)[A-Z][\w+.-]*\s+$")
# "version 5.0 of Microsoft Exchange": the version written before the product.
_PREFIX_VERSION = re.compile(r"\bversions?\s+(?P<list>\d[\w.]*(?:(?:,\s*|,?\s+(?:and|or)\s+)\d[\w.]*)*),?\s+of\s+(?:the\s+)?(?:Microsoft\s+)?$", re.I)
_US = re.compile(r"\bU\.\s?S\.?(?=\s)")
# "Windows NT Workstation or Server version 3.51" (Q120421): a second edition word of the same
# family shares the version that follows it.
_OTHER_EDITION = re.compile(r"\s+(?:or|and|/)\s+(?P<word>[A-Z][\w-]*)(?=[\s,])")
# "Windows NT Server version 3.50" is version 3.5 (Q120753), "Exchange version 4.00" is 4.0.
_TRAILING_ZEROS = re.compile(r"^(\d+\.\d)0+$")


@dataclass(frozen=True)
class Mention:
    """A release named in text: the canonical release, or None with the text when unknown."""

    release: str | None
    text: str
    line: str | None
    start: int
    has_sp: bool
    end: int = 0


@cache
def _product_pattern(catalogue: Catalogue) -> tuple[re.Pattern[str], dict[str, tuple[Family, Line | None]]]:
    """Return one regex of every product name (longest first) and what each name denotes."""
    table: dict[str, tuple[Family, Line | None]] = {}
    alternatives = []
    for name, family, line in catalogue.surface_names():
        key = name.lower().replace(",", "")
        key = " ".join(key.split())
        if key in table:
            continue
        table[key] = (family, line)
        words = [re.escape(word) for word in name.replace(",", " ").split()]
        alternatives.append(r",?\s+(?:version\s+)?".join(words))
    pattern = re.compile(r"(?<![\w+])(?:Microsoft\s+)?(" + "|".join(alternatives) + ")" + _WORD_END, re.I)
    return pattern, table


def _lookup(table: dict[str, tuple[Family, Line | None]], surface: str) -> tuple[Family, Line | None]:
    """Return the family/line of a matched product name."""
    key = re.sub(r"\bversion\b", " ", surface.lower().replace(",", " "))
    return table[" ".join(key.split())]


def _items(text: str, pos: int) -> tuple[list[tuple[str | None, str | None]], int]:
    """Read a version list starting at ``pos``: [(version, sp)], and where it ends."""
    items: list[tuple[str | None, str | None]] = []
    lead = _LEAD.match(text, pos)
    cursor = lead.end() if lead else pos
    while True:
        match = _ITEM.match(text, cursor)
        if match is None or match.end() == cursor:
            break
        version = match.group("ver")
        sp = match.group("sp1") or match.group("sp")
        sr = match.group("sr1") or match.group("sr")
        label = f"SR-{sr}" if sr else sp
        cursor = match.end()
        if version is not None and label is None:
            suffix = _COMMA_SUFFIX.match(text, cursor)
            if suffix is not None:
                after = _JOIN.match(text, suffix.end())
                if after is None or _ITEM.match(text, after.end()) is None:
                    sp, sr = suffix.group("sp"), suffix.group("sr")
                    label = f"SR-{sr}" if sr else sp
                    cursor = suffix.end()
        items.append((version, label))
        if sp and re.search(r"packs", match.group(0), re.I):
            while (more := _MORE_SP.match(text, cursor)) is not None:
                items.append((None, more.group("sp")))
                cursor = more.end()
        join = _JOIN.match(text, cursor)
        if join is None:
            break
        nxt = _ITEM.match(text, join.end())
        if nxt is None or nxt.end() == join.end():
            break
        cursor = join.end()
    return items, cursor


def scan(
    text: str, catalogue: Catalogue, context: list[str] | None = None, recent: dict[str, str] | None = None
) -> list[Mention]:
    """Return every release the text names, in order; unknown versions come back with release None.

    ``context`` lists product lines the article is about (applies-to, PROD/VER); a family named
    with a service pack but no version ("Exchange Server Service Pack 2") resolves only when
    exactly one line of that family is in the context, or from ``recent`` (family -> the line
    the text named last, e.g. in the sentence before).
    """
    text = _US.sub("US", text)
    pattern, table = _product_pattern(catalogue)
    mentions: list[Mention] = []
    skip_until = 0  # the platform list of a client phrase already read
    for match in pattern.finditer(text):
        if match.start() < skip_until:
            continue
        family, line = _lookup(table, match.group(1))
        items, end = _items(text, match.end())
        if not items:
            items, end = _other_edition_items(text, match, table, family) or (items, end)
        if items:
            # "Visual FoxPro for Windows, versions 3.0, 3.0b": the edition words read before the
            # version list hold no product of their own
            skip_until = max(skip_until, end)
        prefix = _PREFIX_SP.search(text[: match.start()])
        prefix_sp = None
        if prefix is not None:
            prefix_sp = f"SR-{prefix.group('sr')}" if prefix.group("sr") else prefix.group("sp")
        surface = text[match.start() : end].strip(" ,")
        glued = _GLUED_WORD.search(text[max(0, match.start() - 30) : match.start()])
        if glued is not None:
            mentions.append(Mention(None, (glued.group(0) + surface).strip(), None, match.start(), False, end))
            continue
        if not items:
            before = _PREFIX_VERSION.search(text[max(0, match.start() - 60) : match.start()])
            if before is not None:
                items = [(v, None) for v in re.findall(r"\d[\w.]*\w|\d", before.group("list"))]
        tail = _CLIENT_TAIL.match(text, end)
        if tail is not None:
            skip_until = tail.end()
        if _CLIENT.match(text, end) or _CLIENT.match(text, match.end()) or tail is not None:
            clients = catalogue.family_named(family.clients) if family.clients else None
            if clients is None or not items:
                mentions.append(Mention(None, surface + " client", None, match.start(), False, end))
                continue
            family, line = clients, None
        dangling = prefix_sp is None and _DANGLING_SP.search(text[max(0, match.start() - 40) : match.start()])
        if not items:
            if line is not None:
                items = [(None, prefix_sp)]
            elif prefix_sp is not None:
                items = [(None, prefix_sp)]
            else:
                continue
        current = line
        for version, sp in items:
            if version is not None and sp is None:
                # a release spelled as a version: "Visual FoxPro 5.0a", "Exchange Server 4.0a"
                named = next((r for r in (catalogue.find(f"{n} {version}") for n in (family.name, *family.names))
                              if r is not None and r.product == family.name and not r.is_rtm), None)
                if named is not None:
                    mentions.append(Mention(named.name, surface, named.line, match.start(), False, end))
                    current = catalogue.lines[named.line]
                    continue
            if version is not None:
                current = _line_for(catalogue, family, version)
                if current is None:
                    # the version is not in the catalogue: report, never guess
                    mentions.append(Mention(None, surface, None, match.start(), sp is not None, end))
                    continue
            if current is None and recent and family.name in recent:
                current = catalogue.lines[recent[family.name]]
            if current is None:
                current = _line_from_context(catalogue, family, context or [])
                if current is None:
                    mentions.append(Mention(None, surface, None, match.start(), sp is not None, end))
                    continue
            sp = sp or (prefix_sp if len(items) == 1 else None)
            release = None if dangling and sp is None else _release(catalogue, current, sp)
            named_extra = _named_release(catalogue, current, text, match.start()) if len(items) == 1 else None
            if named_extra is not None:
                release = named_extra
            mentions.append(Mention(release, surface, current.name, match.start(), sp is not None, end))
    return mentions


def _other_edition_items(
    text: str, match: re.Match[str], table: dict[str, tuple[Family, Line | None]], family: Family
) -> tuple[list[tuple[str | None, str | None]], int] | None:
    """Read the versions after "<name> or <other edition word>" when both words name ``family``."""
    other = _OTHER_EDITION.match(text, match.end())
    if other is None:
        return None
    words = match.group(1).split()
    candidate = " ".join([*words[:-1], other.group("word")]).lower().replace(",", "")
    if table.get(" ".join(candidate.split()), (None,))[0] is not family:
        return None
    items, end = _items(text, other.end())
    return (items, end) if items else None


def _named_release(catalogue: Catalogue, line: Line, text: str, start: int) -> str | None:
    """Return a release named by words rather than a service pack ("Windows 95 OSR2",
    "Systems Management Server 2.0 Service Pack 2 Hotfix Rollup Package") written at ``start``."""
    following = normalize_name(text[start : start + 160]) + " "
    best: tuple[int, str] | None = None
    for release in line.releases:
        if release.sp is not None or release.is_rtm:
            continue
        for form in (release.name, *release.aliases):
            key = normalize_name(form)
            if following.startswith(key + " ") and (best is None or len(key) > best[0]):
                best = (len(key), release.name)
    return best[1] if best else None


def _line_for(catalogue: Catalogue, family: Family, version: str) -> Line | None:
    """Return the family's line with this version ("5.5", "4", "XP")."""
    for low in dict.fromkeys([version.lower(), _TRAILING_ZEROS.sub(r"\1", version.lower())]):
        for line in family.lines:
            if low in {v.lower() for v in (line.version, *line.versions)}:
                return line
    # "Windows NT Server version 4.0" where the name is a TSE-style line name of another family
    found = catalogue.find_line(f"{family.name} {version}")
    return found if found is not None and found.product == family.name else None


def _line_from_context(catalogue: Catalogue, family: Family, context: list[str]) -> Line | None:
    """Return the one line of ``family`` among the context lines, else None."""
    lines = {name for name in context if catalogue.lines[name].product == family.name}
    return catalogue.lines[lines.pop()] if len(lines) == 1 else None


def _release(catalogue: Catalogue, line: Line, sp: str | None) -> str | None:
    """Return the canonical release of ``line`` for a service-pack label (None: RTM)."""
    if sp is None:
        return line.releases[0].name
    found = catalogue.find(f"{line.name} {'SR' + sp[3:] if sp.upper().startswith('SR-') else 'SP' + sp}")
    return found.name if found is not None and found.line == line.name else None
