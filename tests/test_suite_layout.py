"""The suite's own shape: shared helpers live in conftest.py, builders.py and loopback.py, not in test modules."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def test_test_modules_do_not_import_one_another() -> None:
    offenders = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.name}: {name}" for name in names if name.startswith("tests.test_")]
    assert offenders == []
