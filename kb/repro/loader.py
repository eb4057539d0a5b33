"""Load a repro script by path and hand back its ``run(release)`` function."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Callable

from kb.exceptions import ReproError
from kb.repro.observation import Observation

RunFunction = Callable[[str], Observation]


def _syntax_location(error: SyntaxError, path: Path) -> str:
    """Return ``path:line: message`` for a syntax error in a repro script."""
    return f"{path}:{error.lineno}: syntax error: {error.msg}"


def load_module(path: str | Path) -> ModuleType:
    """Import the repro script at ``path`` as a fresh module (never cached in sys.modules)."""
    script = Path(path)
    if not script.is_file():
        raise ReproError(f"{script}: repro script not found")
    # Let a script import helper modules that sit beside it (repro/_helpers.py and the like).
    folder = str(script.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = f"kb_repro_{script.stem}"
    spec = importlib.util.spec_from_file_location(name, script)
    if spec is None or spec.loader is None:
        raise ReproError(f"{script}: cannot load a Python module from this file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise ReproError(_syntax_location(error, script)) from error
    except Exception as error:  # a repro that crashes on import is a broken repro, not a kb bug
        line = _last_line_in(script, error)
        where = f"{script}:{line}" if line else str(script)
        raise ReproError(f"{where}: importing the repro raised {type(error).__name__}: {error}") from error
    return module


def load_run(path: str | Path) -> RunFunction:
    """Return the ``run(release) -> Observation`` function the script at ``path`` defines."""
    module = load_module(path)
    run = getattr(module, "run", None)
    if not callable(run):
        raise ReproError(f"{path}: the repro defines no run(release) function")
    return run


def _last_line_in(script: Path, error: BaseException) -> int | None:
    """Return the deepest traceback line that lies inside ``script``, if any."""
    target = str(script.resolve())
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if str(Path(frame.filename).resolve()) == target:
            line = frame.lineno
    return line


def error_location(script: str | Path, error: BaseException) -> str:
    """Return ``script:line`` for the deepest frame of ``error`` inside the script."""
    line = _last_line_in(Path(script), error)
    return f"{script}:{line}" if line else str(script)
