"""The human-readable report for a terminal or a log: one block per manifest, then the summary."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text as RichText

from consentgate.audit.findings import Evidence, Finding, ManifestReport
from consentgate.audit.report.document import SEVERITIES, AuditDocument, Verdict, label, severity_label
from consentgate.audit.summary import Summary
from consentgate.rules.base import Severity
from consentgate.text import Lang

_STYLES = {Severity.HIGH: "bold red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}
_INDENT = "    "


def _finding(finding: Finding, lang: Lang) -> RichText:
    loc = finding.location
    muted = finding.suppressed or finding.baselined
    line = RichText()
    line.append(
        f"{severity_label(finding.severity, lang):<7}", style="dim" if muted else _STYLES[finding.severity]
    )
    if finding.suppressed:
        line.append(f"[{label('report.suppressed', lang)}] ", style="dim")
    elif finding.baselined:
        line.append(f"[{label('report.baselined', lang)}] ", style="dim")
    line.append(finding.rule_id, style="bold")
    line.append(f"  {loc.path}:{loc.line}:{loc.column}\n", style="dim")
    line.append(f"{_INDENT}{finding.title.in_(lang)}\n", style="bold")
    about = _about(finding, lang)
    if about:
        line.append(f"{_INDENT}{label('report.about', lang)}: {about}\n", style="dim")
    line.append(f"{_INDENT}{finding.message.in_(lang)}\n")
    line.append(f"{_INDENT}{label('report.citations', lang)}: {', '.join(finding.citations)}\n", style="dim")
    line.append(f"{_INDENT}{label('report.remediation', lang)}: {finding.remediation.in_(lang)}\n")
    if finding.suppressed:
        line.append(f"{_INDENT}{label('report.suppression_reason', lang)}: {finding.suppression_reason}\n")
    for evidence in finding.evidence:
        line.append(f"{_INDENT}{label('report.evidence', lang)}: {_evidence(evidence, lang)}\n", style="dim")
    return line


def _evidence(evidence: Evidence, lang: Lang) -> str:
    shown = f"[{evidence.walk} #{evidence.seq} {evidence.kind}] {evidence.description.in_(lang)}"
    return f"{shown} ({evidence.screenshot})" if evidence.screenshot else shown


def _about(finding: Finding, lang: Lang) -> str:
    parts = []
    if finding.purpose:
        parts.append(f"{label('report.about_purpose', lang)} {finding.purpose}")
    if finding.data:
        parts.append(f"{label('report.about_data', lang)} {', '.join(finding.data)}")
    return "; ".join(parts)


def _unconfirmed(findings: tuple[Finding, ...], lang: Lang) -> RichText:
    """One line per rule that could not be checked, and the facts that would let it decide."""
    block = RichText(f"{label('report.unconfirmed_findings', lang)}\n", style="bold")
    for finding in findings:
        loc = finding.location
        block.append(f"{_INDENT}{finding.rule_id}", style="cyan")
        block.append(f"  {loc.path}:{loc.line}:{loc.column}\n", style="dim")
        block.append(
            f"{_INDENT}{_INDENT}{label('report.unknown_facts', lang)}: {', '.join(finding.unknown_facts)}\n"
        )
    return block


def _manifest(report: ManifestReport, lang: Lang) -> RenderableType:
    header = RichText(report.path, style="bold underline")
    if report.app:
        header.append(f"  {report.app}", style="bold")
    parts: list[RenderableType] = [header]
    if report.failed_to_load:
        parts.append(RichText(label("report.load_failed", lang), style="bold red"))
        parts.extend(RichText(f"{_INDENT}{error.in_(lang)}", style="red") for error in report.errors)
    elif not report.violations:
        parts.append(RichText(f"{_INDENT}{label('report.no_findings', lang)}", style="green"))
    parts.extend(_finding(f, lang) for f in report.violations)
    if report.unconfirmed:
        parts.append(_unconfirmed(report.unconfirmed, lang))
    return Group(*parts, RichText(""))


def summary_table(summary: Summary, lang: Lang) -> Table:
    """Files, open findings by severity, and what was set aside or could not be audited."""
    table = Table(
        title=label("report.summary", lang),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column(label("report.files", lang), justify="right")
    for severity in SEVERITIES:
        table.add_column(severity_label(severity, lang), justify="right", style=_STYLES[severity])
    table.add_column(label("report.unconfirmed_count", lang), justify="right")
    table.add_column(label("report.suppressed_count", lang), justify="right")
    table.add_column(label("report.baselined_count", lang), justify="right")
    table.add_column(label("report.load_errors", lang), justify="right")
    counts = summary.by_severity()
    table.add_row(
        str(summary.files),
        *(str(counts[s]) for s in SEVERITIES),
        str(summary.unconfirmed),
        str(summary.suppressed),
        str(summary.baselined),
        str(summary.load_errors),
    )
    return table


def verdict(document: AuditDocument, lang: Lang) -> RichText:
    outcome = Verdict.of(document)
    style = "bold green" if outcome.kind in ("pass", "never") else "bold red"
    return RichText(outcome.text(document, lang), style=style)


def render_text(document: AuditDocument, console: Console, lang: Lang = "zh") -> None:
    """Prints the report; rich drops the colours by itself when the console is not a terminal."""
    for report in document.reports:
        console.print(_manifest(report, lang))
    console.print(summary_table(document.summary, lang))
    console.print(verdict(document, lang))
