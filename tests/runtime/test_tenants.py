"""Tenants share a database but nothing else: subjects, consents, profiles and audit chains stay apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import TenantMismatch, UnknownConsentEvent, UnknownSubject

FIXED = Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml"


def _give_marketing(engine: Engine, subject: str) -> str:
    notice = engine.notices.current("privacy-policy")
    assert notice is not None
    engine.consent.register_subject(subject)
    event = engine.consent.give(
        subject, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version, data=("phone",)
    )
    return event.event_id


def test_one_tenants_subjects_and_consents_are_invisible_to_another(database_url: str) -> None:
    with (
        Engine.from_manifest(FIXED, database_url=database_url, tenant="a") as a,
        Engine.from_manifest(FIXED, database_url=database_url, tenant="b") as b,
    ):
        _give_marketing(a, "alice")
        assert a.gate.decide("alice", "marketing-sms", "phone").allowed
        with pytest.raises(UnknownSubject):
            b.gate.decide("alice", "marketing-sms", "phone")
        b.consent.register_subject("alice")  # the same id in tenant b is another person
        assert not b.gate.decide("alice", "marketing-sms", "phone").allowed
        assert b.consent.events("alice") == []
        a.auditlog.flush()
        b.auditlog.flush()
        assert a.auditlog.verify().ok and b.auditlog.verify().ok


def test_an_attribute_cannot_rest_on_another_tenants_consent(database_url: str) -> None:
    with (
        Engine.from_manifest(FIXED, database_url=database_url, tenant="a") as a,
        Engine.from_manifest(FIXED, database_url=database_url, tenant="b") as b,
    ):
        event_in_a = _give_marketing(a, "alice")
        b.consent.register_subject("alice")
        with pytest.raises(TenantMismatch) as mismatch:
            b.profiles.set(
                "alice", "phone", "13800000000", purposes=["marketing-sms"], consent_event_id=event_in_a
            )
        assert "“a”" in mismatch.value.text.zh and "'a'" in mismatch.value.text.en
        assert b.profiles.attributes("alice") == []


def test_an_attribute_cannot_rest_on_another_persons_consent(database_url: str) -> None:
    with Engine.from_manifest(FIXED, database_url=database_url) as engine:
        bobs = _give_marketing(engine, "bob")
        engine.consent.register_subject("carol")
        with pytest.raises(UnknownConsentEvent):
            engine.profiles.set(
                "carol", "phone", "13900000000", purposes=["marketing-sms"], consent_event_id=bobs
            )
        with pytest.raises(UnknownConsentEvent):
            engine.profiles.set(
                "carol", "phone", "13900000000", purposes=["marketing-sms"], consent_event_id="nope"
            )
