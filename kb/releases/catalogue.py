"""Load the release catalogue and resolve release names, aliases and fix keywords."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from kb.exceptions import ConfigError, ReleaseError
from kb.resources import data_path

# Words that never change which release a name means: "Microsoft Exchange Server, version
# 5.5 U.S. Service Pack 4" and "Exchange Server 5.5 SP4" are the same release.
_NOISE = re.compile(r"\b(?:microsoft|the|versions?|us|u\.s\.?|english|rtm|release to manufacturing)\b|[,()®]")
_SERVICE_PACK = re.compile(r"\b(?:service\s*packs?|sp)\s*-?\s*(\d+[a-z]?)\b")
_SERVICE_RELEASE = re.compile(r"\b(?:service\s*releases?|sr)\s*-?\s*(\d+[a-z]?)\b")
_SPACE = re.compile(r"\s+")

# kb-format.md §6.2: the fix-keyword grammar (lower-cased).
FIX_TOKEN = re.compile(
    r"^(?:kb)?(?P<prod>[a-z]+?)(?P<ver>\d+[a-z]?)?(?P<pre>pre)?"
    r"(?:(?P<kind>sp|sr)(?P<n>\d+[a-z]?))?(?P<nosp>nosp)?(?P<fix>fix)?(?:nosp)?$"
)


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """Return the comparison key of a release name: lower case, noise words dropped, SPn/SRn."""
    # Cached: status extraction asks for the same few hundred names dozens of times an article.
    key = text.lower().replace("u.s.", " ")
    key = _NOISE.sub(" ", key)
    key = _SERVICE_PACK.sub(lambda m: f" sp{m.group(1)} ", key)
    key = _SERVICE_RELEASE.sub(lambda m: f" sr{m.group(1)} ", key)
    key = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", key)
    return _SPACE.sub(" ", key).strip()


def token_versions(ver: str) -> list[str]:
    """Return the version spellings a fix-keyword version may stand for (550 -> 5.5, 4 -> 4.0)."""
    digits, suffix = re.match(r"(\d+)([a-z]?)", ver).groups()  # type: ignore[union-attr]
    candidates: list[str] = []
    if len(digits) == 3:
        whole, frac = digits[0], digits[1:].rstrip("0") or "0"
        candidates.append(f"{whole}.{frac}{suffix}")
    elif len(digits) == 2:
        candidates += [f"{digits}{suffix}", f"{digits[0]}.{digits[1]}{suffix}"]
    elif len(digits) == 1:
        candidates += [f"{digits}.0{suffix}", f"{digits}{suffix}"]
    else:
        candidates.append(f"{digits}{suffix}")
    return candidates


@dataclass(frozen=True)
class Release:
    """One release of a product line, e.g. Exchange Server 5.5 SP4."""

    name: str
    product: str
    line: str
    order: int
    sp: str | None = None
    build: str | None = None
    date: str | None = None
    components: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    notes: str | None = None
    patch_of: str | None = None  # "Visual C++ 4.2b" -> "Visual C++ 4.2" (a patch-letter re-release)

    @property
    def is_rtm(self) -> bool:
        """Return True for the line's first release (no service pack)."""
        return self.order == 0


@dataclass(frozen=True)
class Hotfix:
    """A component build shipped between service packs (ims-domain.md §1.3)."""

    line: str
    component: str
    build: str
    after: str
    source: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Line:
    """A product line (one version of a product) and its releases in ship order."""

    name: str
    product: str
    version: str
    versions: tuple[str, ...]
    names: tuple[str, ...]
    releases: tuple[Release, ...]
    unreleased: tuple[str, ...] = ()
    hotfixes: tuple[Hotfix, ...] = ()
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    """A product family: the names articles use for it and its fix-keyword prefixes."""

    name: str
    names: tuple[str, ...]
    tokens: tuple[str, ...]
    lines: tuple[Line, ...]
    clients: str | None = None


@dataclass(frozen=True)
class FixToken:
    """A fix keyword decoded: which release it names and what it says about it."""

    token: str
    meaning: str  # fixed | pre | nosp | release
    line: str
    release: str | None  # None: a pre token naming a service pack that never shipped
    sp: str | None
    fix: bool = True  # False for version keywords without "fix" (exc55sp4 = affected SP4)


