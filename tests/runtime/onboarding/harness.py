"""Onboarding wired to the real profile store and in-memory ledger, notices, gate and audit log."""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.manifest.loader import load_manifest
from consentgate.manifest.models import Manifest
from consentgate.runtime.onboarding.service import Onboarding
from consentgate.runtime.policy import compile_policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.profiles.service import ProfileStore
from consentgate.store.database import Database
from tests.runtime.profiles.fakes import SEED, FakeAudit, FakeGate, FakeLedger, FakeNotices, fixed_manifest


@dataclass
class Flow:
    onboarding: Onboarding
    profiles: ProfileStore
    ledger: FakeLedger
    notices: FakeNotices
    audit: FakeAudit


def build_flow(database: Database, manifest: Manifest, notices: dict[str, str] | None = None) -> Flow:
    policy = compile_policy(manifest)
    clock = FakeClock()
    ledger = FakeLedger(policy, clock=clock)
    audit = FakeAudit()
    fake_notices = FakeNotices({"privacy-policy": "2024-01"} if notices is None else notices)
    profiles = ProfileStore(
        database,
        tenant="t1",
        clock=clock,
        ids=SequentialIds("attr"),
        audit=audit,
        gate=FakeGate(policy, ledger),
        manifest=manifest,
        consent_owner=ledger.owner,
    )
    onboarding = Onboarding(
        database,
        tenant="t1",
        clock=clock,
        ids=SequentialIds("onb"),
        audit=audit,
        manifest=manifest,
        policy=policy,
        ledger=ledger,
        notices=fake_notices,
        profiles=profiles,
    )
    return Flow(onboarding, profiles, ledger, fake_notices, audit)


def seed_manifest() -> Manifest:
    """as-found.yaml's three screens (every field marked `required: true`) over fixed.yaml's processing.

    Why not as-found.yaml whole: its processing (personalized push on "contract necessity", marketing
    and sharing with no basis, a phone number bought from an offline store) fails high-severity rules,
    so `Engine.from_manifest` refuses to start on it — the runtime never runs an unlawful
    configuration. Its *screens* are what the seed case is about, and onboarding must ask them
    lawfully whatever their `required` flags say. So: fixed.yaml's data, purposes and notice, with
    as-found's login / questionnaire / basic-info screens; the Chinese name (only in as-found) joins
    the consent-based certificates add-on with the English name.
    """
    document = fixed_manifest().model_dump(mode="json", by_alias=True)
    as_found = load_manifest(SEED / "as-found.yaml").manifest
    document["data"].append({"id": "chinese-name", "category": "identity.name"})
    next(p for p in document["purposes"] if p["id"] == "certificates")["data"].append("chinese-name")
    document["onboarding"] = [screen.model_dump(mode="json", by_alias=True) for screen in as_found.onboarding]
    return Manifest.model_validate(document)
