"""Hand-made consent facts and seed-app policies for the pure decision (`gate/rules.py`).

The decision is a pure function of facts, so its tests build the facts directly; the service and
property tests go through the real ledger instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from consentgate.manifest.loader import LoadedManifest, load_manifest, parse_manifest
from consentgate.runtime.consent.schemas import ConsentFact, EventKind, Mechanism, SubjectFacts
from consentgate.runtime.policy import Policy, compile_policy

ROOT = Path(__file__).resolve().parents[3]
FIXED = ROOT / "examples" / "seed-case" / "fixed.yaml"
AS_FOUND = ROOT / "examples" / "seed-case" / "as-found.yaml"
NOTICE = "privacy-policy"
AT = datetime(2024, 1, 1, tzinfo=UTC)


def seed_policy(path: Path = FIXED) -> Policy:
    return compile_policy(load_manifest(path).manifest)


def variant_manifest(*edits: tuple[str, str]) -> LoadedManifest:
    """The fixed seed manifest with pieces of its text replaced (each replacement must happen)."""
    text = FIXED.read_text("utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_manifest(text, "variant.yaml")


def variant_policy(*edits: tuple[str, str]) -> Policy:
    return compile_policy(variant_manifest(*edits).manifest)


def fact(
    purpose: str,
    status: EventKind = EventKind.GIVEN,
    *,
    recipient: str | None = None,
    version: str | None = "2024-01",
    data: tuple[str, ...] = (),
    mechanism: Mechanism = Mechanism.IN_FLOW,
    event_id: str = "ev-1",
    subject: str = "alice",
) -> ConsentFact:
    return ConsentFact(
        subject=subject,
        purpose=purpose,
        recipient=recipient,
        status=status,
        event_id=event_id,
        notice_id=NOTICE if version is not None else None,
        notice_version=version,
        data=data,
        mechanism=mechanism,
        updated_at=AT,
    )


def facts_of(*items: ConsentFact) -> SubjectFacts:
    return {(f.purpose, f.recipient): f for f in items}
