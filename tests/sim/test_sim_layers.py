"""The simulator's rooms: kb/sim has no import cycle, each room imports only the rooms below it,
and only the assembly layer knows the organisation.

Every import counts: module level, inside functions, and under ``if TYPE_CHECKING:``. Importing
``kb.sim.<room>.<module>`` also runs the room package's ``__init__``, so that edge counts too;
only the public facade ``kb.sim`` itself is left out (it is the assembly layer's front door).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kb.sim

SIM = Path(kb.sim.__file__).resolve().parent

# Which room a module lives in: the first folder under kb/sim; modules directly in kb/sim
# (org, config, api, serve, peering, client and the facade) are the assembly layer.
ROOMS = ("core", "outside", "store", "mta", "ims")
# The rooms each room may import (its own always included). core is the shared vocabulary and
# the message-transfer interfaces (kb.sim.core.ports); store, MTA and IMS meet only there. The
# IMS sits on the outside world's DNS and SMTP hosts; nothing below knows the IMS.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "outside": {"core"},
    "store": {"core"},
    "mta": {"core"},
    "ims": {"core", "outside"},
    "assembly": {"core", "outside", "store", "mta", "ims"},
}
ORG = "kb.sim.org"


def module_name(root: Path, path: Path) -> str:
    parts = ("kb", "sim", *path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[2] in ROOMS else "assembly"


def import_graph(root: Path) -> dict[str, set[str]]:
    """Return, for each module under ``root`` (kb/sim), the kb.sim modules it imports anywhere in its text."""
    paths = {module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        wanted: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                wanted.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                wanted.add(base)
                wanted.update(f"{base}.{alias.name}" for alias in node.names)
        # Importing a module of a room package runs that package's __init__ first.
        parent = name.rpartition(".")[0]
        if path.name != "__init__.py" and parent != "kb.sim":
            wanted.add(parent)
        edges = set()
        for target in wanted:
            while target and target not in paths:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("kb.sim"):
                edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{source} ({room_of(source)}) imports {target} ({room_of(target)})"
                  for source, targets in graph.items() for target in targets
                  if room_of(target) != room_of(source) and room_of(target) not in ALLOWED[room_of(source)])


def org_importers(graph: dict[str, set[str]]) -> list[str]:
    return sorted(source for source, targets in graph.items() if ORG in targets and room_of(source) != "assembly")


def test_no_module_of_kb_sim_imports_itself_back_counting_type_checking_and_function_imports() -> None:
    assert cycles(import_graph(SIM)) == []


def test_each_room_imports_only_the_rooms_below_it() -> None:
    assert layer_violations(import_graph(SIM)) == []


def test_nothing_outside_the_assembly_layer_imports_the_organisation() -> None:
    assert org_importers(import_graph(SIM)) == []


def test_every_folder_of_kb_sim_is_a_room_of_the_table() -> None:
    folders = sorted(p.name for p in SIM.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert folders == sorted(ROOMS)


def test_the_allowed_table_has_no_cycle_between_rooms() -> None:
    table = {room: set(below) for room, below in ALLOWED.items()}
    assert cycles(table) == []


@pytest.fixture
def tangled(tmp_path: Path) -> Path:
    """A small kb/sim whose store reaches the organisation lazily and whose IMS knows the store under TYPE_CHECKING."""
    root = tmp_path / "kb" / "sim"
    for folder in ("core", "store", "ims"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text('"""A room."""\n')
    (root / "__init__.py").write_text("from kb.sim.org import Organisation\n")
    (root / "org.py").write_text("from kb.sim.store.infostore import Store\n")
    (root / "core" / "message.py").write_text("class Message: ...\n")
    (root / "store" / "infostore.py").write_text(
        "from kb.sim.core.message import Message\n\ndef deliver() -> None:\n    from kb.sim.org import Organisation\n")
    (root / "ims" / "service.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kb.sim.store import infostore\n")
    return root


def test_the_checks_see_a_function_local_cycle_to_the_organisation(tangled: Path) -> None:
    graph = import_graph(tangled)
    assert cycles(graph) == [["kb.sim.org", "kb.sim.store.infostore"]]
    assert org_importers(graph) == ["kb.sim.store.infostore"]


def test_the_checks_see_a_type_checking_import_across_rooms(tangled: Path) -> None:
    assert layer_violations(import_graph(tangled)) == [
        "kb.sim.ims.service (ims) imports kb.sim.store (store)",
        "kb.sim.ims.service (ims) imports kb.sim.store.infostore (store)",
        "kb.sim.store.infostore (store) imports kb.sim.org (assembly)",
    ]
