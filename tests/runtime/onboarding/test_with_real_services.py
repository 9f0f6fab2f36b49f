"""Onboarding and profiles wired to the real ledger, notices, gate and audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from consentgate.manifest.models import Manifest
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.schemas import EventKind, Mechanism
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.onboarding.service import Onboarding
from consentgate.runtime.policy import compile_policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.profiles.service import ProfileStore
from consentgate.store.database import Database
from tests.runtime.conftest import publish_notice
from tests.runtime.onboarding.harness import seed_manifest

TENANT = "seed-app"
PUSH = "personalized-push"


@dataclass
class Runtime:
    audit: AuditLog
    ledger: ConsentLedger
    gate: Gate
    profiles: ProfileStore
    onboarding: Onboarding


def runtime(database: Database, manifest: Manifest, clock: FakeClock, audit: AuditLog) -> Runtime:
    policy = compile_policy(manifest)
    notices = NoticeService(
        database, tenant=TENANT, clock=clock, ids=SequentialIds("notice"), audit=audit, policy=policy
    )
    publish_notice(notices, policy, "2024-01")
    ledger = ConsentLedger(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("event"),
        audit=audit,
        notices=notices,
        policy=policy,
        manifest=manifest,
    )
    gate = Gate(policy=policy, ledger=ledger, notices=notices, audit=audit)
    profiles = ProfileStore(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("attr"),
        audit=audit,
        gate=gate,
        manifest=manifest,
    )
    onboarding = Onboarding(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("onboarding"),
        audit=audit,
        manifest=manifest,
        policy=policy,
        ledger=ledger,
        notices=notices,
        profiles=profiles,
    )
    return Runtime(audit, ledger, gate, profiles, onboarding)


@pytest.fixture
def real(database: Database) -> Iterator[Runtime]:
    clock = FakeClock()
    audit = AuditLog(database, tenant=TENANT, clock=clock, ids=SequentialIds("audit"))
    try:
        yield runtime(database, seed_manifest(), clock, audit)
    finally:
        audit.close()


def test_seed_flow_on_the_real_ledger_gate_and_audit_log(real: Runtime) -> None:
    onboarding = real.onboarding
    assert onboarding.next_screen("luo").screen_id == "login"
    onboarding.submit("luo", "login", {"phone": "13800000000", "account-password": "secret"})
    onboarding.skip("luo", "questionnaire")
    assert onboarding.skip("luo", "basic-info").is_home
    assert onboarding.next_screen("luo").is_home

    events = real.ledger.events("luo")
    assert {(e.purpose, e.kind) for e in events} == {
        (PUSH, EventKind.REFUSED),
        ("certificates", EventKind.REFUSED),
    }
    assert real.profiles.read("luo", "online-courses") == {
        "phone": "13800000000",
        "account-password": "secret",
    }
    assert real.profiles.read("luo", PUSH) == {}

    onboarding.reopen("luo", "occupation")
    assert onboarding.submit("luo", "questionnaire", {"occupation": "教师"}).is_home
    given = real.ledger.facts("luo")[(PUSH, None)]
    assert (given.status, given.mechanism, given.notice_version) == (
        EventKind.GIVEN,
        Mechanism.IN_FLOW,
        "2024-01",
    )
    assert real.profiles.read("luo", PUSH) == {"occupation": "教师"}

    real.audit.flush()
    report = real.audit.verify()
    assert report.ok, report.problem
    records = real.audit.records(limit=10_000)
    assert {"profile.set", "onboarding.submit", "onboarding.skip", "onboarding.reopen"} <= {
        r.kind for r in records
    }
    assert not any(
        "13800000000" in repr(r.payload) or "教师" in repr(r.payload) for r in records if r.kind != "decision"
    )


def test_withdrawal_in_the_real_ledger_hides_derived_tags_at_once(real: Runtime) -> None:
    onboarding = real.onboarding
    onboarding.next_screen("luo")
    onboarding.submit("luo", "login", {"phone": "13800000000", "account-password": "secret"})
    onboarding.submit("luo", "questionnaire", {"occupation": "教师", "learning-goal": "考试"})
    held = {a.data_id: a for a in real.profiles.attributes("luo")}
    real.profiles.derive(
        "luo",
        "profile-tags",
        ["teacher", "exam"],
        derived_from=[held["occupation"].attribute_id, held["learning-goal"].attribute_id],
        purposes=[PUSH],
    )
    assert set(real.profiles.read("luo", PUSH)) == {"occupation", "learning-goal", "profile-tags"}

    real.ledger.withdraw("luo", PUSH)

    assert real.profiles.read("luo", PUSH) == {}
    assert real.profiles.read("luo", "online-courses") == {
        "phone": "13800000000",
        "account-password": "secret",
    }
