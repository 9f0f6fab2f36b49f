"""The JSON report matches its published JSON Schema, which keeps violations and open checks apart."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from consentgate.audit.engine import audit_file
from consentgate.audit.findings import ManifestReport
from consentgate.audit.report.json_report import to_json
from consentgate.audit.report.json_schema import report_schema
from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from tests.audit.conftest import document, suppressed_copy

MINIMAL = Path(__file__).parent / "unknown" / "minimal.yaml"


def _validator() -> jsonschema.Draft202012Validator:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_seed_report_matches_the_schema(seed_report: ManifestReport) -> None:
    data = to_json(document(seed_report))
    assert data["manifests"][0]["findings"] and data["manifests"][0]["unconfirmed"]
    _validator().validate(data)


@pytest.mark.parametrize("source", ["minimal", "suppressed"])
def test_other_reports_match_the_schema(tmp_path: Path, source: str) -> None:
    path = MINIMAL if source == "minimal" else suppressed_copy(tmp_path)
    _validator().validate(to_json(document(audit_file(str(path)))))


def _mislabel(data: dict[str, Any], how: str) -> dict[str, Any]:
    broken = copy.deepcopy(data)
    manifest = broken["manifests"][0]
    if how == "open-check-among-violations":
        manifest["findings"].append(manifest["unconfirmed"][0])
    elif how == "violation-naming-unknown-facts":
        manifest["findings"][0]["unknown_facts"] = ["consent.pre_ticked"]
    else:  # an open check that names no fact
        manifest["unconfirmed"][0]["unknown_facts"] = []
    return broken


@pytest.mark.parametrize(
    "how", ["open-check-among-violations", "violation-naming-unknown-facts", "open-check-without-facts"]
)
def test_the_schema_refuses_a_report_that_mixes_the_two(seed_report: ManifestReport, how: str) -> None:
    data = to_json(document(seed_report))
    assert not _validator().is_valid(_mislabel(data, how))


def test_the_cli_prints_the_report_schema() -> None:
    register_all()
    result = CliRunner().invoke(app, ["schema", "--report"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == report_schema()
