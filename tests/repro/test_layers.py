"""Layering: a single repro run does not reach up into the judge, the simulator not into article schemas."""

from __future__ import annotations

import ast
from pathlib import Path

import kb

PACKAGE = Path(kb.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    """Return every module a file imports (at any depth of the file)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def offenders(folder: str, forbidden: str) -> list[str]:
    return sorted(f"{path.relative_to(PACKAGE)} imports {name}"
                  for path in (PACKAGE / folder).rglob("*.py")
                  for name in imported_modules(path) if name == forbidden or name.startswith(forbidden + "."))


def test_no_module_of_kb_repro_imports_kb_verify() -> None:
    assert offenders("repro", "kb.verify") == []


def test_no_module_of_kb_sim_imports_the_article_schema_module() -> None:
    assert offenders("sim", "kb.schema") == []


def test_repro_scripts_reach_the_simulator_only_through_the_public_names_of_kb_sim() -> None:
    import kb.sim

    scripts = sorted((PACKAGE.parent / "repro").glob("*.py"))
    assert scripts
    inner = sorted(f"{path.name} imports {name}" for path in scripts for name in imported_modules(path)
                   if name.startswith("kb.sim."))
    assert inner == []
    private = sorted(f"{path.name} takes {alias.name} from kb.sim" for path in scripts
                     for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(node, ast.ImportFrom) and node.module == "kb.sim"
                     for alias in node.names if alias.name not in kb.sim.__all__)
    assert private == []
