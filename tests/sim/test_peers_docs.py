"""The worked examples of docs/simulator.md "The world around the IMS" run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def blocks() -> list[str]:
    text = (ROOT / "docs" / "simulator.md").read_text(encoding="utf-8")
    section = text.split("## The world around the IMS: peers", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_peer_section_has_its_three_examples() -> None:
    assert len(blocks()) == 3


def test_each_example_runs_and_ends_where_its_comments_say(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    first, second, third = ({} for _ in range(3))  # type: ignore[var-annotated]
    exec(blocks()[0], first)  # noqa: S102 - the documentation's own example
    assert [m.subject for m in first["b"].client("dana").inbox()] == ["Hello?"]
    assert first["a"].client("alice").inbox()[0].subject == "Undeliverable: Hello?"
    exec(blocks()[1], second)  # noqa: S102
    assert second["fields"].recipient("gone@example.net")["Status"] == "5.1.1"
    assert second["report"].sender == "MAILER-DAEMON@unix.example.net"
    exec(blocks()[2], third)  # noqa: S102
    assert (third["fabrikam"].builds.name, third["northwind"].builds.name) == (
        "Exchange Server 5.5 SP2", "Exchange Server 5.5 SP4")
