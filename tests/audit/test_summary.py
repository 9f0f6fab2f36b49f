"""The exit code: load errors beat findings; only open findings at or above --fail-on fail."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consentgate.audit.findings import ManifestReport
from consentgate.audit.summary import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FailOn, Summary
from consentgate.rules.base import Severity
from consentgate.text import Text


@pytest.mark.parametrize("fail_on", list(FailOn))
def test_threshold_against_the_worst_open_severity(seed_report: ManifestReport, fail_on: FailOn) -> None:
    summary = Summary.of([seed_report])
    worst = max(f.severity.rank for f in seed_report.findings)
    expected = fail_on is not FailOn.NONE and worst >= Severity(fail_on.value).rank
    assert summary.exit_code(fail_on) == (EXIT_FINDINGS if expected else EXIT_OK)


def test_suppressed_and_baselined_findings_never_fail(seed_report: ManifestReport) -> None:
    half = len(seed_report.findings) // 2
    findings = tuple(
        replace(f, suppressed=True, suppression_reason="r") if i < half else replace(f, baselined=True)
        for i, f in enumerate(seed_report.findings)
    )
    summary = Summary.of([replace(seed_report, findings=findings)])
    assert summary.exit_code(FailOn.LOW) == EXIT_OK
    assert (summary.suppressed, summary.baselined) == (half, len(findings) - half)


def test_a_manifest_that_did_not_load_makes_the_run_an_error(seed_report: ManifestReport) -> None:
    broken = ManifestReport(path="x.yaml", app=None, errors=(Text(zh="坏", en="bad"),))
    summary = Summary.of([seed_report, broken])
    assert summary.load_errors == 1
    assert summary.exit_code(FailOn.NONE) == EXIT_ERROR
