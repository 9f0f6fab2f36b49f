"""`consentgate law categories`: the data categories a manifest may name, their sensitivity and sources."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.law.catalog import load_catalog

register_all()


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, ["law", "categories", *args])


def test_table_lists_every_category_with_its_sources() -> None:
    result = _run()
    assert result.exit_code == 0, result.output
    for category in load_catalog().categories.values():
        assert category.id in result.output
    assert "性取向" in result.output and "Sexual orientation" in result.output
    assert "GBT35273-3.1" in result.output


def test_json_names_sensitivity_and_sources() -> None:
    result = _run("--format", "json")
    assert result.exit_code == 0, result.output
    by_id = {c["id"]: c for c in json.loads(result.output)}
    assert by_id["biometric.fingerprint"]["sensitive"] is True
    assert "PIPL-28" in by_id["biometric.fingerprint"]["sources"]
    assert by_id["network.ip-address"]["sensitive"] is False
    assert by_id["profile.nickname"]["label"] == {"zh": "昵称", "en": "Nickname"}


def test_sensitive_only_lists_the_pipl_28_categories() -> None:
    result = _run("--sensitive", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed and all(c["sensitive"] for c in listed)
    assert {c["id"] for c in listed} == {c.id for c in load_catalog().categories.values() if c.sensitive}
