"""From what was observed to the reports `consentgate audit` writes: audit the inferred manifest with the
real engine, attach evidence by pointer, and turn a target that could not be observed into an error.

Everything here is pure (no browser), so the reports can be rebuilt from an evidence folder later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

import yaml

from consentgate.audit.engine import evaluate
from consentgate.audit.findings import Evidence, Finding, ManifestReport
from consentgate.errors import ManifestErrors
from consentgate.i18n import message
from consentgate.manifest.loader import parse_manifest
from consentgate.observe.model import Observation, WalkEnd
from consentgate.text import Text

# Ends that mean the target itself could not be reached: nothing about the app was seen at all.
_UNREACHED = frozenset({WalkEnd.UNREACHABLE})


class EvidenceLike(Protocol):
    """What a finding needs from `observe.evidence.EvidenceRef` (walk path, seq, kind, words, picture)."""

    @property
    def path(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> Text: ...
    @property
    def screenshot(self) -> str | None: ...


def as_evidence(ref: EvidenceLike) -> Evidence:
    return Evidence(
        kind=str(ref.kind),
        walk=str(ref.path),
        seq=ref.seq,
        description=ref.description,
        screenshot=ref.screenshot,
    )


def _ancestors(pointer: str) -> Iterable[str]:
    """`/data/2/required` → itself, `/data/2`, `/data`, `` (the whole manifest)."""
    parts = pointer.split("/")
    for end in range(len(parts), 0, -1):
        yield "/".join(parts[:end])


def attach_evidence(
    findings: Iterable[Finding], evidence: Mapping[str, Sequence[EvidenceLike]]
) -> tuple[Finding, ...]:
    """Each finding gets the evidence seen at its pointer and at every ancestor, each once, in seq order."""
    attached = []
    for finding in findings:
        refs = {
            (e.walk, e.seq, e.kind): e
            for p in _ancestors(finding.location.pointer)
            for e in map(as_evidence, evidence.get(p, ()))
        }
        ordered = tuple(sorted(refs.values(), key=lambda e: (e.walk, e.seq, e.kind)))
        attached.append(replace(finding, evidence=ordered) if ordered else finding)
    return tuple(attached)


def audit_inferred(
    target: str, manifest: Mapping[str, Any], evidence: Mapping[str, Sequence[EvidenceLike]]
) -> ManifestReport:
    """The inferred manifest judged exactly as a written one: dumped, parsed, evaluated by the engine."""
    text = yaml.safe_dump(dict(manifest), allow_unicode=True, sort_keys=False)
    try:
        loaded = parse_manifest(text, path=target)
    except ManifestErrors as errors:
        return ManifestReport(path=target, app=None, errors=tuple(e.text for e in errors.errors))
    app = loaded.manifest.app
    return ManifestReport(
        path=target,
        app=app.name,
        app_type=app.type,
        operator=app.operator.name if app.operator else None,
        findings=attach_evidence(evaluate(loaded), evidence),
    )


def observed_at_all(observation: Observation) -> bool:
    """False when no walk reached the app (DNS, refused connection, TLS, redirect loop)."""
    return any(walk.end not in _UNREACHED for walk in observation.walks)


def unobserved(target: str, detail: str | None) -> ManifestReport:
    """A target that could not be observed: a report whose only content is a bilingual error."""
    why = detail or "—"
    return ManifestReport(
        path=target, app=None, errors=(message("observe.error.unobserved", target=target, detail=why),)
    )


def crashed(target: str, problem: BaseException) -> ManifestReport:
    """The browser or the walker broke on this target: reported, and the batch goes on."""
    detail = f"{type(problem).__name__}: {problem}"
    return ManifestReport(
        path=target, app=None, errors=(message("observe.error.crashed", target=target, detail=detail),)
    )
