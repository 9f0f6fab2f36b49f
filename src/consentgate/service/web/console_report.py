"""The audit report of the running manifest, as the console shows it.

The same audit `consentgate audit` runs on a file (`audit.engine`): unknown suppressions are errors,
otherwise every rule's findings, most severe first. Here it runs on the manifest the service already
loaded, so the page shows what is enforced right now, not what some file on disk says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from consentgate.audit.engine import evaluate, unknown_suppressions
from consentgate.audit.findings import Finding, ManifestReport
from consentgate.law.catalog import load_catalog
from consentgate.manifest.loader import LoadedManifest
from consentgate.text import Text


@dataclass(frozen=True)
class Citation:
    """A law a finding cites: its id, and its heading where the law catalog knows it."""

    id: str
    heading: Text | None


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    citations: tuple[Citation, ...]


def run_audit(loaded: LoadedManifest) -> ManifestReport:
    """`audit.engine.audit_file`, minus the loading: the manifest is the one the service runs."""
    app = loaded.manifest.app
    report = ManifestReport(
        path=loaded.path,
        app=app.name,
        app_type=app.type,
        operator=app.operator.name if app.operator else None,
    )
    problems = tuple(error.text for error in unknown_suppressions(loaded))
    if problems:
        return replace(report, errors=problems)
    return replace(report, findings=tuple(evaluate(loaded)))


def finding_rows(findings: tuple[Finding, ...]) -> list[FindingRow]:
    return [FindingRow(finding=f, citations=tuple(_citation(c) for c in f.citations)) for f in findings]


def _citation(citation: str) -> Citation:
    catalog = load_catalog()
    if not catalog.resolves(citation):
        return Citation(id=citation, heading=None)
    return Citation(id=citation, heading=catalog.entry(citation).heading)
