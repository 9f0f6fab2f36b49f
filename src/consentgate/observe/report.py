"""From what was observed to the reports `consentgate audit` writes: audit the inferred manifest with the
real engine, attach evidence by pointer, and turn a target that could not be observed into an error.

Everything here is pure (no browser), so the reports can be rebuilt from an evidence folder later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from consentgate.audit.engine import evaluate
from consentgate.audit.findings import ManifestReport
from consentgate.errors import ManifestErrors
from consentgate.i18n import message
from consentgate.manifest.loader import parse_manifest
from consentgate.observe.evidence import Evidence, attach
from consentgate.observe.model import Observation, WalkEnd

# Ends that mean the target itself could not be reached: nothing about the app was seen at all.
_UNREACHED = frozenset({WalkEnd.UNREACHABLE})


def audit_inferred(target: str, manifest: Mapping[str, Any], evidence: Evidence) -> ManifestReport:
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
        findings=tuple(attach(evaluate(loaded), evidence)),
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
