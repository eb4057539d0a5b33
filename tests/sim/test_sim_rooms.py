"""The simulator's rooms: no import cycle at module level, and gateways talk through the P1 interface."""

from __future__ import annotations

import ast
from pathlib import Path

import kb.sim

SIM = Path(kb.sim.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = ("kb", "sim", *path.relative_to(SIM).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> set[str]:
    """Return the kb.sim modules a file imports when it is imported (not in functions or TYPE_CHECKING)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("kb.sim"):
                found.add(child.module)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("kb.sim"))
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_no_module_of_kb_sim_imports_itself_back_at_import_time() -> None:
    graph = {module_name(p): top_level_imports(p) for p in SIM.rglob("*.py")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert sorted(m for m in graph if reaches(m, m, {m})) == []


def test_the_ims_and_the_store_reports_use_the_p1_interface_not_the_mta() -> None:
    def every_import(path: Path) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}

    users = sorted(module_name(p) for p in [*SIM.joinpath("ims").rglob("*.py"), SIM / "store" / "report.py"]
                   if "kb.sim.mta.agent" in every_import(p))
    assert users == []


def test_the_ims_reaches_the_mta_only_through_the_store() -> None:
    offenders = sorted(str(p.relative_to(SIM)) for p in SIM.joinpath("ims").rglob("*.py") if ".mta." in p.read_text())
    assert offenders == []
