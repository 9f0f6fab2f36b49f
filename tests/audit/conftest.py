"""Shared inputs for the audit tests: the seed case, rule fixtures, and small manifests in tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from consentgate.audit.engine import audit_file
from consentgate.audit.findings import ManifestReport
from consentgate.audit.report.document import AuditDocument
from consentgate.audit.summary import FailOn

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-case" / "as-found.yaml"
RULE_FIXTURES = ROOT / "tests" / "rules"
FORCED = RULE_FIXTURES / "CG-PIPL-016-FORCED-COLLECTION" / "fail" / "questionnaire-without-skip.yaml"
FORCED_RULE = "CG-PIPL-016-FORCED-COLLECTION"
WHEN = datetime(2025, 3, 15, 9, 30, tzinfo=UTC)


def suppressed_copy(
    tmp_path: Path, reason: str = "问卷已于 3 月下线 / questionnaire removed in March"
) -> Path:
    """The forced-collection fixture with a suppression of that rule on the whole onboarding section."""
    path = tmp_path / "suppressed.yaml"
    path.write_text(
        FORCED.read_text("utf-8") + f"suppressions:\n  - rule: {FORCED_RULE}\n    path: onboarding\n"
        f"    reason: {reason}\n",
        "utf-8",
    )
    return path


def document(*reports: ManifestReport, fail_on: FailOn = FailOn.MEDIUM) -> AuditDocument:
    return AuditDocument.build(reports, fail_on=fail_on, generated_at=WHEN)


@pytest.fixture(scope="session")
def seed_report() -> ManifestReport:
    report = audit_file(str(SEED))
    assert not report.errors, report.errors
    assert report.findings, "the seed case must have findings for these tests to mean anything"
    return report
