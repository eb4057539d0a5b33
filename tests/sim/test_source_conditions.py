"""No condition in the simulator names a KB article id (ids live in comments and metadata only)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import kb.sim

ARTICLE_ID = re.compile(r"Q\d{5,6}")
SIM = Path(kb.sim.__file__).resolve().parent


def _conditions(tree: ast.AST) -> list[ast.AST]:
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            found.append(node.test)
        elif isinstance(node, ast.comprehension):
            found.extend(node.ifs)
        elif isinstance(node, (ast.Compare, ast.BoolOp)):
            found.append(node)
        elif isinstance(node, ast.match_case):
            found.append(node.pattern)
    return found


def _offenders(source: str, name: str) -> list[str]:
    tree = ast.parse(source, filename=name)
    out: list[str] = []
    for condition in _conditions(tree):
        text = ast.unparse(condition)
        line = f"{name}:{condition.lineno}: {text}"
        if ARTICLE_ID.search(text) and not any(o.startswith(f"{name}:{condition.lineno}:") for o in out):
            out.append(line)
    return out


def test_no_condition_in_kb_sim_names_an_article_id() -> None:
    files = sorted(SIM.rglob("*.py"))
    assert files, "the simulator package has no source"
    offenders = [o for f in files for o in _offenders(f.read_text(encoding="utf-8"), str(f.relative_to(SIM)))]
    assert offenders == []


def test_the_check_catches_an_article_id_in_a_condition() -> None:
    sample = "if article == 'Q254893':\n    pass\nx = 1 if build > 2 else 0\n"
    assert _offenders(sample, "sample.py") == ["sample.py:1: article == 'Q254893'"]


def test_the_check_ignores_article_ids_in_comments_and_constants_names() -> None:
    sample = "# Q254893: store fix\nLIMIT = 3  # Q248838\nif build < LIMIT:\n    pass\n"
    assert _offenders(sample, "sample.py") == []
