"""The README stays true: its runtime example runs as written."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), flags=re.S)


def test_the_runtime_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    block = next(b for b in _python_blocks() if "Engine.from_manifest" in b)
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CONSENTGATE_DATABASE_URL", f"sqlite:///{tmp_path / 'readme.db'}")
    assert "consentgate db upgrade" in block  # the step before it, as the block says
    upgraded = subprocess.run(
        [str(ROOT / ".venv/bin/consentgate"), "db", "upgrade"], capture_output=True, text=True
    )
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    exec(compile(block, "README.md", "exec"), {})


def test_the_audit_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    block = next(b for b in _python_blocks() if "evaluate(load_manifest" in b)
    monkeypatch.chdir(ROOT)
    exec(compile(block.replace('"app.yaml"', '"examples/seed-case/as-found.yaml"'), "README.md", "exec"), {})


def _trace_commands() -> list[tuple[str, int]]:
    """Each README `consentgate observe examples/traces/...` line with the exit code its comment states."""
    text = (ROOT / "README.md").read_text("utf-8")
    found = re.findall(
        r"^(\.venv/bin/consentgate observe examples/traces/\S+.*?)\s+# exit (\d)", text, flags=re.M
    )
    return [(command, int(code)) for command, code in found]


@pytest.mark.parametrize(("command", "code"), _trace_commands())
def test_the_trace_examples_exit_as_the_readme_says(command: str, code: int, tmp_path: Path) -> None:
    # Run from a copy of the layout the README assumes (.venv and examples/ beside each other), so the
    # report it writes lands in a temporary folder, not in the checkout.
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    done = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == code, done.stdout + done.stderr


def test_the_readme_shows_the_trace_examples() -> None:
    assert len(_trace_commands()) == 4
