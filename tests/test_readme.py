"""The README stays true: its runtime example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), flags=re.S)


def test_the_runtime_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    block = next(b for b in _python_blocks() if "Engine.from_manifest" in b)
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CONSENTGATE_DATABASE_URL", f"sqlite:///{tmp_path / 'readme.db'}")
    exec(compile(block, "README.md", "exec"), {})


def test_the_audit_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    block = next(b for b in _python_blocks() if "evaluate(load_manifest" in b)
    monkeypatch.chdir(ROOT)
    exec(compile(block.replace('"app.yaml"', '"examples/seed-case/as-found.yaml"'), "README.md", "exec"), {})
