"""Runs every rule over one loaded manifest and turns hits into located findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from consentgate.audit.findings import Finding, ManifestReport
from consentgate.audit.suppressions import matching
from consentgate.errors import ConsentgateError, ManifestError, ManifestErrors, SourceLocation
from consentgate.manifest.loader import LoadedManifest, load_manifest
from consentgate.manifest.positions import pointer
from consentgate.manifest.references import hint
from consentgate.rules.base import Hit, Rule, all_rules

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def evaluate(loaded: LoadedManifest, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """All findings for one manifest, most severe first, then in file order."""
    manifest = loaded.manifest
    findings = []
    for rule in all_rules() if rules is None else rules:
        for hit in rule.evaluate(manifest):
            suppression = matching(manifest.suppressions, rule.id, hit.pointer)
            findings.append(
                Finding(
                    rule_id=rule.id,
                    severity=hit.severity or rule.severity,
                    title=rule.title,
                    message=hit.message,
                    remediation=rule.remediation,
                    citations=_citations(rule, hit),
                    location=loaded.location(hit.pointer),
                    suppressed=suppression is not None,
                    suppression_reason=suppression.reason if suppression else None,
                )
            )
    findings.sort(
        key=lambda f: (_SEVERITY_ORDER[f.severity.value], f.location.line, f.location.column, f.rule_id)
    )
    return findings


def _citations(rule: Rule, hit: Hit) -> tuple[str, ...]:
    """The hit's own clauses when it names them, else the rule's; plus what depends on the manifest."""
    base = hit.only if hit.only is not None else rule.citations
    return base + tuple(c for c in hit.citations if c not in base)


def unknown_suppressions(
    loaded: LoadedManifest, rules: Iterable[Rule] | None = None
) -> Iterator[ManifestError]:
    """Suppressions naming a rule that does not exist: a typo there would silently suppress nothing."""
    known = sorted(r.id for r in (all_rules() if rules is None else rules))
    for index, suppression in enumerate(loaded.manifest.suppressions):
        if suppression.rule in known:
            continue
        where = loaded.location(pointer("suppressions", index, "rule"))
        yield ManifestError.from_key(
            "error.unknown_suppression_rule",
            location=where,
            path=loaded.path,
            line=where.line,
            column=where.column,
            id=suppression.rule,
            hint=hint(suppression.rule, known),
        )


def _load(path: str) -> LoadedManifest:
    try:
        return load_manifest(path)
    except (IsADirectoryError, PermissionError) as exc:
        raise ManifestErrors(
            [
                ManifestError.from_key(
                    "error.cannot_read",
                    location=SourceLocation(path, 1, 1),
                    path=path,
                    problem=exc.strerror or type(exc).__name__,
                )
            ]
        ) from None


def audit_file(path: str) -> ManifestReport:
    """Loads and audits one file; load errors become part of the report instead of stopping a batch."""
    try:
        loaded = _load(path)
    except ConsentgateError as exc:
        errors = getattr(exc, "errors", [exc])
        return ManifestReport(path=path, app=None, errors=tuple(e.text for e in errors))
    app = loaded.manifest.app
    report = ManifestReport(
        path=path,
        app=app.name,
        app_type=app.type,
        operator=app.operator.name if app.operator else None,
    )
    problems = tuple(e.text for e in unknown_suppressions(loaded))
    if problems:
        return replace(report, errors=problems)
    return replace(report, findings=tuple(evaluate(loaded)))
