"""The site's configuration: title, base URL and description of a knowledge base.

Found by one locator, ``config_file``: a ``kb.yaml`` beside ``articles/`` or else the
``[tool.kb]`` table of the ``pyproject.toml`` there; defaults when neither exists. Bad values
raise ConfigError located at their line (``kb.yaml:3: base_url: ...``).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.exceptions import ConfigError

DEFAULT_TITLE = "Knowledge base"
DEFAULT_DESCRIPTION = ("Support articles that prove themselves: the status of each release and, "
                       "where a repro exists, the proof from the last kb verify.")
#: The keys a configuration may hold, with what each must be.
KEYS: dict[str, str] = {
    "title": "one line of text, e.g. 'Exchange 5.5 knowledge base'",
    "base_url": "an http(s) URL of the published site, e.g. 'https://kb.example.org/'",
    "description": "one line of text for search engines and link previews",
}
_URL = re.compile(r"^https?://[^\s/?#\"'<>]+(/[^\s?#\"'<>]*)?$")


@dataclass(frozen=True)
class SiteConfig:
    """What the site shows about itself."""

    title: str = DEFAULT_TITLE
    base_url: str = ""  # "" when unknown: pages link relatively and name no canonical URL
    description: str = DEFAULT_DESCRIPTION
    source: str = ""  # the file it came from ("" for the defaults)

    def digest(self) -> str:
        """Return a hash of what the pages show of the configuration."""
        text = "\0".join((self.title, self.base_url, self.description))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def url(self, path: str) -> str:
        """Return the absolute URL of a page of the site ("" without a base URL)."""
        if not self.base_url:
            return ""
        return self.base_url + (path[: -len("index.html")] if path.endswith("index.html") else path)


def config_file(root: Path) -> Path | None:
    """Return the configuration of the knowledge base at ``root``: kb.yaml, else a pyproject.toml
    with a [tool.kb] table, else None."""
    candidate = root / "kb.yaml"
    if candidate.is_file():
        return candidate
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and re.search(r"^\s*\[tool\.kb\]", pyproject.read_text(encoding="utf-8"), re.M):
        return pyproject
    return None


def load_site_config(root: Path) -> SiteConfig:
    """Return the site configuration of the knowledge base at ``root`` (defaults when none)."""
    path = config_file(Path(root))
    if path is None:
        return SiteConfig()
    if path.suffix == ".toml":
        values, lines = _from_pyproject(path)
    else:
        values, lines = _from_yaml(path)
    return _checked(values, lines, str(path))


def _from_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Return the mapping of a kb.yaml and the line of each key."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ConfigError(str(path), mark.line + 1 if mark else None,
                          f"invalid YAML: {error.problem or error.context}") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ConfigError(str(path), 1, f"expected a mapping of {', '.join(KEYS)}")
    lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
    return data, lines


def _from_pyproject(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Return the [tool.kb] table of a pyproject.toml and the line of each key."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise ConfigError(str(path), int(match.group(1)) if match else None, f"invalid TOML: {error}") from None
    table = data.get("tool", {}).get("kb", {})
    if not isinstance(table, dict):
        raise ConfigError(str(path), None, "[tool.kb] must be a table")
    # tomllib keeps no positions: find each key's line inside the [tool.kb] table.
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*\[([^\]]+)\]", line)
        if header:
            inside = header.group(1).strip() == "tool.kb"
            continue
        key = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
        if inside and key:
            lines.setdefault(key.group(1), number)
    return {k: v for k, v in table.items() if not isinstance(v, dict)}, lines


def _checked(values: dict[str, Any], lines: dict[str, int], path: str) -> SiteConfig:
    """Return the configuration in ``values``; raise ConfigError at the first bad key."""
    for key in values:
        if key not in KEYS:
            raise ConfigError(path, lines.get(str(key)), f"unknown key {key!r}, expected one of {', '.join(KEYS)}")
    out: dict[str, str] = {}
    for key, value in values.items():
        if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
            raise ConfigError(path, lines.get(key), f"{key}: got {value!r}, expected {KEYS[key]}")
        out[key] = value.strip()
    if "base_url" in out:
        if not _URL.match(out["base_url"]):
            raise ConfigError(path, lines.get("base_url"), f"base_url: got {out['base_url']!r}, expected {KEYS['base_url']}")
        out["base_url"] = out["base_url"].rstrip("/") + "/"
    return SiteConfig(source=path, **out)
