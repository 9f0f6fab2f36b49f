"""SARIF output validates against the official 2.1.0 schema and maps our model faithfully."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from consentgate.audit.baseline import Baseline
from consentgate.audit.engine import audit_file
from consentgate.audit.findings import ManifestReport
from consentgate.audit.report.document import AuditDocument
from consentgate.audit.report.sarif import LEVELS, artifact_uri, render_sarif
from consentgate.audit.summary import FailOn
from consentgate.rules.base import all_rules
from consentgate.text import Lang
from tests.audit.conftest import FORCED_RULE, WHEN, document, suppressed_copy

SCHEMA = Path(__file__).parent / "sarif-schema-2.1.0.json"


@cache
def _validator() -> Draft4Validator:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _valid(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    return data


def test_vendored_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_seed_case_sarif_validates(seed_report: ManifestReport, lang: Lang) -> None:
    data = _valid(render_sarif(document(seed_report), lang))
    [run] = data["runs"]
    assert len(run["results"]) == len(seed_report.findings)
    for result, finding in zip(run["results"], seed_report.findings, strict=True):
        assert result["ruleId"] == finding.rule_id
        if finding.unconfirmed:  # SARIF's "the tool could not decide": kind open, level none
            assert (result["kind"], result["level"]) == ("open", "none")
            assert result["properties"]["unknownFacts"] == list(finding.unknown_facts)
        else:
            assert (result["kind"], result["level"]) == ("fail", LEVELS[finding.severity])
        assert result["message"]["text"] == finding.message.in_(lang)
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (
            finding.location.line,
            finding.location.column,
        )
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == finding.rule_id


def test_driver_rules_come_from_rule_metadata(seed_report: ManifestReport) -> None:
    rules = _valid(render_sarif(document(seed_report), "en"))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in all_rules()]
    for raw, rule in zip(rules, all_rules(), strict=True):
        assert raw["shortDescription"]["text"] == rule.title.en
        assert raw["help"]["text"] == rule.remediation.en
        assert raw["properties"]["citations"] == list(rule.citations)
        assert raw["properties"]["severity"] == rule.severity.value
        assert raw["defaultConfiguration"]["level"] == LEVELS[rule.severity]


def test_suppressed_findings_carry_an_in_source_suppression(tmp_path: Path) -> None:
    report = audit_file(str(suppressed_copy(tmp_path, reason="screen retired")))
    results = _valid(render_sarif(document(report)))["runs"][0]["results"]
    ours = [r for r in results if r["ruleId"] == FORCED_RULE]
    assert ours
    for result in ours:
        assert result["suppressions"] == [{"kind": "inSource", "justification": "screen retired"}]
    assert all("suppressions" not in r for r in results if r["ruleId"] != FORCED_RULE)


def test_baselined_findings_are_unchanged_and_others_new(tmp_path: Path, seed_report: ManifestReport) -> None:
    baseline = Baseline.of(tmp_path / "baseline.json", [seed_report])
    forced = audit_file(str(suppressed_copy(tmp_path)))
    reports = baseline.apply([seed_report, forced])
    doc = AuditDocument.build(reports, fail_on=FailOn.MEDIUM, generated_at=WHEN, baseline_used=True)
    results = _valid(render_sarif(doc))["runs"][0]["results"]
    states = [r["baselineState"] for r in results]
    assert states[: len(seed_report.findings)] == ["unchanged"] * len(seed_report.findings)
    assert set(states[len(seed_report.findings) :]) <= {"new"}


def test_load_errors_become_tool_notifications(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("app: [unclosed\n", "utf-8")
    run = _valid(render_sarif(document(audit_file(str(broken)))))["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["level"] == "error"
    assert run["results"] == []


def test_artifact_uris_are_relative_or_file_uris() -> None:
    assert artifact_uri("apps/学习 app.yaml") == "apps/%E5%AD%A6%E4%B9%A0%20app.yaml"
    assert artifact_uri("/srv/apps/a.yaml") == "file:///srv/apps/a.yaml"


def test_the_schema_check_would_catch_a_wrong_level(seed_report: ManifestReport) -> None:
    data = json.loads(render_sarif(document(seed_report)))
    data["runs"][0]["results"][0]["level"] = "critical"
    assert list(_validator().iter_errors(data)), "the vendored schema must reject an unknown level"
