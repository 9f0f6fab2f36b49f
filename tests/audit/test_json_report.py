"""The JSON report keeps the shape other tools rely on."""

from __future__ import annotations

import json
from pathlib import Path

from consentgate.audit.engine import audit_file
from consentgate.audit.findings import ManifestReport
from consentgate.audit.report.json_report import render_json
from tests.audit.conftest import FORCED_RULE, document, suppressed_copy

FINDING_KEYS = {"rule_id", "severity", "title", "message", "citations", "location", "suppressed"}
LOCATION_KEYS = {"path", "line", "column", "pointer"}


def test_json_has_the_documented_shape(seed_report: ManifestReport) -> None:
    data = json.loads(render_json(document(seed_report)))
    assert set(data) >= {"manifests", "summary"}
    [manifest] = data["manifests"]
    assert manifest["path"] == seed_report.path
    assert manifest["app"] == seed_report.app
    assert len(manifest["findings"]) == len(seed_report.violations)
    assert len(manifest["unconfirmed"]) == len(seed_report.findings) - len(seed_report.violations) > 0
    assert all(raw["status"] == "unconfirmed" and raw["unknown_facts"] for raw in manifest["unconfirmed"])
    for raw, finding in zip(manifest["findings"], seed_report.violations, strict=True):
        assert raw["status"] == "violation"
        assert raw["about"] == {"data": list(finding.data), "purpose": finding.purpose}
        assert set(raw) >= FINDING_KEYS
        assert raw["rule_id"] == finding.rule_id
        assert raw["severity"] == finding.severity.value
        assert raw["title"] == {"zh": finding.title.zh, "en": finding.title.en}
        assert raw["message"] == {"zh": finding.message.zh, "en": finding.message.en}
        assert raw["citations"] == list(finding.citations)
        assert set(raw["location"]) >= LOCATION_KEYS
        assert raw["location"]["line"] == finding.location.line
        assert raw["location"]["column"] == finding.location.column
        assert raw["location"]["pointer"] == finding.location.pointer
        assert raw["suppressed"] is False


def test_json_summary_counts_open_findings_by_severity(seed_report: ManifestReport) -> None:
    summary = json.loads(render_json(document(seed_report)))["summary"]
    for severity in ("high", "medium", "low"):
        expected = sum(1 for f in seed_report.violations if f.severity.value == severity)
        assert summary["findings"][severity] == expected
    assert summary["unconfirmed"] == len(seed_report.unconfirmed) > 0
    assert summary["files"] == 1
    assert summary["load_errors"] == 0


def test_json_marks_suppressed_findings_with_their_reason(tmp_path: Path) -> None:
    report = audit_file(str(suppressed_copy(tmp_path, reason="legacy screen")))
    data = json.loads(render_json(document(report)))
    ours = [f for f in data["manifests"][0]["findings"] if f["rule_id"] == FORCED_RULE]
    assert ours, "the fixture must trigger the suppressed rule"
    assert all(f["suppressed"] and f["suppression_reason"] == "legacy screen" for f in ours)
    assert data["summary"]["suppressed"] == len(ours)


def test_json_reports_load_errors_in_both_languages(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("app: [unclosed\n", "utf-8")
    data = json.loads(render_json(document(audit_file(str(broken)))))
    [manifest] = data["manifests"]
    assert manifest["findings"] == []
    assert manifest["errors"] and set(manifest["errors"][0]) == {"zh", "en"}
    assert data["summary"]["load_errors"] == 1
