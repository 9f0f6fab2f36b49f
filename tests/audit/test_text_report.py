"""The text report groups findings per manifest and shows suppressed ones with their reason."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from consentgate.audit.engine import audit_file
from consentgate.audit.findings import ManifestReport
from consentgate.audit.report.document import AuditDocument
from consentgate.audit.report.text import render_text
from consentgate.i18n import message
from consentgate.text import Lang
from tests.audit.conftest import FORCED_RULE, document, suppressed_copy


def _render(doc: AuditDocument, lang: Lang) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None, soft_wrap=True)
    render_text(doc, console, lang)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def test_each_finding_shows_severity_rule_place_citations_and_remediation(
    seed_report: ManifestReport,
) -> None:
    langs: tuple[Lang, ...] = ("zh", "en")
    for lang in langs:
        text = _render(document(seed_report), lang)
        violations, unconfirmed = text.split(message("report.unconfirmed_findings").in_(lang), 1)
        for finding in seed_report.unconfirmed:
            assert f"{finding.rule_id}  " in unconfirmed
            assert ", ".join(finding.unknown_facts) in unconfirmed
        for finding in seed_report.violations:
            loc = finding.location
            assert f"{finding.rule_id}  {loc.path}:{loc.line}:{loc.column}" in violations
            assert finding.message.in_(lang) in text
            assert ", ".join(finding.citations) in text
            assert finding.remediation.in_(lang) in text


def test_suppressed_findings_are_marked_with_their_reason(tmp_path: Path) -> None:
    doc = document(audit_file(str(suppressed_copy(tmp_path, reason="问卷已下线"))))
    text = _render(doc, "zh")
    marker = f"[{message('report.suppressed').zh}] {FORCED_RULE}"
    assert marker in text
    assert f"{message('report.suppression_reason').zh}: 问卷已下线" in text


def test_manifests_are_grouped_under_their_path(seed_report: ManifestReport, tmp_path: Path) -> None:
    other = audit_file(str(suppressed_copy(tmp_path)))
    text = _render(document(seed_report, other), "en")
    assert text.index(seed_report.path) < text.index(other.path)
    assert message("report.summary").en in text
