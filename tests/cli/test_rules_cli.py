"""`consentgate rules` lists every rule from its metadata, and docs/rules.md is that list, current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.rules.base import all_rules

register_all()

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
REGENERATE = "make docs  (or: consentgate rules --format markdown > docs/rules.md)"


def _rules(*args: str) -> str:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["rules", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_lists_every_rule_with_its_metadata() -> None:
    listed = json.loads(_rules("--format", "json"))
    assert [r["id"] for r in listed] == [r.id for r in all_rules()]
    for raw, rule in zip(listed, all_rules(), strict=True):
        assert raw["severity"] == rule.severity.value
        assert raw["title"] == {"zh": rule.title.zh, "en": rule.title.en}
        assert raw["citations"] == list(rule.citations)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_shows_ids_and_titles_in_the_chosen_language(lang: str) -> None:
    table = _rules("--lang", lang)
    for rule in all_rules():
        assert rule.id in table
        assert rule.title.zh in table if lang == "zh" else rule.title.en in table


def test_markdown_has_a_section_per_rule_in_both_languages() -> None:
    markdown = _rules("--format", "markdown")
    for rule in all_rules():
        assert f"## {rule.id}\n" in markdown
        assert rule.title.zh in markdown and rule.title.en in markdown
        assert rule.remediation.zh in markdown and rule.remediation.en in markdown


def test_docs_rules_md_is_in_sync_with_the_rule_metadata() -> None:
    expected = _rules("--format", "markdown")
    assert DOCS.is_file(), f"docs/rules.md is missing; generate it with: {REGENERATE}"
    assert DOCS.read_text("utf-8") == expected, (
        f"docs/rules.md is out of date; regenerate it with: {REGENERATE}"
    )


def test_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["rules", "--format", "pdf"])
    assert result.exit_code == 2
