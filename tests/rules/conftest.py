"""Discovers the per-rule fixtures under tests/rules/<RULE-ID>/{pass,fail}/*.yaml."""

from __future__ import annotations

from pathlib import Path

RULES_DIR = Path(__file__).parent


def fixtures(kind: str) -> list[tuple[str, Path]]:
    return sorted(
        (rule_dir.name, path)
        for rule_dir in RULES_DIR.iterdir()
        if rule_dir.is_dir() and rule_dir.name.startswith("CG-")
        for path in (rule_dir / kind).glob("*.yaml")
    )


def expected_facts(path: Path) -> list[str]:
    """Lines `# unknown: consent.pre_ticked` at the top of an unknown fixture name the facts it leaves out."""
    return [
        line.split(":", 1)[1].strip()
        for line in path.read_text("utf-8").splitlines()
        if line.startswith("# unknown:")
    ]


def expected_pointers(path: Path) -> list[str]:
    """Lines `# expect: /pointer` at the top of a fail fixture name where the hits must be."""
    return [
        line.split(":", 1)[1].strip()
        for line in path.read_text("utf-8").splitlines()
        if line.startswith("# expect:")
    ]