class Catalogue:
    """Products, lines and releases in order, with name, alias and keyword resolution."""

    def __init__(self, families: Iterable[Family], path: str = "catalogue.yaml") -> None:
        self.path = path
        self.families: tuple[Family, ...] = tuple(families)
        self.lines: dict[str, Line] = {}
        self.releases: dict[str, Release] = {}
        self._index: dict[str, Release] = {}
        self._line_index: dict[str, Line] = {}
        self._tokens: dict[str, Family] = {}
        self._line_tokens: dict[str, Line] = {}
        bare: dict[str, set[str]] = {}
        for family in self.families:
            for prefix in family.tokens:
                self._tokens[prefix] = family
            for line in family.lines:
                self.lines[line.name] = line
                for prefix in line.tokens:
                    self._line_tokens[prefix] = line
                for form in self._line_forms(family, line):
                    self._line_index.setdefault(normalize_name(form), line)
                for release in line.releases:
                    self.releases[release.name] = release
                    for alias in self._release_forms(family, line, release):
                        self._index.setdefault(normalize_name(alias), release)
                    for version in (line.version, *line.versions):
                        suffix = "" if release.sp is None else self._suffix(release.sp)
                        bare.setdefault(normalize_name(f"{version} {suffix}"), set()).add(release.name)
        # "5.5 Service Pack 4" names a release only when one line in the catalogue has it.
        self._bare: dict[str, Release] = {
            key: self.releases[next(iter(names))] for key, names in bare.items() if len(names) == 1
        }

    @staticmethod
    def _line_forms(family: Family, line: Line) -> list[str]:
        """Return every full name of a line: its own names and family name x version."""
        forms = [line.name, *line.names]
        for name in family.names:
            for version in (line.version, *line.versions):
                forms.append(f"{name} {version}")
        return forms

    def _release_forms(self, family: Family, line: Line, release: Release) -> list[str]:
        """Return every alias of a release generated from its line's names, plus its own."""
        forms = [release.name, *release.aliases]
        if release.sp is None and release.order > 0:
            return forms  # e.g. Visual FoxPro 5.0a: only its own name and aliases
        for form in self._line_forms(family, line):
            forms.append(form if release.sp is None else f"{form} {self._suffix(release.sp)}")
        return forms

    @staticmethod
    def _suffix(sp: str) -> str:
        """Return the release suffix for a service pack / service release label."""
        return f"SR{sp[3:]}" if sp.upper().startswith("SR-") else f"SP{sp}"

    # -- lookup ------------------------------------------------------------------------

    def resolve(self, name: str, context: str | None = None) -> Release:
        """Return the release a canonical name, alias or fix keyword names.

        ``context`` (a line name such as "Exchange Server 5.5") resolves bare service-pack
        names like "SP4" or "Service Pack 4". Raises ReleaseError for anything unknown.
        """
        found = self.find(name, context)
        if found is None:
            raise ReleaseError(
                f"unknown release {name!r}: expected a catalogue release such as "
                f"'Exchange Server 5.5 SP4'" + (f" (in the context of {context!r})" if context else "")
            )
        return found

    def find(self, name: str, context: str | None = None) -> Release | None:
        """Return the release a name or alias names, or None when the catalogue lacks it."""
        key = normalize_name(name)
        if key in self._index:
            return self._index[key]
        if context is not None:
            line = self.find_line(context)
            if line is not None:
                hit = self._in_line(line, key)
                if hit is not None:
                    return hit
        if key in self._bare:
            return self._bare[key]
        token = self.decode_token(name)
        if token is not None and token.release is not None:
            return self.releases[token.release]
        return None

    def _in_line(self, line: Line, key: str) -> Release | None:
        """Return the release of ``line`` a bare suffix names ("sp4", "5.5 sp4", "rtm")."""
        for version in ("", line.version, *line.versions):
            candidate = normalize_name(f"{line.name} {key.removeprefix(version).strip()}")
            if candidate in self._index and self._index[candidate].line == line.name:
                return self._index[candidate]
        return None

    def find_line(self, name: str) -> Line | None:
        """Return the product line a name denotes ("Exchange Server 5.5", "Exchange 5.5")."""
        key = normalize_name(name)
        if key in self._line_index:
            return self._line_index[key]
        release = self._index.get(key)
        return self.lines[release.line] if release is not None else None

    def line_of(self, release: str) -> Line:
        """Return the line a canonical release belongs to."""
        return self.lines[self.resolve(release).line]

    def family_named(self, name: str) -> Family | None:
        """Return the family whose canonical name is ``name``, or None."""
        return next((f for f in self.families if f.name == name), None)

    def family(self, name: str) -> Family | None:
        """Return the family a surface name denotes ("Microsoft Exchange Server" -> Exchange Server)."""
        key = normalize_name(name)
        for family in self.families:
            if key in {normalize_name(n) for n in (family.name, *family.names)}:
                return family
        return None

    def decode_token(self, token: str) -> FixToken | None:
        """Decode a fix keyword (kbExchange550sp4Fix, exc55sp2fix, kbExchange550preSP5fix).

        Returns None for tokens that are not version-bearing fix keywords or whose product
        or version the catalogue does not know.
        """
        match = FIX_TOKEN.match(token.lower())
        if match is None or not (match["ver"] or match["n"]):
            return None
        line: Line | None = None
        named: Release | None = None
        if match["ver"] is None:
            line = self._line_tokens.get(match["prod"])
        elif match["prod"] in self._tokens:
            family = self._tokens[match["prod"]]
            line = self._line_for_version(family, match["ver"])
            if line is None:
                # a release spelled in the version itself: kbvfp500afix -> Visual FoxPro 5.0a
                for candidate in token_versions(match["ver"]):
                    for name in (family.name, *family.names):
                        named = named or self._index.get(normalize_name(f"{name} {candidate}"))
                if named is not None:
                    line = self.lines[named.line]
        if line is None:
            return None
        sp = match["n"]
        if match["kind"] == "sr" and sp:
            sp = f"SR-{sp}"
        if match["pre"]:
            meaning = "pre"
        elif match["nosp"]:
            meaning = "nosp"
        elif sp:
            meaning = "fixed"
        else:
            meaning = "release"
        release: str | None = None
        if sp:
            hit = next((r for r in line.releases if (r.sp or "").lower() == sp.lower()), None)
            if hit is None:
                hit = self._index.get(normalize_name(f"{line.name} {self._suffix(sp)}"))
                hit = hit if hit is not None and hit.line == line.name else None
            if hit is None and sp.lower() not in {u.lower() for u in line.unreleased}:
                return None
            release = hit.name if hit else None
        else:
            release = (named or line.releases[0]).name
        return FixToken(token=token, meaning=meaning, line=line.name, release=release, sp=sp, fix=bool(match["fix"]))

    @staticmethod
    def _line_for_version(family: Family, ver: str) -> Line | None:
        """Return the family's line whose version a keyword version spells."""
        for candidate in token_versions(ver):
            for line in family.lines:
                if candidate in (line.version, *line.versions):
                    return line
        return None

    def surface_names(self) -> list[tuple[str, Family, Line | None]]:
        """Return every product name articles use, longest first, with its family and line."""
        out: list[tuple[str, Family, Line | None]] = []
        for family in self.families:
            for name in {family.name, *family.names}:
                out.append((name, family, None))
            for line in family.lines:
                for name in line.names:
                    out.append((name, family, line))
        # on a tie the line's own name wins: "Visual Studio .NET" alone is the 2002 line, and
        # "Windows NT Server Terminal Server Edition Service Pack 4" needs no version
        return sorted(out, key=lambda item: (-len(item[0]), item[0], item[2] is None))

    def is_version_level(self, meaning: str | None, release: str | None) -> bool:
        """Return True for a fix keyword that names a version line, not one release of it.

        ``kbVBp600fix``, ``kbVC600fix``, ``kbsms200fix`` (meaning ``release``, release = the
        line's RTM name) say "fixed in some release of Visual Basic 6.0": any of its service
        packs agrees with them and they are never read as the RTM. ``kbvfp500afix`` names the
        release Visual FoxPro 5.0a itself.
        """
        found = self.releases.get(release or "")
        return meaning == "release" and found is not None and found.name == found.line

    def patch_base(self, release: str) -> str:
        """Return the release a patch-letter re-release re-ships ("Windows NT 4.0 SP6a" -> "... SP6"),
        or ``release`` itself when it is not one."""
        found = self.releases[release]
        return found.patch_of or found.name

    def patch_compatible(self, first: str, second: str) -> bool:
        """Return True when two different releases differ only by a patch letter (catalogue ``patch_of``).

        kb-format.md §6.2 keeps a letter suffix in fix keywords (500a -> 5.0a), yet articles such
        as Q154652 carry the plain keyword (kbVC420fix) while STATUS names the letter release
        ("corrected in the Visual C++ 4.2b technology update"): same fix, same line.
        """
        return first != second and self.patch_base(first) == self.patch_base(second)

    def order_key(self, release: str) -> tuple[str, int]:
        """Return a sort key placing releases in catalogue order within their line."""
        found = self.releases[release]
        return (found.line, found.order)


