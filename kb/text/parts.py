"""The fixed parts around the body: header values, applies-to items, footer fields, legal notice.

Each ``read_*`` function has a ``*_lines`` twin that regenerates the part's lines; the parser
keeps the raw lines only when the two disagree, so the writer never loses a byte.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from kb.model import AppliesTo, FooterField, Notice
from kb.text.segmenter import APPLIES_TO, FOOTER_RE, TRAILER_RULE

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
TITLE_PREFIX_RE = re.compile(r"^([A-Z][A-Z0-9]{1,11}): (\S.*)$")
ITEM_RE = re.compile(r"^( *)- (.*?)( ?)$")
VERSION_RE = re.compile(r"^(?P<product>.*?),?\s+versions?\s+(?P<versions>.+)$", re.I)
BARE_VERSION_RE = re.compile(r"^(?P<product>.*?\D)\s+(?P<versions>\d[\w.]*(?:\s+SP\d+[a-z]?)?)$")
FOOTER_WIDTH = 18
NOTICE_KIND = "ms-kb-legal"
LEGAL_NOTICE: tuple[str, ...] = (
    "THE INFORMATION PROVIDED IN THE MICROSOFT KNOWLEDGE BASE IS",
    'PROVIDED "AS IS" WITHOUT WARRANTY OF ANY KIND.  MICROSOFT DISCLAIMS',
    "ALL WARRANTIES, EITHER EXPRESS OR IMPLIED, INCLUDING THE WARRANTIES",
    "OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE.  IN NO",
    "EVENT SHALL MICROSOFT CORPORATION OR ITS SUPPLIERS BE LIABLE FOR",
    "ANY DAMAGES WHATSOEVER INCLUDING DIRECT, INDIRECT, INCIDENTAL,",
    "CONSEQUENTIAL, LOSS OF BUSINESS PROFITS OR SPECIAL DAMAGES, EVEN IF",
    "MICROSOFT CORPORATION OR ITS SUPPLIERS HAVE BEEN ADVISED OF THE",
    "POSSIBILITY OF SUCH DAMAGES.  SOME STATES DO NOT ALLOW THE EXCLUSION",
    "OR LIMITATION OF LIABILITY FOR CONSEQUENTIAL OR INCIDENTAL DAMAGES",
    "SO THE FOREGOING LIMITATION MAY NOT APPLY.",
)


def parse_date(text: str) -> dt.date:
    """Parse ``01-JUN-2001``; raises ValueError for an unknown month or impossible day."""
    day, month, year = text.split("-")
    return dt.date(int(year), MONTHS.index(month) + 1, int(day))


def format_date(date: dt.date) -> str:
    """Format a date the way the DOCUMENT line does (``01-JUN-2001``)."""
    return f"{date.day:02d}-{MONTHS[date.month - 1]}-{date.year:04d}"


def split_title(raw: str) -> tuple[str | None, str]:
    """Split ``XFOR: Internet Mail ...`` into its prefix and title."""
    match = TITLE_PREFIX_RE.match(raw)
    if match:
        return match.group(1), match.group(2)
    return None, raw


PARENT_SUFFIX_RE = re.compile(r",?\s*(?:on platform\(s\)|used with|included with)?\s*:\s*$", re.I)
ROLE_PREFIX_RE = re.compile(r"^the (?:operating system|[a-z ]{3,30}?):\s+", re.I)
QUALIFIER_RE = re.compile(r"^(?P<versions>.*?\d[\w.]*)(?P<qualifier>\s+(?:for|on)\s+\D.*)$")
SERVICE_PACKS_RE = re.compile(r"^(?P<base>.*?)\s*(?:Service Packs|SPs)\s+(?P<first>\d+[a-z]?)$", re.I)
# "5.0, 5.5", "6.0, 6.0a and 6.0c"; but "3.20 and later" is one version.
VERSION_SPLIT_RE = re.compile(r",\s*(?:and\s+)?|\s+and\s+(?!later\b|earlier\b|above\b)")
# "…, 1991, 1992 editions" (551 items) and "… 1998 edition" (kb-format §2.3).
EDITIONS_RE = re.compile(r"^(?P<product>.*?),?\s+(?P<years>\d{4}(?:(?:,\s*|\s+and\s+)\d{4})*)\s+editions?$", re.I)
# "Microsoft Exchange 2000 Server SP1": a service pack after a product name that holds its version.
SERVICE_PACK_ONLY_RE = re.compile(r"^(?P<product>.*?[A-Za-z)])\s+(?P<versions>SP\d+[a-z]?)$")
# "Microsoft Windows 2000 Server", "Microsoft Word 97 for Windows", "Microsoft Exchange 2000 Server
# SP1": a product whose name carries its version (a year, 95-98 or XP) before more words.
NAMED_VERSION_RE = re.compile(
    r"^(?P<lead>.*?[A-Za-z])\s+(?P<version>(?:19[89]\d|20[0-2]\d|9[5-8]|XP))(?P<rest>\s+[A-Za-z(].*?)"
    r"(?:\s+(?P<sp>SP\d+[a-z]?))?$"
)


def _split_versions(text: str) -> list[str]:
    """Split "5.0, 5.5" / "5.5 Service Packs 1, 2" into single versions (the latter per pack)."""
    parts = [re.sub(r"^versions?\s+", "", v.strip(), flags=re.I) for v in VERSION_SPLIT_RE.split(text) if v.strip()]
    out: list[str] = []
    base: str | None = None
    for part in parts:
        packs = SERVICE_PACKS_RE.match(part)
        if packs:
            base = packs.group("base")
            out.append(f"{base} Service Pack {packs.group('first')}".strip())
        elif base is not None and re.fullmatch(r"\d+[a-z]?", part):
            out.append(f"{base} Service Pack {part}".strip())
        else:
            base = None
            out.append(part)
    return out


def _with_version_word(body: str) -> tuple[str, list[str]] | None:
    """Split "Product, version(s) X[, Y]" and "Product version(s) X" (the common wordings)."""
    match = VERSION_RE.match(body)
    if not match:
        return None
    product = match.group("product").rstrip(", ").strip()
    versions = match.group("versions")
    qualified = QUALIFIER_RE.match(versions)
    if qualified:  # "versions 3.01, 3.02 for Windows 95": the platform belongs to the product
        versions = qualified.group("versions")
        product = product + qualified.group("qualifier")
    found = _split_versions(versions)
    # "version 4.0, Terminal Server Edition", "versions 4.0, 5.0, Japanese version": a trailing
    # part without a digit names an edition of the product, not a version.
    editions: list[str] = []
    while len(found) > 1 and not any(char.isdigit() for char in found[-1]):
        editions.insert(0, found.pop())
    return ", ".join([product, *editions]), found


def _with_editions(body: str) -> tuple[str, list[str]] | None:
    """Split "Product, 1991, 1992 editions" into the product and one version per edition."""
    match = EDITIONS_RE.match(body)
    if not match:
        return None
    years = re.findall(r"\d{4}", match.group("years"))
    return match.group("product").rstrip(", ").strip(), [f"{year} edition" for year in years]


def _with_bare_number(body: str) -> tuple[str, list[str]] | None:
    """Split "Product 3.1" / "Product 5.5 SP3" (a number without the word version)."""
    match = BARE_VERSION_RE.match(body)
    if not match:
        return None
    return match.group("product").rstrip(", ").strip(), _split_versions(match.group("versions"))


def _with_version_in_name(body: str) -> tuple[str, list[str]] | None:
    """Read the version a product name carries ("Microsoft Windows 2000 Server" -> 2000); the name stays whole."""
    match = NAMED_VERSION_RE.match(body)
    if not match:
        return None
    sp = match.group("sp")
    product = body[: match.start("sp")].rstrip() if sp else body
    return product, [f"{match.group('version')} {sp}" if sp else match.group("version")]


def _with_service_pack(body: str) -> tuple[str, list[str]] | None:
    """Split "Microsoft Exchange 2000 Server SP1" into the product and its service pack."""
    match = SERVICE_PACK_ONLY_RE.match(body)
    if not match:
        return None
    return match.group("product").rstrip(", ").strip(), [match.group("versions")]


#: Ordered item wordings (kb-format §2.3); the first that matches splits the item.
ITEM_WORDINGS: list[Callable[[str], tuple[str, list[str]] | None]] = [
    _with_version_word,
    _with_editions,
    _with_bare_number,
    _with_version_in_name,
    _with_service_pack,
]


def _product_versions(text: str) -> tuple[str, list[str]]:
    """Split an applies-to item into its product and versions (kb-format §2.3 wordings)."""
    body = PARENT_SUFFIX_RE.sub("", text.strip())
    body = ROLE_PREFIX_RE.sub("", body)
    for wording in ITEM_WORDINGS:
        found = wording(body)
        if found is not None:
            product, versions = found
            return product or body, versions
    return body, []


def read_applies_to(lines: list[str], first_line: int) -> list[AppliesTo]:
    """Read the bullet items between the applies-to rules into a tree (indent 1, 4, 7, 10)."""
    roots: list[AppliesTo] = []
    stack: list[tuple[int, AppliesTo]] = []
    for number, line in enumerate(lines, start=first_line):
        match = ITEM_RE.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        product, versions = _product_versions(match.group(2))
        item = AppliesTo(
            line=number, text=match.group(2), product=product, versions=versions, trailing_space=bool(match.group(3))
        )
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(item)
        stack.append((indent, item))
    return roots


def applies_to_lines(items: list[AppliesTo], rule: int) -> list[str]:
    """Regenerate the applies-to block: rule, sentence, empty line, items, rule."""
    out = ["-" * rule, APPLIES_TO, ""]

    def walk(nodes: list[AppliesTo], depth: int) -> None:
        """Append the item lines of ``nodes`` at nesting ``depth``."""
        for node in nodes:
            out.append(" " * (1 + 3 * depth) + "- " + node.text + (" " if node.trailing_space else ""))
            walk(node.children, depth + 1)

    walk(items, 0)
    out.append("-" * rule)
    return out


def read_footer(lines: list[str], first_line: int) -> list[FooterField]:
    """Read ``Label             : value`` lines (label padded to 18 columns)."""
    fields: list[FooterField] = []
    for number, line in enumerate(lines, start=first_line):
        match = FOOTER_RE.match(line)
        if match:
            fields.append(FooterField(key=match.group(1), value=match.group(3), line=number))
    return fields


def footer_lines(fields: list[FooterField]) -> list[str]:
    """Regenerate the footer field lines."""
    return [f"{item.key.ljust(FOOTER_WIDTH)}: {item.value}" for item in fields]


def read_notice(lines: list[str]) -> Notice | None:
    """Recognise the 16-line legal trailer; None when it is not the known notice."""
    if len(lines) != 16:
        return None
    match = re.fullmatch(r"Copyright Microsoft Corporation (\d{4})\.", lines[-1])
    if not match:
        return None
    notice = Notice(kind=NOTICE_KIND, year=int(match.group(1)))
    return notice if notice_lines(notice) == lines else None


def notice_lines(notice: Notice) -> list[str]:
    """Regenerate the legal trailer of a known notice."""
    if notice.kind != NOTICE_KIND:
        raise ValueError(f"unknown notice kind {notice.kind!r}, expected {NOTICE_KIND!r}")
    return ["", TRAILER_RULE, "", *LEGAL_NOTICE, "", f"Copyright Microsoft Corporation {notice.year}."]


def keywords(footer_value: str | None, header_value: str) -> list[str]:
    """Return the keyword tokens: the footer ``Keywords`` (the header copy is lossy, §1)."""
    source = footer_value if footer_value is not None else header_value
    return source.split()
