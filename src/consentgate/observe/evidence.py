"""What was seen where: evidence references, keyed by the manifest pointer that inference wrote.

Inference writes each observed fact at a pointer (`/conduct/provisions/hm-baidu-com-1`,
`/onboarding/accept-screen-2`) and records what it saw there. A finding points at a node of the same
manifest, so its evidence is the references of that node and of every node above it: a finding at
`/onboarding/accept-screen-2/fields/0` shows the screenshot of screen 2. Nothing here knows a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from consentgate.audit.findings import Evidence as FindingEvidence
from consentgate.audit.findings import Finding
from consentgate.manifest.positions import is_within
from consentgate.observe.model import Path
from consentgate.text import Text


class EvidenceKind(StrEnum):
    SCREEN = "screen"
    REQUEST = "request"
    COOKIE = "cookie"
    PERMISSION = "permission"
    STORAGE = "storage"
    TRACE = "trace"  # a row (camille), entry (HAR) or line (JSON lines) of a runtime trace


@dataclass(frozen=True)
class EvidenceRef:
    """One thing seen: in which walk, when (`seq`), what kind, in words, and its screenshot if any.

    For a runtime trace `walk` is the trace's file name and `seq` its row, entry or line (issue 19).
    """

    walk: Path | str
    seq: int
    kind: EvidenceKind
    description: Text
    screenshot: str | None = None


Evidence = Mapping[str, tuple[EvidenceRef, ...]]


def evidence_at(node_pointer: str, evidence: Evidence) -> tuple[EvidenceRef, ...]:
    """The references of `node_pointer` and of its ancestors, each once, ordered by walk and seq."""
    found: dict[EvidenceRef, None] = {}
    for at, refs in evidence.items():
        if at and is_within(node_pointer, at):
            found.update(dict.fromkeys(refs))
    return tuple(sorted(found, key=lambda r: (r.walk != Path.REFUSE, str(r.walk), r.seq)))


def as_finding_evidence(ref: EvidenceRef) -> FindingEvidence:
    """The report's form of a reference (`audit.findings.Evidence`: plain strings, no observe types)."""
    return FindingEvidence(
        kind=ref.kind.value,
        walk=str(ref.walk),
        seq=ref.seq,
        description=ref.description,
        screenshot=ref.screenshot,
    )


def attach(findings: Iterable[Finding], evidence: Evidence) -> list[Finding]:
    """Every finding with its evidence (`Finding.evidence`), found by the pointer of its location."""
    attached = []
    for finding in findings:
        refs = evidence_at(finding.location.pointer, evidence)
        attached.append(replace(finding, evidence=tuple(map(as_finding_evidence, refs))) if refs else finding)
    return attached
