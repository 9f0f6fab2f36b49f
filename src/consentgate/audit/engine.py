"""Runs every rule over one loaded manifest and turns hits into located findings.

The manifest's `as_of` (the day of the conduct) picks the law: only rules whose window covers it
run, and a finding cites only the clauses in force that day (none of the ARP, in force from
2022-03-01, for conduct in 2021-12). Without `as_of` the app is judged under today's law.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from consentgate.audit.findings import Finding, ManifestReport
from consentgate.audit.suppressions import matching
from consentgate.errors import ConsentgateError, ManifestError, ManifestErrors, SourceLocation
from consentgate.i18n import message
from consentgate.law.catalog import load_catalog
from consentgate.manifest.loader import LoadedManifest, load_manifest
from consentgate.manifest.positions import pointer
from consentgate.manifest.references import hint
from consentgate.rules.base import Hit, Rule, Severity, Unknown, all_rules
from consentgate.rules.cited import date_note
from consentgate.rules.personal import concerns_only_anonymised
from consentgate.text import Text

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
# The law's days are China's: a date of conduct is compared with Beijing's today.
_BEIJING = ZoneInfo("Asia/Shanghai")


def evaluate(loaded: LoadedManifest, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """All findings for one manifest: violations most severe first, then in file order; then the
    unconfirmed checks, one per rule that met an unstated fact. Results about anonymised data only are
    dropped: it is not personal information (PIPL 4; `rules/personal.py`)."""
    manifest = loaded.manifest
    findings = []
    unconfirmed = []
    for rule in all_rules() if rules is None else rules:
        if not rule.applies_at(manifest.as_of):
            continue
        unknown: dict[str, Unknown] = {}
        for result in rule.evaluate(manifest):
            if concerns_only_anonymised(manifest, result):
                continue
            if isinstance(result, Unknown):
                unknown.setdefault(result.fact, result)
                continue
            finding = _finding(loaded, rule, result)
            if finding.citations:  # a breach of no law in force that day is no breach
                findings.append(finding)
        if unknown:
            unconfirmed.append(_unconfirmed(loaded, rule, tuple(unknown.values())))
    findings.sort(
        key=lambda f: (_SEVERITY_ORDER[f.severity.value], f.location.line, f.location.column, f.rule_id)
    )
    return findings + unconfirmed


def _finding(loaded: LoadedManifest, rule: Rule, hit: Hit) -> Finding:
    suppression = matching(loaded.manifest.suppressions, rule.id, hit.pointer)
    citations = _citations(rule, hit, loaded.manifest.as_of)
    note = date_note(citations)
    return Finding(
        rule_id=rule.id,
        severity=hit.severity or rule.severity,
        title=rule.title,
        message=Text(zh=hit.message.zh + note.zh, en=hit.message.en + note.en),
        remediation=rule.remediation,
        citations=citations,
        location=loaded.location(hit.pointer),
        suppressed=suppression is not None,
        suppression_reason=suppression.reason if suppression else None,
        data=hit.data,
        purpose=hit.purpose,
    )


def _unconfirmed(loaded: LoadedManifest, rule: Rule, unknown: tuple[Unknown, ...]) -> Finding:
    """One result per rule: what it would check, and the facts to state so that it can."""
    facts = tuple(u.fact for u in unknown)
    listed = "、".join(facts), ", ".join(facts)
    suppression = matching(loaded.manifest.suppressions, rule.id, unknown[0].pointer)
    return Finding(
        rule_id=rule.id,
        severity=Severity.LOW,
        title=rule.title,
        message=message("audit.unconfirmed.message", facts=Text(zh=listed[0], en=listed[1])),
        remediation=message("audit.unconfirmed.remediation"),
        citations=load_catalog().in_force_at(rule.citations, loaded.manifest.as_of),
        location=loaded.location(unknown[0].pointer),
        suppressed=suppression is not None,
        suppression_reason=suppression.reason if suppression else None,
        unknown_facts=facts,
    )


def _citations(rule: Rule, hit: Hit, as_of: date | None) -> tuple[str, ...]:
    """The hit's own clauses when it names them, else the rule's; plus what depends on the manifest;
    of those, the ones in force on the day of the conduct."""
    base = hit.only if hit.only is not None else rule.citations
    cited = base + tuple(c for c in hit.citations if c not in base)
    return load_catalog().in_force_at(cited, as_of)


def beijing_today() -> date:
    return datetime.now(_BEIJING).date()


def as_of_problems(
    loaded: LoadedManifest, rules: Iterable[Rule] | None = None, *, today: date
) -> Iterator[ManifestError]:
    """An `as_of` no rule could judge: a day still to come, or one before any law the rules apply.

    Both would otherwise pass in silence: a typo such as 2201-06-01 for 2021-06-01 would be judged
    under today's law, and conduct of 2009 would get no finding only because no rule reaches it.
    """
    as_of = loaded.manifest.as_of
    if as_of is None:
        return
    where = loaded.location(pointer("as_of"))
    at = {"path": loaded.path, "line": where.line, "column": where.column, "as_of": as_of.isoformat()}
    if as_of > today:
        yield ManifestError.from_key("error.as_of_future", location=where, today=today.isoformat(), **at)
        return
    chosen = list(all_rules() if rules is None else rules)
    if chosen and not any(rule.applies_at(as_of) for rule in chosen):
        earliest = min(rule.window().start for rule in chosen).isoformat()
        yield ManifestError.from_key("error.as_of_before_law", location=where, earliest=earliest, **at)


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


def audit_file(path: str, today: date | None = None) -> ManifestReport:
    """Loads and audits one file; load errors become part of the report instead of stopping a batch.

    `today` (Beijing's date when omitted) is what a manifest's `as_of` may not come after.
    """
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
        as_of=loaded.manifest.as_of.isoformat() if loaded.manifest.as_of else None,
    )
    day = beijing_today() if today is None else today
    problems = tuple(e.text for e in [*unknown_suppressions(loaded), *as_of_problems(loaded, today=day)])
    if problems:
        return replace(report, errors=problems)
    return replace(report, findings=tuple(evaluate(loaded)))