# -- loading ---------------------------------------------------------------------------


def _validate(document: Any, path: str) -> None:
    """Raise ConfigError when the catalogue breaks schemas/releases.schema.json."""
    from kb.fast_schema import fast_check

    check = fast_check("releases.schema.json")
    if check is not None and check(document):
        return  # jsonschema's walk costs 90 ms a load; it only has to locate the problem
    import jsonschema

    schema = json.loads(data_path("schemas", "releases.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise ConfigError(path, None, f"{where}: {first.message}")


def _build(document: dict[str, Any], path: str) -> Catalogue:
    """Turn the validated YAML document into typed records, checking names are unique."""
    families: list[Family] = []
    seen: set[str] = set()
    for fam in document["families"]:
        lines: list[Line] = []
        for raw_line in fam["lines"]:
            releases: list[Release] = []
            for order, raw in enumerate(raw_line["releases"]):
                if raw["name"] in seen:
                    raise ConfigError(path, None, f"release {raw['name']!r} is listed twice")
                seen.add(raw["name"])
                releases.append(
                    Release(
                        name=raw["name"],
                        product=fam["name"],
                        line=raw_line["name"],
                        order=order,
                        sp=raw.get("sp"),
                        build=raw.get("build"),
                        date=raw.get("date"),
                        components=dict(raw.get("components", {})),
                        aliases=tuple(raw.get("aliases", ())),
                        notes=raw.get("notes"),
                        patch_of=raw.get("patch_of"),
                    )
                )
            for release in releases:
                base = next((r for r in releases if r.name == release.patch_of), None)
                if release.patch_of is not None and (base is None or base.order >= release.order or base.patch_of):
                    raise ConfigError(path, None, f"release {release.name!r}: patch_of must name an earlier, "
                                      f"unpatched release of line {raw_line['name']!r}, not {release.patch_of!r}")
            if releases[0].name != raw_line["name"] or releases[0].sp is not None:
                raise ConfigError(
                    path, None, f"line {raw_line['name']!r}: the first release must be the RTM named like the line"
                )
            hotfixes = tuple(
                Hotfix(line=raw_line["name"], component=h["component"], build=h["build"], after=h["after"],
                       source=h.get("source"), date=h.get("date"))
                for h in raw_line.get("hotfixes", ())
            )
            lines.append(
                Line(
                    name=raw_line["name"],
                    product=fam["name"],
                    version=raw_line["version"],
                    versions=tuple(raw_line.get("versions", ())),
                    names=tuple(raw_line.get("names", ())),
                    releases=tuple(releases),
                    unreleased=tuple(raw_line.get("unreleased", ())),
                    hotfixes=hotfixes,
                    tokens=tuple(raw_line.get("tokens", ())),
                )
            )
        families.append(Family(name=fam["name"], names=tuple(fam.get("names", ())),
                               tokens=tuple(fam.get("tokens", ())), lines=tuple(lines), clients=fam.get("clients")))
    return Catalogue(families, path)


def load_catalogue_file(path: Path) -> Catalogue:
    """Load, validate and index a catalogue file (raises ConfigError when it is invalid)."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ConfigError(str(path), mark.line + 1 if mark else None, f"invalid YAML: {error}") from None
    except OSError as error:
        raise ConfigError(str(path), None, f"cannot read the catalogue: {error.strerror}") from None
    _validate(document, str(path))
    return _build(document, str(path))


@cache
def load_catalogue() -> Catalogue:
    """Return the shipped release catalogue (kb/releases/catalogue.yaml), loaded once."""
    return load_catalogue_file(data_path("releases", "catalogue.yaml"))
